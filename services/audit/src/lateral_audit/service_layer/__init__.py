"""Audit use cases: record events, verify the chain, read the log."""
