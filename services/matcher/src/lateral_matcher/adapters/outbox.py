"""The transactional outbox: events written in the transaction of the change they announce, and
published only after it commits.

A data steward's decision stages its `records.linked` events here, and the `audit.events` event
saying it was made, in the decision's own transaction: a decision that does not commit leaves no
event, and one that does leaves its events until the bus acknowledges them. The decision
publishes them right after its commit; the relay (a background job of the matcher's process)
publishes whatever a crash or a bus outage left behind, at start-up and then every few seconds.
Delivery is at least once (a relay racing a decision may publish an event twice): event IDs are
deterministic and consumers idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from prometheus_client import Counter, Gauge
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lateral_matcher.adapters.locks import one_writer
from lateral_matcher.adapters.tables import outbox
from lateral_shared.bus import EventPublisher
from lateral_shared.bus.port import OutgoingMessage

log = logging.getLogger(__name__)

RELAY_BATCH = 500
RELAY_EVERY_S = 5.0

OUTBOX_PUBLISHED = Counter(
    "lateral_matcher_outbox_published_total",
    "Events of stewards' decisions published from the outbox (after their commit).",
)
OUTBOX_PENDING = Gauge(
    "lateral_matcher_outbox_pending",
    "Events of stewards' decisions committed but not yet published, as the relay last saw.",
)


async def stage(
    conn: AsyncConnection, topic: str, messages: Sequence[OutgoingMessage], *, now: datetime
) -> list[int]:
    """Write `messages` for `topic` in the caller's transaction; their outbox IDs, in order."""
    ids: list[int] = []
    for message in messages:  # one at a time: the IDs are needed, and decisions publish few
        result = await conn.execute(
            outbox.insert().values(topic=topic, key=message.key, value=message.value,
                                   headers=dict(message.headers), created_at=now)
        )  # fmt: skip
        key = result.inserted_primary_key
        assert key is not None
        ids.append(int(key[0]))
    return ids


async def relay(
    engine: AsyncEngine, publisher: EventPublisher, *, only: Sequence[int] | None = None
) -> int:
    """Publish staged messages oldest first and delete them once acknowledged; how many.

    `only`: just these (a decision's own, right after its commit). Raises if the bus does not
    acknowledge; what was not acknowledged stays staged for the next attempt.
    """
    published = 0
    while True:
        sent = await _relay_batch(engine, publisher, only)
        published += sent
        if sent < RELAY_BATCH or only is not None:
            return published


async def _relay_batch(
    engine: AsyncEngine, publisher: EventPublisher, only: Sequence[int] | None
) -> int:
    stmt = select(outbox).order_by(outbox.c.message_id).limit(RELAY_BATCH)
    if only is not None:
        stmt = stmt.where(outbox.c.message_id.in_(list(only)))
    if engine.dialect.name == "postgresql":  # replicas relay different rows, not the same twice
        stmt = stmt.with_for_update(skip_locked=True)
    async with one_writer(engine), engine.begin() as conn:
        rows = (await conn.execute(stmt)).all()
        for topic, group in groupby(rows, key=lambda row: str(row.topic)):
            messages = [OutgoingMessage(r.key, bytes(r.value), dict(r.headers)) for r in group]
            await publisher.publish_encoded(topic, messages)
        if rows:
            ids = [row.message_id for row in rows]
            await conn.execute(delete(outbox).where(outbox.c.message_id.in_(ids)))
    OUTBOX_PUBLISHED.inc(len(rows))
    return len(rows)


async def pending(engine: AsyncEngine) -> int:
    """How many staged messages wait to be published."""
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(outbox))).scalar_one())


@dataclass(frozen=True)
class OutboxRelay:
    """The background job: relay at start-up, then every `every_s` seconds, until stopped."""

    engine: AsyncEngine
    publisher: EventPublisher
    every_s: float = RELAY_EVERY_S

    async def __call__(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                sent = await relay(self.engine, self.publisher)
            except Exception:  # the bus or the database is down: try again next time
                log.warning("outbox relay failed; retrying", exc_info=True)
            else:
                if sent:
                    log.info("outbox relayed", extra={"service": "matcher", "count": sent})
            with contextlib.suppress(Exception):  # a gauge: the next round sets it again
                OUTBOX_PENDING.set(await pending(self.engine))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.every_s)
