"""Handlers that apply the rules to events and keep the alerts."""
