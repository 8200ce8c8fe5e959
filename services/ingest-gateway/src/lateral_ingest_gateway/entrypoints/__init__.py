"""How the ingest-gateway is reached: its HTTP API and its command line."""
