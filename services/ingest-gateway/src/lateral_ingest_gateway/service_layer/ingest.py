"""Processing a batch: its rows in chunks, each prepared, decided, published and recorded.

Each chunk's rows are prepared (validated, and each valid record encoded) away from the event
loop — CSV chunks in worker processes — a few chunks ahead. Then, strictly in order, the feed's
last versions of the chunk's records are looked up and each row decided (new, updated,
unchanged, withdrawn or rejected). The new, changed and withdrawn ones go to `records.raw`;
several chunks may be on their way to the bus at once. Only once a chunk is acknowledged, and
every chunk before it recorded, does one transaction remember its content hashes, store the row
errors, quarantine the rejected rows, release corrected ones and add the chunk's counts to the
batch. A hash is recorded only after its record is on the bus, so a crash may make a resend
publish a record again (downstream is idempotent) but never hides one. IDs decided but not yet
recorded are kept in memory (a few chunks' worth), so a repeat is still found.

One feed's batches are processed one at a time (in this process), so two batches sent at the
same moment cannot both count one record as new.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store, quarantine_store
from lateral_ingest_gateway.adapters.quarantine_store import QuarantinedRow
from lateral_ingest_gateway.adapters.raw_events import RawEvents
from lateral_ingest_gateway.adapters.worker_pool import PreparationPool
from lateral_ingest_gateway.domain.changes import Change, RowDecision, count, decide_rows
from lateral_ingest_gateway.domain.csv_reader import FileProblem
from lateral_ingest_gateway.domain.model import Batch, BatchCounts, BatchStatus, Feed, WayIn
from lateral_ingest_gateway.domain.validation import RowOutcome
from lateral_ingest_gateway.metrics import BATCHES, ROWS
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_RAW

from .preparing import PreparedChunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestDeps:
    sessions: async_sessionmaker[AsyncSession]
    publisher: EventPublisher
    chunk_rows: int = 1000
    pool: PreparationPool = field(default_factory=lambda: PreparationPool(0))
    in_flight: int = 4  # chunks published but not yet acknowledged, at most
    feed_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def feed_lock(self, feed_id: str) -> asyncio.Lock:
        return self.feed_locks.setdefault(feed_id, asyncio.Lock())


class PublishFailed(Exception):
    """The bus did not take a chunk; the batch is recorded as failed (with what got through)."""

    def __init__(self, batch_id: uuid.UUID) -> None:
        super().__init__(f"batch {batch_id} could not be published")
        self.batch_id = batch_id


async def ingest(
    deps: IngestDeps, *, feed: Feed, way_in: WayIn,
    chunks: AsyncIterable[Awaitable[PreparedChunk]], received_at: datetime | None = None,
) -> Batch:  # fmt: skip
    """Process a batch's chunks, each already being prepared when it is yielded; raises
    `PublishFailed` if the bus refuses part-way."""
    async with deps.feed_lock(feed.feed_id):
        run = BatchRun(deps, feed, way_in, received_at or datetime.now(UTC))
        await run.start()
        try:
            await run.take_all(chunks)
        except FileProblem as problem:  # the file changed under us between the check and now
            return await run.end(BatchStatus.FAILED, problem.problem)
        except Exception:
            await run.end(BatchStatus.FAILED)
            raise
        return await run.end(BatchStatus.COMPLETED)


async def reject(
    deps: IngestDeps, *, feed: Feed, way_in: WayIn, problem: FileProblem, received_at: datetime
) -> Batch:
    """Record a batch rejected as a whole (nothing in it taken), with its one problem."""
    batch = Batch(uuid.uuid4(), feed.feed_id, feed.partner_id, way_in, received_at,
                  BatchStatus.REJECTED, file_error=problem.problem,
                  finished_at=datetime.now(UTC))  # fmt: skip
    async with deps.sessions() as session:
        await batch_store.create_batch(session, batch=batch)
        await session.commit()
    BATCHES.labels(way_in.value, batch.status.value).inc()
    log.info("batch rejected", extra=_log_fields(batch))
    return batch


class BatchRun:
    """One batch while its rows are processed."""

    def __init__(self, deps: IngestDeps, feed: Feed, way_in: WayIn, received_at: datetime) -> None:
        self._deps = deps
        self.batch = Batch(uuid.uuid4(), feed.feed_id, feed.partner_id, way_in, received_at,
                           BatchStatus.PROCESSING)  # fmt: skip
        self._events = RawEvents(self.batch)
        self._unrecorded: dict[str, int] = {}  # ID → first row, of chunks not yet recorded
        self._delivering: deque[asyncio.Task[None]] = deque()

    async def start(self) -> None:
        async with self._deps.sessions() as session:
            await batch_store.create_batch(session, batch=self.batch)
            await session.commit()

    async def take_all(self, chunks: AsyncIterable[Awaitable[PreparedChunk]]) -> None:
        """Take each chunk in order while the next few are prepared and the last few delivered."""
        ahead = self._deps.pool.workers + 1
        preparing: deque[Awaitable[PreparedChunk]] = deque()
        try:
            async for chunk in chunks:
                preparing.append(chunk)
                if len(preparing) > ahead:
                    await self._take(await preparing.popleft())
            while preparing:
                await self._take(await preparing.popleft())
            while self._delivering:
                await self._delivering.popleft()
        finally:  # on a failure, let the work still under way finish before giving up
            await asyncio.gather(*preparing, *self._delivering, return_exceptions=True)

    async def end(self, status: BatchStatus, file_error: str | None = None) -> Batch:
        finished_at = datetime.now(UTC)
        async with self._deps.sessions() as session:
            await batch_store.finish_batch(
                session, batch_id=self.batch.batch_id, status=status, finished_at=finished_at,
                file_error=file_error,
            )  # fmt: skip
            await session.commit()
        self.batch = replace(self.batch, status=status, finished_at=finished_at,
                             file_error=file_error)  # fmt: skip
        BATCHES.labels(self.batch.way_in.value, status.value).inc()
        log.info("batch finished", extra=_log_fields(self.batch))
        return self.batch

    async def _take(self, chunk: PreparedChunk) -> None:
        """Decide a chunk and send it on its way to the bus and the database."""
        decisions, ids = await self._decide(chunk.outcomes)
        previous = self._delivering[-1] if self._delivering else None
        self._delivering.append(asyncio.create_task(self._deliver(decisions, chunk, ids, previous)))
        while self._delivering and (
            len(self._delivering) > self._deps.in_flight or self._delivering[0].done()
        ):
            await self._delivering.popleft()  # raises if that chunk failed

    async def _decide(self, outcomes: Sequence[RowOutcome]) -> tuple[list[RowDecision], list[str]]:
        """Each row's fate, and the IDs this chunk is the first to send."""
        ids = {o.source_record_id for o in outcomes if o.source_record_id is not None}
        batch_id, feed_id = self.batch.batch_id, self.batch.feed_id
        # Taken before reading: a chunk recorded meanwhile is in the one or the other.
        unrecorded = {sid: self._unrecorded[sid] for sid in ids if sid in self._unrecorded}
        async with self._deps.sessions() as session:
            known = await batch_store.record_states(session, feed_id=feed_id, source_record_ids=ids)
            earlier = await quarantine_store.rows_in_batch(
                session, batch_id=batch_id, source_record_ids=ids
            )
        for source_record_id, state in known.items():
            if state.last_batch_id == batch_id and state.last_row is not None:
                earlier.setdefault(source_record_id, state.last_row)
        earlier |= unrecorded
        decisions = decide_rows(outcomes, known=known, earlier_rows=earlier)
        first = [sid for sid in ids if sid not in unrecorded and sid not in self._unrecorded]
        self._unrecorded.update((sid, earlier[sid]) for sid in first)
        return decisions, first

    async def _deliver(
        self, decisions: list[RowDecision], chunk: PreparedChunk, ids: list[str],
        previous: asyncio.Task[None] | None,
    ) -> None:  # fmt: skip
        """Publish the chunk's events; once acknowledged, and the chunk before is recorded,
        record it."""
        messages = self._events.messages(decisions)
        try:
            await self._deps.publisher.publish_encoded(RECORDS_RAW, messages)
        except Exception as exc:
            log.warning("publishing a batch failed", exc_info=exc, extra=_log_fields(self.batch))
            raise PublishFailed(self.batch.batch_id) from None
        if previous is not None:
            await previous  # raises, so this chunk stays unrecorded, if the one before failed
        counts = count(decisions)
        await self._record(decisions, chunk.kept, counts)
        for sid in ids:
            self._unrecorded.pop(sid, None)
        self.batch = replace(self.batch, counts=self.batch.counts + counts)
        for change in Change:
            ROWS.labels(change.value).inc(getattr(counts, change.value))

    async def _record(
        self, decisions: Sequence[RowDecision], kept: dict[int, object], counts: BatchCounts
    ) -> None:
        batch_id, feed_id = self.batch.batch_id, self.batch.feed_id
        taken = [d for d in decisions if d.change is not Change.REJECTED]
        rejected = [d.outcome for d in decisions if d.change is Change.REJECTED]
        now = datetime.now(UTC)
        quarantined = [QuarantinedRow(batch_id, o.row, o.source_record_id, o.errors,
                                      _kept(o, kept), now) for o in rejected]  # fmt: skip
        async with self._deps.sessions() as session:
            await batch_store.save_record_states(
                session, feed_id=feed_id, batch_id=batch_id, decisions=taken
            )
            taken_ids = [d.outcome.source_record_id for d in taken if d.outcome.source_record_id]
            await quarantine_store.release(
                session, feed_id=feed_id, batch_id=batch_id, source_record_ids=taken_ids
            )
            await batch_store.add_row_errors(
                session, batch_id=batch_id, errors=[e for o in rejected for e in o.errors]
            )
            await quarantine_store.quarantine(session, feed_id=feed_id, batch_id=batch_id,
                                              rows=quarantined)  # fmt: skip
            await batch_store.add_batch_counts(session, batch_id=batch_id, counts=counts)
            await session.commit()


def _kept(outcome: RowOutcome, kept: dict[int, object]) -> object:
    """What is kept of a rejected row: as prepared, or for a valid row rejected as a repeat,
    its record as validated."""
    if outcome.row in kept:
        return kept[outcome.row]
    return json.loads(outcome.encoded.json) if outcome.encoded is not None else None


def _log_fields(batch: Batch) -> dict[str, Any]:
    counts = batch.counts
    return {"batch_id": str(batch.batch_id), "feed_id": batch.feed_id,
            "partner_id": batch.partner_id, "way_in": batch.way_in.value,
            "status": batch.status.value, "received": counts.received,
            "accepted": counts.accepted, "updated": counts.updated,
            "unchanged": counts.unchanged, "withdrawn": counts.withdrawn,
            "rejected": counts.rejected}  # fmt: skip
