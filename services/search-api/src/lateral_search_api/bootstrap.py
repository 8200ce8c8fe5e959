"""Wiring for the search-api: accounts database, index, audit trail on the bus, HTTP routers."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from lateral_shared.bus import EventBus, EventPublisher, open_bus
from lateral_shared.contracts.topics import AUDIT_EVENTS, LINKS_REPORTED
from lateral_shared.db import ping, session_factory
from lateral_shared.index import SearchIndex, connect_index
from lateral_shared.runtime import Service

from .adapters.database import open_database
from .config import SearchApiSettings
from .entrypoints.deps import SearchApiContext
from .entrypoints.http import build_api_router
from .entrypoints.ui import build_ui_router
from .service_layer.searching import SERVICE, AuditTrail


async def bootstrap(
    settings: SearchApiSettings, *, bus: EventBus | None = None, index: SearchIndex | None = None
) -> Service:
    """The search-api on the given bus and index, or on its own connections from settings."""
    engine = await open_database(settings.database_url)
    on_stop: list[Callable[[], Awaitable[None]]] = []
    bus = await open_bus(settings, bus, topics=[AUDIT_EVENTS, LINKS_REPORTED], on_stop=on_stop)
    if index is None:
        index = connect_index(settings.index_url, index_name=settings.index_name)
        await index.start()
        on_stop.append(index.close)
    on_stop.append(engine.dispose)
    publisher = EventPublisher(bus, service=SERVICE)
    ctx = SearchApiContext(
        sessions=session_factory(engine), index=index, audit=AuditTrail(publisher, service=SERVICE),
        secret=settings.secret_key.get_secret_value(),
        token_ttl_s=settings.token_ttl_minutes * 60, cookie_secure=settings.cookie_secure,
    )  # fmt: skip
    return Service(
        name=SERVICE,
        routers=[build_api_router(ctx), build_ui_router(ctx, settings, publisher)],
        readiness={
            "database": functools.partial(ping, engine),
            "bus": bus.ping,
            "index": index.ping,
        },
        on_stop=on_stop,
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
