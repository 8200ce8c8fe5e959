"""Processing a batch: its rows in chunks, each validated, published and recorded before the next.

For each chunk: validate every row; look up the feed's last versions of those records; decide
each row (new, updated, unchanged, withdrawn or rejected); publish the new, changed and withdrawn
ones to `records.raw`; then, in one transaction, remember their content hashes, store the row
errors, quarantine the rejected rows, release corrected ones from quarantine and add the chunk's
counts to the batch. A hash is recorded only after its record is on the bus, so a crash may make
a resend publish a record again (downstream is idempotent) but never hides one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import AsyncIterable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store, quarantine_store
from lateral_ingest_gateway.adapters.quarantine_store import QuarantinedRow
from lateral_ingest_gateway.domain.changes import Change, RowDecision, count, decide_rows
from lateral_ingest_gateway.domain.csv_reader import FileProblem
from lateral_ingest_gateway.domain.model import Batch, BatchCounts, BatchStatus, Feed, WayIn
from lateral_ingest_gateway.domain.validation import RowOutcome
from lateral_ingest_gateway.metrics import BATCHES, ROWS
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_RAW, Event, RecordReceived, record_key

log = logging.getLogger(__name__)
MAX_KEPT_ROW_BYTES = 64 * 1024  # a bigger rejected row is quarantined without its data


@dataclass(frozen=True)
class IngestDeps:
    sessions: async_sessionmaker[AsyncSession]
    publisher: EventPublisher
    chunk_rows: int = 1000


@dataclass(frozen=True)
class RawRow:
    """One row as sent: a JSON record, or a CSV row's cells by column."""

    row: int
    data: object


Validate = Callable[[RawRow], RowOutcome]


class PublishFailed(Exception):
    """The bus did not take a chunk; the batch is recorded as failed (with what got through)."""

    def __init__(self, batch_id: uuid.UUID) -> None:
        super().__init__(f"batch {batch_id} could not be published")
        self.batch_id = batch_id


async def ingest(
    deps: IngestDeps, *, feed: Feed, way_in: WayIn, chunks: AsyncIterable[Sequence[RawRow]],
    validate: Validate, received_at: datetime | None = None,
) -> Batch:  # fmt: skip
    """Process a batch's rows; raises `PublishFailed` if the bus refuses part-way."""
    run = BatchRun(deps, feed, way_in, received_at or datetime.now(UTC))
    await run.start()
    try:
        await _pipelined(run, chunks, validate)
    except FileProblem as problem:  # the file changed under us between the check and now
        return await run.end(BatchStatus.FAILED, problem.problem)
    except Exception:
        await run.end(BatchStatus.FAILED)
        raise
    return await run.end(BatchStatus.COMPLETED)


async def _pipelined(
    run: BatchRun, chunks: AsyncIterable[Sequence[RawRow]], validate: Validate
) -> None:
    """Each chunk is validated in a worker thread while the one before it is published and
    recorded: the event loop stays free for other requests (validation is the costliest step),
    and the databases' own threads work meanwhile. Chunks are still decided strictly in order."""
    pending: list[tuple[Sequence[RawRow], asyncio.Future[list[RowOutcome]]]] = []
    try:
        async for chunk in chunks:
            pending.append((chunk, asyncio.ensure_future(_validated(validate, chunk))))
            if len(pending) == 2:
                rows, validating = pending.pop(0)
                await run.add(rows, await validating)
        while pending:
            rows, validating = pending.pop(0)
            await run.add(rows, await validating)
    finally:  # on a failure, let a validation still running finish before giving up
        await asyncio.gather(*(validating for _, validating in pending), return_exceptions=True)


async def _validated(validate: Validate, rows: Sequence[RawRow]) -> list[RowOutcome]:
    return await asyncio.to_thread(_validate_all, validate, rows)


def _validate_all(validate: Validate, rows: Sequence[RawRow]) -> list[RowOutcome]:
    return [validate(raw) for raw in rows]


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

    async def start(self) -> None:
        async with self._deps.sessions() as session:
            await batch_store.create_batch(session, batch=self.batch)
            await session.commit()

    async def add(self, rows: Sequence[RawRow], outcomes: Sequence[RowOutcome]) -> None:
        """Decide, publish and record one chunk of validated rows."""
        ids = {o.source_record_id for o in outcomes if o.source_record_id is not None}
        batch_id, feed_id = self.batch.batch_id, self.batch.feed_id
        async with self._deps.sessions() as session:
            known = await batch_store.record_states(session, feed_id=feed_id, source_record_ids=ids)
            earlier = await quarantine_store.rows_in_batch(
                session, batch_id=batch_id, source_record_ids=ids
            )
        for source_record_id, state in known.items():
            if state.last_batch_id == batch_id and state.last_row is not None:
                earlier.setdefault(source_record_id, state.last_row)
        decisions = decide_rows(outcomes, known=known, earlier_rows=earlier)
        await self._publish(decisions)
        counts = count(decisions)
        await self._record(decisions, {raw.row: raw.data for raw in rows}, counts)
        self.batch = replace(self.batch, counts=self.batch.counts + counts)
        for change in Change:
            ROWS.labels(change.value).inc(getattr(counts, change.value))

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

    async def _publish(self, decisions: Sequence[RowDecision]) -> None:
        batch = self.batch
        events: list[tuple[str, Event]] = []
        published = [d for d in decisions if d.published and d.outcome.source_record_id]
        for d, event_id in zip(published, _event_ids(len(published)), strict=True):
            if d.outcome.source_record_id is not None:
                event = RecordReceived(
                    event_id=event_id, batch_id=batch.batch_id, partner_id=batch.partner_id,
                    feed_id=batch.feed_id,
                    row_number=d.outcome.row, action=d.outcome.action,
                    source_record_id=d.outcome.source_record_id, record=d.outcome.record,
                )  # fmt: skip
                events.append((record_key(batch.feed_id, d.outcome.source_record_id), event))
        try:
            await self._deps.publisher.publish(RECORDS_RAW, events)
        except Exception as exc:
            log.warning("publishing a batch failed", exc_info=exc, extra=_log_fields(batch))
            raise PublishFailed(batch.batch_id) from None

    async def _record(
        self, decisions: Sequence[RowDecision], data: dict[int, object], counts: BatchCounts
    ) -> None:
        batch_id, feed_id = self.batch.batch_id, self.batch.feed_id
        taken = [d for d in decisions if d.change is not Change.REJECTED]
        rejected = [d.outcome for d in decisions if d.change is Change.REJECTED]
        now = datetime.now(UTC)
        kept = [QuarantinedRow(batch_id, o.row, o.source_record_id, o.errors,
                               _kept(data.get(o.row)), now) for o in rejected]  # fmt: skip
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
                                              rows=kept)  # fmt: skip
            await batch_store.add_batch_counts(session, batch_id=batch_id, counts=counts)
            await session.commit()


def _event_ids(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs from one read of the OS's randomness: `uuid4()` reads it
    once per UUID, a system call that costs more than building the event."""
    randomness = os.urandom(16 * count)
    return [uuid.UUID(bytes=randomness[n : n + 16], version=4) for n in range(0, 16 * count, 16)]


def _kept(data: object) -> object:
    """What of a rejected row is kept for its partner: the row as sent, blank cells left out."""
    if isinstance(data, dict):
        data = {key: value for key, value in data.items() if value not in ("", None)}
    try:
        size = len(json.dumps(data))
    except (TypeError, ValueError):
        return None
    return data if size <= MAX_KEPT_ROW_BYTES else None


def _log_fields(batch: Batch) -> dict[str, Any]:
    counts = batch.counts
    return {"batch_id": str(batch.batch_id), "feed_id": batch.feed_id,
            "partner_id": batch.partner_id, "way_in": batch.way_in.value,
            "status": batch.status.value, "received": counts.received,
            "accepted": counts.accepted, "updated": counts.updated,
            "unchanged": counts.unchanged, "withdrawn": counts.withdrawn,
            "rejected": counts.rejected}  # fmt: skip
