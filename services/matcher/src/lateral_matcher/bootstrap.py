"""Wiring: the matcher's database, bus, handler and readiness checks, in one place."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.config import MatcherSettings
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_shared.bus import EventBus, EventPublisher, Subscription, open_bus
from lateral_shared.contracts import RECORDS_CLEAN, RECORDS_LINKED
from lateral_shared.db import create_engine, migrate, ping
from lateral_shared.index import SearchIndex
from lateral_shared.runtime import Hook, Service

NAME = "matcher"
MIGRATIONS = str(Path(__file__).parent / "adapters" / "migrations")
VERSION_TABLE = "alembic_version_matcher"


async def migrate_database(engine: AsyncEngine) -> None:
    """Bring the matcher's tables to the newest migration."""
    await migrate(engine, script_location=MIGRATIONS, version_table=VERSION_TABLE)


async def bootstrap(
    settings: MatcherSettings,
    *,
    bus: EventBus | None = None,
    index: SearchIndex | None = None,  # accepted for a uniform signature; the matcher has none
) -> Service:
    """Build the matcher: migrate its database, then consume `records.clean`."""
    on_stop: list[Hook] = []
    bus = await open_bus(settings, bus, topics=[RECORDS_CLEAN, RECORDS_LINKED], on_stop=on_stop)
    engine = create_engine(settings.database_url)
    on_stop.insert(0, engine.dispose)
    await migrate_database(engine)
    linker = RecordLinker(engine, EventPublisher(bus, service=NAME))

    async def database() -> None:
        await ping(engine)

    return Service(
        name=NAME,
        subscriptions=[Subscription(group_id=NAME, topic=RECORDS_CLEAN, handler=linker)],
        readiness={"database": database, "bus": bus.ping},
        on_stop=on_stop,
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
