"""Audit adapters: tables, the store and migrations."""
