"""Audit entry points: HTTP and the command line."""
