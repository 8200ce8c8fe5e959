"""Pure logic: how a person snapshot becomes the document search reads."""
