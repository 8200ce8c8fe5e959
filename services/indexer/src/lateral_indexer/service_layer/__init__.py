"""Handlers: what the indexer does with each batch of `records.linked` events."""
