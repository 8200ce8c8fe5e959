"""Alembic environment for the alerts service's own tables."""

from lateral_alerts.adapters.tables import metadata
from lateral_shared.db import run_env

run_env(metadata)
