"""The ingest-gateway: partners push records over HTTPS; each accepted row goes to `records.raw`."""
