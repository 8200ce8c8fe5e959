"""The event bus: port, adapters (chosen by URL), publisher and consumer loop."""

from __future__ import annotations

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
