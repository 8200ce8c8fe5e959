"""Storage of the ingest-gateway: tables, migrations and repository functions."""
