"""The matcher's own tables, repository and migrations (SQLite or PostgreSQL)."""
