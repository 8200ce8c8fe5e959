"""Alembic environment for the matcher's tables (applied by `lateral_shared.db.migrate`)."""

from lateral_matcher.adapters.tables import metadata
from lateral_shared.db import run_env

run_env(metadata)
