"""The audit database, migrated to the newest schema on opening."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_shared.db import create_engine, migrate

from .repository import AuditLogStore

MIGRATIONS = str(Path(__file__).parent / "migrations")
VERSION_TABLE = "alembic_version_audit"


async def open_store(database_url: str) -> tuple[AsyncEngine, AuditLogStore]:
    """An engine on the audit database, with every migration applied, and the store over it."""
    engine = create_engine(database_url)
    await migrate(engine, script_location=MIGRATIONS, version_table=VERSION_TABLE)
    return engine, AuditLogStore(engine)
