"""Lateral audit service: an append-only, hash-chained log of who looked at what and why."""
