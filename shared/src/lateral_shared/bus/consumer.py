"""The consumer loop every service uses: fetch, decode, handle, dead-letter, then commit.

- A batch is handed to the handler whole; if the handler raises, each event of the batch is
  retried on its own (up to `max_attempts` in all), so one poison event cannot hold up the rest.
- An event that cannot be decoded (unknown schema version, invalid fields) or that keeps failing
  goes to `<topic>.dlq` with the reason in its headers; nothing is dropped silently.
- Offsets are committed only after the handler returned (its writes are durable) and dead letters
  are acknowledged. A crash before that means redelivery, so handlers must be idempotent.
- `stop()` lets the batch in hand finish and commit, then returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from lateral_shared.contracts.events import Event
from lateral_shared.contracts.topics import UndecodableEvent, decode_event, dlq_topic
from lateral_shared.metrics import CONSUMER_BATCH_SECONDS, CONSUMER_LAG, EVENTS_CONSUMED

from .port import Consumer, EventBus, Message, OutgoingMessage

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Event]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A service's wish to handle one topic's events as a member of `group_id`."""

    group_id: str
    topic: str
    handler: BatchHandler


class EventConsumer:
    def __init__(
        self,
        bus: EventBus,
        subscription: Subscription,
        *,
        service: str,
        max_attempts: int = 5,
        batch_size: int = 500,
        retry_backoff_s: float = 0.05,
    ) -> None:
        self._bus = bus
        self._sub = subscription
        self._service = service
        self._max_attempts = max_attempts
        self._batch_size = batch_size
        self._backoff = retry_backoff_s
        self._stopping = asyncio.Event()
        self._consumer: Consumer | None = None

    @property
    def subscription(self) -> Subscription:
        return self._sub

    async def run(self) -> None:
        """Consume until `stop()`; the batch in hand is finished and committed first."""
        consumer = self._bus.consumer(self._sub.group_id, [self._sub.topic])
        self._consumer = consumer
        await consumer.start()
        try:
            while not self._stopping.is_set():
                messages = await consumer.fetch(max_messages=self._batch_size, timeout_s=0.5)
                if messages:
                    await self.process(consumer, messages)
        finally:
            await consumer.stop()

    def stop(self) -> None:
        self._stopping.set()

    async def process(self, consumer: Consumer, messages: Sequence[Message]) -> None:
        """Handle one fetched batch and commit it."""
        started = time.perf_counter()
        topic = self._sub.topic
        CONSUMER_LAG.labels(self._service, topic).set(len(messages))
        decoded: list[tuple[Message, Event]] = []
        for message in messages:
            try:
                decoded.append((message, decode_event(message.topic, message.value)))
            except UndecodableEvent as exc:
                await self._dead_letter(message, str(exc), attempts=0)
        if decoded:
            await self._handle(decoded)
        await consumer.commit(messages)
        CONSUMER_BATCH_SECONDS.labels(self._service, topic).observe(time.perf_counter() - started)

    async def _handle(self, decoded: list[tuple[Message, Event]]) -> None:
        topic = self._sub.topic
        try:
            await self._sub.handler([event for _, event in decoded])
        except Exception as exc:
            batch_error = type(exc).__name__
            log.warning(
                "batch handler failed; retrying events one by one",
                extra={"service": self._service, "topic": topic, "count": len(decoded)},
                exc_info=True,
            )
        else:
            EVENTS_CONSUMED.labels(self._service, topic, "ok").inc(len(decoded))
            return
        for message, event in decoded:
            await self._handle_one(message, event, first_error=batch_error)

    async def _handle_one(self, message: Message, event: Event, *, first_error: str) -> None:
        topic = self._sub.topic
        last_error = first_error  # with max_attempts=1 the batch's failure is the only one
        # The whole batch was attempt 1; the remaining attempts are this event on its own.
        for attempt in range(2, self._max_attempts + 1):
            try:
                await self._sub.handler([event])
            except Exception as exc:
                # The exception type only: a message may quote the event's personal data.
                last_error = type(exc).__name__
                EVENTS_CONSUMED.labels(self._service, topic, "retried").inc()
                await asyncio.sleep(self._backoff * attempt)
            else:
                EVENTS_CONSUMED.labels(self._service, topic, "ok").inc()
                return
        reason = f"handler failed {self._max_attempts} times (last error: {last_error})"
        await self._dead_letter(message, reason, attempts=self._max_attempts)

    async def _dead_letter(self, message: Message, reason: str, *, attempts: int) -> None:
        headers = {
            **message.headers,
            "dlq_reason": reason,
            "dlq_source_topic": message.topic,
            "dlq_source_partition": str(message.partition),
            "dlq_source_offset": str(message.offset),
            "dlq_consumer_group": self._sub.group_id,
            "dlq_attempts": str(attempts),
        }
        out = OutgoingMessage(key=message.key, value=message.value, headers=headers)
        await self._bus.publish(dlq_topic(message.topic), [out])
        EVENTS_CONSUMED.labels(self._service, message.topic, "dead_lettered").inc()
        log.error(
            "event sent to the dead-letter topic",
            extra={
                "service": self._service,
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "reason_code": reason[:120],
            },
        )
