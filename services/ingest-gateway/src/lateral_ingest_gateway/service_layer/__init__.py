"""Use cases of the ingest-gateway: managing partners and feeds, accepting batches."""
