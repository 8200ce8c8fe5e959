"""The search-api's own database, migrated to the newest schema on opening."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_shared.db import create_engine, migrate

MIGRATIONS = str(Path(__file__).parent / "migrations")
VERSION_TABLE = "alembic_version_search_api"


async def open_database(database_url: str) -> AsyncEngine:
    """An engine on the accounts database, with every migration applied."""
    engine = create_engine(database_url)
    await migrate(engine, script_location=MIGRATIONS, version_table=VERSION_TABLE)
    return engine
