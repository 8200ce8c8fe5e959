"""Handlers: what the matcher does with each batch of `records.clean` events."""
