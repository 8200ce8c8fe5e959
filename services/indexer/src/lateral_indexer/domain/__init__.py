"""Pure logic: how person and address snapshots become the documents search reads."""
