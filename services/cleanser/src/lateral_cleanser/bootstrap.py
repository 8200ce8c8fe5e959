"""Wiring of the cleanser: the gazetteer, the bus, the topics, the `records.raw` subscription."""

from __future__ import annotations

import asyncio
import logging

from lateral_shared.bus import EventBus, EventPublisher, Subscription, open_bus
from lateral_shared.contracts import RECORDS_CLEAN, RECORDS_RAW
from lateral_shared.index import SearchIndex
from lateral_shared.runtime import Service

from .adapters.gazetteer_csv import load_gazetteer
from .config import CleanserSettings
from .domain import Gazetteer
from .service_layer.handlers import make_handler

SERVICE_NAME = "cleanser"
log = logging.getLogger(__name__)


async def bootstrap(
    settings: CleanserSettings,
    *,
    bus: EventBus | None = None,
    index: SearchIndex | None = None,  # accepted for a uniform signature; the cleanser has none
) -> Service:
    """The cleanser service, on the given bus (embedded mode) or on its own (distributed)."""
    gazetteer = await _gazetteer(settings)
    service = Service(
        name=SERVICE_NAME,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
    bus = await open_bus(
        settings, bus, topics=[RECORDS_RAW, RECORDS_CLEAN], on_stop=service.on_stop
    )
    publisher = EventPublisher(bus, service=SERVICE_NAME)
    service.bus = bus
    service.subscriptions.append(
        Subscription(
            group_id=SERVICE_NAME,
            topic=RECORDS_RAW,
            handler=make_handler(publisher, gazetteer=gazetteer),
        )
    )
    service.readiness["bus"] = bus.ping
    return service


async def _gazetteer(settings: CleanserSettings) -> Gazetteer | None:
    """The gazetteer from its CSV file (read off the event loop), or None when not configured."""
    if settings.gazetteer_path is None:
        log.info("no gazetteer configured: UPRN look-up is off")
        return None
    gazetteer = await asyncio.to_thread(load_gazetteer, settings.gazetteer_path)
    log.info("gazetteer loaded", extra={"count": len(gazetteer)})
    return gazetteer
