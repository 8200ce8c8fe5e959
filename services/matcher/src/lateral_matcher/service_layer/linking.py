"""The `records.clean` handler: store and resolve a batch of records, commit, then publish.

One batch is one transaction: the batch's blocking keys are locked (PostgreSQL: its records' new
keys and the keys they had; tried again if another batch re-keyed them meanwhile), what the store
holds about the batch and its candidates is loaded, every record is resolved in order
(`domain.batch`, through the resolver), the changes are written in bulk, what the snapshots need
is read, the transaction commits, and only then are the `records.linked` events published
(encoded straight to JSON, each snapshot once: `encoding`). The commit runs while the events are
encoded: on SQLite it is one call into the driver's thread that releases the GIL (writing the
WAL, and now and then a checkpoint), so it takes the second core. A crash between
the commit and the publish is healed by redelivery: a record already stored with the same content
hash changes nothing but is published again (`change="unchanged"`), and so is a withdrawal already
applied (`change="withdrawn"`); downstream consumers are idempotent.

Several matcher replicas may run at once: batches sharing a blocking key wait for each other
(`adapters.locks`), and a record linked to a person another replica merged away meanwhile is
moved to the survivor before commit.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters.locks import LOCK_ROUNDS, lock_batch, one_writer
from lateral_matcher.adapters.reads import JsonRecord
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.domain.batch import (
    BatchResolution,
    PersonResolver,
    RecordOutcome,
    keys_to_load,
    records_keys,
)
from lateral_matcher.domain.households import DEFAULT_WINDOW, household_address_key
from lateral_matcher.domain.identity import uuid5_text
from lateral_matcher.domain.resolution import default_resolver
from lateral_matcher.service_layer.encoding import linked_message, occurred_json
from lateral_matcher.service_layer.snapshots import (
    SnapshotRows,
    encode_snapshots,
    read_snapshot_rows,
)
from lateral_shared.bus import EventPublisher
from lateral_shared.bus.port import OutgoingMessage
from lateral_shared.contracts import RECORDS_LINKED, Event, RecordCleaned

RECORDS_LINKED_TOTAL = Counter(
    "lateral_matcher_records_total",
    "Records handled by the matcher, by change (created, updated, unchanged, withdrawn) and rule.",
    ["change", "rule"],
)
PERSONS_MERGED_TOTAL = Counter(
    "lateral_matcher_persons_merged_total", "Persons merged into another by a bridging record."
)

# Linked events get IDs derived from the clean event's ID, so a redelivery republishes the same ID.
LINKED_EVENT_NAMESPACE = uuid.UUID("0b7e9f0c-3c1d-5f8e-a2b4-6d7c8e9f1a2b")
_LINKED_EVENT_NAMESPACE_BYTES = LINKED_EVENT_NAMESPACE.bytes


def utc_now() -> datetime:
    return datetime.now(UTC)


class RecordLinker:
    """Batch handler for `records.clean` (give it to a `Subscription`)."""

    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Callable[[], datetime] = utc_now,
        *,
        resolver: PersonResolver | None = None,
        household_window: timedelta = DEFAULT_WINDOW,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._clock = clock
        self._resolver = resolver or default_resolver()
        self._window = household_window

    async def __call__(self, events: Sequence[Event]) -> None:
        cleaned = [event for event in events if isinstance(event, RecordCleaned)]
        if not cleaned:
            return
        for round_ in range(1, LOCK_ROUNDS + 1):
            try:
                linked, handled = await self._link(cleaned)
                break
            except RecordsRekeyed:
                if round_ == LOCK_ROUNDS:
                    raise
        await self._publisher.publish_encoded(RECORDS_LINKED, linked)
        for _, outcome in handled:
            rule = outcome.explanation.rule if outcome.explanation else "none"
            RECORDS_LINKED_TOTAL.labels(outcome.change, rule).inc()
            PERSONS_MERGED_TOTAL.inc(len(outcome.merged_person_ids))

    async def _link(
        self, cleaned: Sequence[RecordCleaned]
    ) -> tuple[list[OutgoingMessage], list[Handled]]:
        """The batch's transaction, committed, and its events, encoded."""
        async with one_writer(self._engine), self._engine.connect() as connection:
            transaction = await connection.begin()
            try:
                repo = MatcherRepository(connection)
                handled = await link_batch(repo, cleaned, self._resolver, now=self._clock())
                rows = await read_linked(repo, handled, window=self._window)
            except BaseException:
                await transaction.rollback()
                raise
            # The events are encoded while the store commits (on SQLite, in the driver's thread:
            # the second core); they are published only once the commit has succeeded.
            committed = asyncio.ensure_future(transaction.commit())
            await asyncio.sleep(0)  # the commit is handed to the driver on its first step
            try:
                linked = encode_linked(repo, rows)
            finally:
                await committed
        return linked, handled


Handled = tuple[RecordCleaned, RecordOutcome]


class RecordsRekeyed(Exception):
    """Another batch changed the blocking keys of this batch's records while it waited for its
    locks; nothing was written (the batch is tried again)."""


async def link_batch(
    repo: MatcherRepository,
    cleaned: Sequence[RecordCleaned],
    resolver: PersonResolver,
    *,
    now: datetime,
) -> list[Handled]:
    """Resolve, store or withdraw a batch's records in order (idempotent on each content hash).

    A withdrawal of a record Lateral never held changes nothing and is left out of the result.
    """
    upserts = [event.record for event in cleaned if event.record is not None]
    withdrawals = [event.record_key for event in cleaned if event.action == "withdraw"]
    by_record = records_keys(upserts)
    record_keys, keys, new_ids = keys_to_load(upserts, withdrawals, by_record)
    # Addresses too: two batches must not both insert a new address.
    places = [f"address|{key}" for r in upserts if (key := household_address_key(r.address))]
    if not await lock_batch(repo.connection, [*keys, *places], record_keys):
        raise RecordsRekeyed
    known = await repo.load_known(record_keys, keys, new_ids)
    resolution = BatchResolution(known, resolver, by_record)
    handled: list[Handled] = []
    for event in cleaned:
        outcome = (
            resolution.link(event.record)
            if event.record is not None
            else resolution.withdraw(event.record_key)
        )
        if outcome is not None:
            handled.append((event, outcome))
    late = await repo.write(resolution.changes, known, now=now)
    return _at_end(handled, resolution.changes.redirects.survivors, late)


def _at_end(handled: list[Handled], *redirects: dict[str, str]) -> list[Handled]:
    """Every event names the person as it is at the end of the batch (merges included: this
    batch's, then other matchers' met when writing). Merges are rare, so an outcome is copied
    only when its person moved."""
    for at, (event, outcome) in enumerate(handled):
        person_id = outcome.person_id
        if person_id is None:
            continue
        moved = person_id
        for survivors in redirects:
            moved = survivors.get(moved, moved)
        if moved != person_id:
            handled[at] = (event, replace(outcome, person_id=moved))
    return handled


async def linked_messages(
    repo: MatcherRepository, handled: Sequence[Handled], *, window: timedelta = DEFAULT_WINDOW
) -> list[OutgoingMessage]:
    """One keyed `RecordLinked` per record, each with the snapshots as of the end of the batch,
    encoded (`encoding`): each snapshot, record and explanation is encoded once."""
    return encode_linked(repo, await read_linked(repo, handled, window=window))


@dataclass(frozen=True, slots=True)
class LinkedRows:
    """What a batch's `RecordLinked` events are made of, read in its transaction."""

    handled: Sequence[Handled]
    snapshots: SnapshotRows
    withdrawn: dict[str, JsonRecord]


async def read_linked(
    repo: MatcherRepository, handled: Sequence[Handled], *, window: timedelta = DEFAULT_WINDOW
) -> LinkedRows:
    """Everything `encode_linked` needs from the store (the transaction may then end)."""
    outcomes = [outcome for _, outcome in handled]
    person_ids = [o.person_id for o in outcomes if o.person_id is not None]
    address_keys = [o.address_key for o in outcomes if o.address_key is not None]
    snapshots = await read_snapshot_rows(
        repo,
        person_ids,
        address_keys,
        window=window,
        fresh=repo.fresh,
        known_addresses=repo.addresses,
    )
    withdrawn = await repo.stored_json_records(
        [event.record_key for event, _ in handled if event.record is None]
    )
    return LinkedRows(handled, snapshots, withdrawn)


def encode_linked(repo: MatcherRepository, rows: LinkedRows) -> list[OutgoingMessage]:
    """The batch's events, encoded (no I/O: the repository only lends what it wrote)."""
    snapshots = encode_snapshots(rows.snapshots)
    written = repo.written
    occurred = occurred_json(utc_now())  # the batch's events are made together
    batch_ids: dict[uuid.UUID, str] = {}  # a batch's events mostly share one partner batch
    messages: list[OutgoingMessage] = []
    for event, outcome in rows.handled:
        if event.record is None:
            record = rows.withdrawn[event.record_key].json
        else:
            stored = written.get(event.record.record_key)  # the JSON just stored, if this one
            if stored is not None and stored.record is event.record:
                record = stored.json
            else:
                record = event.record.model_dump_json()
        link = repo.explanation_json(outcome.explanation) if outcome.explanation else None
        messages.append(
            linked_message(
                outcome.person_id or outcome.address_key or event.record_key,
                event_id=uuid5_text(_LINKED_EVENT_NAMESPACE_BYTES, str(event.event_id)),
                occurred_at=occurred,
                batch_id=batch_ids.get(event.batch_id)
                or batch_ids.setdefault(event.batch_id, str(event.batch_id)),
                change=outcome.change,
                record=record,
                person=snapshots.persons.get(outcome.person_id) if outcome.person_id else None,
                address=(
                    snapshots.addresses.get(outcome.address_key) if outcome.address_key else None
                ),
                link=link,
                merged_person_ids=outcome.merged_person_ids,
            )
        )
    return messages
