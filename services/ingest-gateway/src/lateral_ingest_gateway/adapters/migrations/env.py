"""Alembic environment for the ingest-gateway's tables (applied by `lateral_shared.db.migrate`)."""

from lateral_ingest_gateway.adapters.tables import metadata
from lateral_shared.db import run_env

run_env(metadata)
