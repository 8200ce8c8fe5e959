"""Alembic environment for the search-api's tables."""

from lateral_search_api.adapters.tables import metadata
from lateral_shared.db import run_env

run_env(metadata)
