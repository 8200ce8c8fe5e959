"""Storage for alerts: tables, migrations and the repository."""
