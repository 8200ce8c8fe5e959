"""Alembic environment for the audit service's tables."""

from lateral_audit.adapters.tables import metadata
from lateral_shared.db import run_env

run_env(metadata)
