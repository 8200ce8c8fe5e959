"""Alembic migrations per service, each with its own version table so services can share a
database server (or, in embedded mode, keep one SQLite file each).

A service keeps `adapters/migrations/` with `env.py` calling `run_env(metadata)` and a `versions/`
folder; `migrate()` applies them at start-up and the `migrate` command applies them on demand.
"""

from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine


def _config(script_location: str, version_table: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["version_table"] = version_table
    return cfg


async def migrate(engine: AsyncEngine, *, script_location: str, version_table: str) -> None:
    """Bring the service's tables to the newest migration."""
    cfg = _config(script_location, version_table)

    def upgrade(connection: Connection) -> None:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)


def run_env(metadata: MetaData) -> None:
    """The body of every service's `env.py` (online mode over the connection `migrate` gives)."""
    cfg = context.config
    connection = cfg.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=cfg.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
