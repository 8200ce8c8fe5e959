"""Handlers of the cleanser."""
