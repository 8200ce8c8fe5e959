"""Search-api adapters: the accounts tables, repository and migrations."""
