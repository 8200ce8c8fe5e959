"""Lateral alerts: priority-case rules over linked records, and the duty-manager alerts API."""
