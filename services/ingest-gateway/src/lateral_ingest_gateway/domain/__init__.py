"""Pure rules of the ingest-gateway: partners and their credentials, feeds, batches."""
