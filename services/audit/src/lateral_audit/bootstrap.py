"""Wiring for the audit service: its store, its consumer of `audit.events` and its HTTP API."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from lateral_shared.bus import EventBus, Subscription, open_bus
from lateral_shared.contracts.topics import AUDIT_EVENTS
from lateral_shared.db import ping
from lateral_shared.index import SearchIndex
from lateral_shared.runtime import Service

from .adapters.database import open_store
from .config import AuditSettings
from .entrypoints.http import build_router
from .service_layer.handlers import record_events


async def bootstrap(
    settings: AuditSettings, *, bus: EventBus | None = None, index: SearchIndex | None = None
) -> Service:
    """The audit service, on the given bus or one of its own. It does not use the index."""
    del index  # the audit service reads no index; the parameter keeps every bootstrap alike
    engine, store = await open_store(settings.database_url)
    on_stop: list[Callable[[], Awaitable[None]]] = []
    bus = await open_bus(settings, bus, topics=[AUDIT_EVENTS], on_stop=on_stop)
    on_stop.append(engine.dispose)

    return Service(
        name="audit",
        routers=[
            build_router(
                store,
                secret=settings.secret_key.get_secret_value(),
                page_size=settings.audit_page_size,
            )
        ],
        subscriptions=[
            Subscription(
                group_id="audit",
                topic=AUDIT_EVENTS,
                handler=functools.partial(record_events, store=store),
            )
        ],
        readiness={"database": functools.partial(ping, engine), "bus": bus.ping},
        on_stop=on_stop,
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
