"""The `records.clean` handler: store and link a batch of records, commit, then publish.

One batch is one transaction: what the store holds about the batch's keys is loaded, every record
is linked in order (`domain.batch`), the changes are written in bulk, the snapshots are read, the
transaction commits, and only then are the `records.linked` events published. A crash between the
commit and the publish is healed by redelivery: a record already stored with the same content hash
changes nothing but is published again (`change="unchanged"`), and so is a withdrawal already
applied (`change="withdrawn"`); downstream consumers are idempotent.

Limitation (for the distributed-mode issue): two matcher replicas linking records of the same new
person at the same time each miss the other's uncommitted look-up keys and create two persons (or
one fails on a primary key and its batch is retried). Run one matcher replica until linking takes a
per-key lock (PostgreSQL advisory locks) or the topic is partitioned by a blocking key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.domain.batch import BatchLinking, Outcome, keys_to_load
from lateral_matcher.service_layer.snapshots import read_snapshots
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_LINKED, Event, RecordCleaned, RecordLinked

RECORDS_LINKED_TOTAL = Counter(
    "lateral_matcher_records_total",
    "Records handled by the matcher, by change (created, updated, unchanged, withdrawn) and rule.",
    ["change", "rule"],
)

# Linked events get IDs derived from the clean event's ID, so a redelivery republishes the same ID.
LINKED_EVENT_NAMESPACE = uuid.UUID("0b7e9f0c-3c1d-5f8e-a2b4-6d7c8e9f1a2b")


def utc_now() -> datetime:
    return datetime.now(UTC)


class RecordLinker:
    """Batch handler for `records.clean` (give it to a `Subscription`)."""

    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._clock = clock

    async def __call__(self, events: Sequence[Event]) -> None:
        cleaned = [event for event in events if isinstance(event, RecordCleaned)]
        if not cleaned:
            return
        async with self._engine.begin() as connection:
            repo = MatcherRepository(connection)
            handled = await link_batch(repo, cleaned, now=self._clock())
            linked = await _linked_events(repo, handled)
        await self._publisher.publish(RECORDS_LINKED, linked)
        for _, outcome in handled:
            rule = outcome.explanation.rule if outcome.explanation else "none"
            RECORDS_LINKED_TOTAL.labels(outcome.change, rule).inc()


Handled = tuple[RecordCleaned, Outcome]


async def link_batch(
    repo: MatcherRepository, cleaned: Sequence[RecordCleaned], *, now: datetime
) -> list[Handled]:
    """Link, store or withdraw a batch's records in order (idempotent on each content hash).

    A withdrawal of a record Lateral never held changes nothing and is left out of the result.
    """
    upserts = [event.record for event in cleaned if event.record is not None]
    withdrawals = [event.record_key for event in cleaned if event.action == "withdraw"]
    known = await repo.load_known(*keys_to_load(upserts, withdrawals))
    linking = BatchLinking(known)
    handled: list[Handled] = []
    for event in cleaned:
        outcome = (
            linking.link(event.record)
            if event.record is not None
            else linking.withdraw(event.record_key)
        )
        if outcome is not None:
            handled.append((event, outcome))
    await repo.write(linking.changes, known, now=now)
    return handled


async def _linked_events(
    repo: MatcherRepository, handled: Sequence[Handled]
) -> list[tuple[str, Event]]:
    """One keyed `RecordLinked` per record, each with the snapshots as of the end of the batch."""
    outcomes = [outcome for _, outcome in handled]
    person_ids = [o.person_id for o in outcomes if o.person_id is not None]
    address_keys = [o.address_key for o in outcomes if o.address_key is not None]
    people, places = await read_snapshots(repo, person_ids, address_keys)
    withdrawn = await repo.stored_records(
        [event.record_key for event, _ in handled if event.record is None]
    )
    keyed: list[tuple[str, Event]] = []
    for event, outcome in handled:
        linked = RecordLinked(
            event_id=uuid.uuid5(LINKED_EVENT_NAMESPACE, str(event.event_id)),
            batch_id=event.batch_id,
            change=outcome.change,
            record=event.record or withdrawn[event.record_key],
            person=people.get(outcome.person_id) if outcome.person_id else None,
            address=places.get(outcome.address_key) if outcome.address_key else None,
            link=outcome.explanation,
        )
        keyed.append((outcome.person_id or outcome.address_key or event.record_key, linked))
    return keyed
