"""Wiring: the matcher's database, bus, handler and readiness checks, in one place."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters.engine import matcher_engine
from lateral_matcher.adapters.outbox import OutboxRelay
from lateral_matcher.config import MatcherSettings
from lateral_matcher.entrypoints.http import build_review_router
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_matcher.service_layer.reviewing import LinkReportHandler, ReviewDesk
from lateral_shared.bus import EventBus, EventPublisher, Subscription, open_bus
from lateral_shared.contracts import AUDIT_EVENTS, LINKS_REPORTED, RECORDS_CLEAN, RECORDS_LINKED
from lateral_shared.db import migrate, ping
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
    """Build the matcher: migrate its database, consume `records.clean` and `links.reported`,
    serve the review API, and relay the outbox of stewards' decisions."""
    on_stop: list[Hook] = []
    topics = [RECORDS_CLEAN, RECORDS_LINKED, LINKS_REPORTED, AUDIT_EVENTS]
    bus = await open_bus(settings, bus, topics=topics, on_stop=on_stop)
    engine = matcher_engine(settings.database_url)
    on_stop.insert(0, engine.dispose)
    await migrate_database(engine)
    publisher = EventPublisher(bus, service=NAME)
    window = timedelta(days=settings.household_window_days)
    linker = RecordLinker(engine, publisher, household_window=window)
    desk = ReviewDesk(engine, publisher, matcher_audit_trail(publisher), household_window=window)
    secret = settings.secret_key.get_secret_value()

    async def database() -> None:
        await ping(engine)

    return Service(
        name=NAME,
        routers=[build_review_router(desk, secret)],
        subscriptions=[
            Subscription(group_id=NAME, topic=RECORDS_CLEAN, handler=linker),
            # Its own group: one group ID per topic keeps Kafka's rebalances independent.
            Subscription(
                group_id=f"{NAME}.reports", topic=LINKS_REPORTED, handler=LinkReportHandler(engine)
            ),
        ],
        readiness={"database": database, "bus": bus.ping},
        on_stop=on_stop,
        # Publishes the events of stewards' decisions that a crash or the bus left unpublished.
        background=[OutboxRelay(engine, publisher)],
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
