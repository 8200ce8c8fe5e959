"""The event bus: port, adapters (chosen by URL), publisher and consumer loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from .consumer import BatchHandler, EventConsumer, Subscription
from .port import Consumer, EventBus, Message, OutgoingMessage
from .publisher import EventPublisher

if TYPE_CHECKING:
    from lateral_shared.settings import ServiceSettings

__all__ = [
    "BatchHandler",
    "Consumer",
    "EventBus",
    "EventConsumer",
    "EventPublisher",
    "Message",
    "OutgoingMessage",
    "Subscription",
    "connect_bus",
    "open_bus",
]


def connect_bus(url: str, settings: ServiceSettings | None = None) -> EventBus:
    """The adapter for `url`: `embedded:///PATH` (SQLite log) or `kafka://HOST:PORT[,...]`."""
    if url.startswith("embedded://"):
        from .embedded import EmbeddedLog

        return EmbeddedLog(url.removeprefix("embedded://"))
    if url.startswith("kafka://"):
        from .kafka import KafkaBus

        idempotence = settings.kafka_enable_idempotence if settings else True
        return KafkaBus(url.removeprefix("kafka://"), enable_idempotence=idempotence)
    raise ValueError("LATERAL_BUS_URL must start with embedded:// or kafka://")


async def open_bus(
    settings: ServiceSettings,
    bus: EventBus | None,
    *,
    topics: Sequence[str],
    on_stop: list[Callable[[], Awaitable[None]]],
) -> EventBus:
    """The bus a service uses: the one it was given (embedded mode shares one), or its own from
    settings, started now and closed on stop. Either way its topics exist on return."""
    if bus is None:
        bus = connect_bus(settings.bus_url, settings)
        await bus.start()
        on_stop.append(bus.close)
    await bus.ensure_topics(topics, partitions=settings.topic_partitions)
    return bus
