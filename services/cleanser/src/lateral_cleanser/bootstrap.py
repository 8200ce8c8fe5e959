"""Wiring of the cleanser: the bus, the topics, the `records.raw` subscription."""

from __future__ import annotations

from lateral_shared.bus import EventBus, EventPublisher, Subscription, connect_bus
from lateral_shared.contracts import RECORDS_CLEAN, RECORDS_RAW
from lateral_shared.index import SearchIndex
from lateral_shared.runtime import Service

from .config import CleanserSettings
from .service_layer.handlers import make_handler

SERVICE_NAME = "cleanser"


async def bootstrap(
    settings: CleanserSettings,
    *,
    bus: EventBus | None = None,
    index: SearchIndex | None = None,  # accepted for a uniform signature; the cleanser has none
) -> Service:
    """The cleanser service, on the given bus (embedded mode) or on its own (distributed)."""
    service = Service(
        name=SERVICE_NAME,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
    if bus is None:
        bus = connect_bus(settings.bus_url, settings)
        await bus.start()
        service.on_stop.append(bus.close)
    await bus.ensure_topics([RECORDS_RAW, RECORDS_CLEAN], partitions=settings.topic_partitions)
    publisher = EventPublisher(bus, service=SERVICE_NAME)
    service.bus = bus
    service.subscriptions.append(
        Subscription(group_id=SERVICE_NAME, topic=RECORDS_RAW, handler=make_handler(publisher))
    )
    service.readiness["bus"] = bus.ping
    return service
