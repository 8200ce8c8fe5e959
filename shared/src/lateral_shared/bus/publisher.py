"""Publish typed events: encode, key and count them."""

from __future__ import annotations

from collections.abc import Sequence

from lateral_shared.contracts.events import Event
from lateral_shared.contracts.topics import encode_event
from lateral_shared.metrics import EVENTS_PUBLISHED

from .port import EventBus, OutgoingMessage


class EventPublisher:
    def __init__(self, bus: EventBus, *, service: str) -> None:
        self._bus = bus
        self._service = service

    async def publish(self, topic: str, keyed_events: Sequence[tuple[str, Event]]) -> None:
        """Publish (key, event) pairs; returns once all are durably acknowledged."""
        if not keyed_events:
            return
        messages = [
            OutgoingMessage(
                key=key, value=encode_event(event), headers={"event_type": type(event).__name__}
            )
            for key, event in keyed_events
        ]
        await self.publish_encoded(topic, messages)

    async def publish_encoded(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        """Publish events already encoded (by a service that writes them faster than pydantic
        would, or reuses their JSON); returns once all are durably acknowledged."""
        if not messages:
            return
        await self._bus.publish(topic, messages)
        EVENTS_PUBLISHED.labels(self._service, topic).inc(len(messages))
