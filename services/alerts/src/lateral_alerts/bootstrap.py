"""Wiring: the alerts service's bus, database, handler and routes in one place."""

from __future__ import annotations

import functools
from pathlib import Path

from lateral_alerts.adapters.repository import SqlAlertStore
from lateral_alerts.config import AlertsSettings
from lateral_alerts.entrypoints.http import build_router
from lateral_alerts.service_layer.handlers import handle_records_linked
from lateral_shared.bus import EventBus, EventPublisher, Subscription, open_bus
from lateral_shared.contracts import ALERTS_RAISED, RECORDS_LINKED
from lateral_shared.db import create_engine, migrate, ping
from lateral_shared.index import SearchIndex
from lateral_shared.runtime import Hook, Service

SERVICE_NAME = "alerts"
MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
VERSION_TABLE = "alembic_version_alerts"


async def bootstrap(
    settings: AlertsSettings,
    *,
    bus: EventBus | None = None,
    index: SearchIndex | None = None,  # accepted for a uniform signature; alerts reads no index
) -> Service:
    """The alerts service: consumes `records.linked`, publishes `alerts.raised`, serves
    `/v1/alerts`. Uses `bus` if given (embedded mode shares one), else connects its own."""
    on_stop: list[Hook] = []
    bus = await open_bus(settings, bus, topics=[RECORDS_LINKED, ALERTS_RAISED], on_stop=on_stop)
    engine = create_engine(settings.database_url)
    await migrate(engine, script_location=str(MIGRATIONS), version_table=VERSION_TABLE)
    on_stop.insert(0, engine.dispose)
    store = SqlAlertStore(engine)
    handler = functools.partial(
        handle_records_linked, store=store, publisher=EventPublisher(bus, service=SERVICE_NAME)
    )
    router = build_router(
        store,
        secret=settings.secret_key.get_secret_value(),
        page_size=settings.alerts_page_size,
    )
    return Service(
        name=SERVICE_NAME,
        routers=[router],
        subscriptions=[Subscription(group_id=SERVICE_NAME, topic=RECORDS_LINKED, handler=handler)],
        readiness={"database": functools.partial(ping, engine), "bus": bus.ping},
        on_stop=on_stop,
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
