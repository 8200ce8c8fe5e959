"""Storage of batches and what became of their rows: counts, row errors, the records' last
versions. They never commit: the caller does. (Quarantine and feed health: `quarantine_store`.)

Every function takes the session first and the rest as keyword-only arguments.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import RowMapping
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.domain.changes import RecordState, RowDecision
from lateral_ingest_gateway.domain.model import Batch, BatchCounts, BatchStatus, WayIn
from lateral_ingest_gateway.domain.validation import RowError

from .tables import batch_row_errors, batches, feed_records

_COUNTS = ("accepted", "updated", "unchanged", "withdrawn", "rejected")
MAX_FIELD, MAX_PROBLEM = 100, 500


def aware(value: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _batch(row: RowMapping) -> Batch:
    counts = BatchCounts(row["record_count"], *(row[name] for name in _COUNTS))
    finished = row["finished_at"]
    return Batch(
        batch_id=uuid.UUID(row["batch_id"]), feed_id=row["feed_id"], partner_id=row["partner_id"],
        way_in=WayIn(row["way_in"]), received_at=aware(row["received_at"]),
        status=BatchStatus(row["status"]), counts=counts, file_error=row["file_error"],
        finished_at=aware(finished) if finished is not None else None,
    )  # fmt: skip


async def create_batch(session: AsyncSession, *, batch: Batch) -> Batch:
    await session.execute(
        batches.insert().values(
            batch_id=str(batch.batch_id), feed_id=batch.feed_id, partner_id=batch.partner_id,
            way_in=batch.way_in.value, received_at=batch.received_at, status=batch.status.value,
            record_count=batch.counts.received, file_error=batch.file_error,
            finished_at=batch.finished_at, progress_at=datetime.now(UTC),
            **{name: getattr(batch.counts, name) for name in _COUNTS},
        )
    )  # fmt: skip
    return batch


async def add_batch_counts(
    session: AsyncSession, *, batch_id: uuid.UUID, counts: BatchCounts
) -> None:
    """Add a chunk's counts to the batch's (in the transaction that records the chunk)."""
    values: dict[str, Any] = {"record_count": batches.c.record_count + counts.received,
                              "progress_at": datetime.now(UTC)}  # fmt: skip
    values |= {name: batches.c[name] + getattr(counts, name) for name in _COUNTS}
    await session.execute(
        batches.update().where(batches.c.batch_id == str(batch_id)).values(**values)
    )


async def finish_batch(
    session: AsyncSession,
    *,
    batch_id: uuid.UUID,
    status: BatchStatus,
    finished_at: datetime,
    file_error: str | None = None,
) -> None:
    query = batches.update().where(batches.c.batch_id == str(batch_id))
    values = {"status": status.value, "finished_at": finished_at, "file_error": file_error}
    await session.execute(query.values(**values))


async def fail_stalled(
    session: AsyncSession, *, stalled_before: datetime, reason: str, now: datetime
) -> int:
    """Mark failed, with `reason`, the batches still processing that have made no progress
    since `stalled_before` (their gateway stopped part-way); how many there were."""
    c = batches.c
    last_progress = sa.func.coalesce(c.progress_at, c.received_at)
    query = (
        batches.update()
        .where(c.status == BatchStatus.PROCESSING.value, last_progress < stalled_before)
        .values(status=BatchStatus.FAILED.value, file_error=reason, finished_at=now)
    )
    return int(getattr(await session.execute(query), "rowcount", 0) or 0)


async def get_batch(session: AsyncSession, *, batch_id: uuid.UUID) -> Batch | None:
    query = batches.select().where(batches.c.batch_id == str(batch_id))
    row = (await session.execute(query)).mappings().first()
    return _batch(row) if row else None


async def list_batches(session: AsyncSession, *, feed_id: str, limit: int = 50) -> list[Batch]:
    """The feed's most recent batches, newest first."""
    query = (
        batches.select()
        .where(batches.c.feed_id == feed_id)
        .order_by(batches.c.received_at.desc())
        .limit(limit)
    )
    return [_batch(row) for row in (await session.execute(query)).mappings()]


async def batches_page(
    session: AsyncSession, *, feed_id: str, offset: int, limit: int
) -> tuple[list[Batch], int]:
    """One page of the feed's batches, newest first, and how many there are in all."""
    where = batches.c.feed_id == feed_id
    total = (await session.execute(sa.select(sa.func.count()).where(where))).scalar_one()
    query = (
        batches.select()
        .where(where)
        .order_by(batches.c.received_at.desc(), batches.c.batch_id)
        .offset(offset)
        .limit(limit)
    )
    return [_batch(row) for row in (await session.execute(query)).mappings()], int(total)


async def add_row_errors(
    session: AsyncSession, *, batch_id: uuid.UUID, errors: Sequence[RowError]
) -> None:
    if errors:
        await session.execute(batch_row_errors.insert(), [
            {"batch_id": str(batch_id), "row": e.row, "field": e.field[:MAX_FIELD],
             "problem": e.problem[:MAX_PROBLEM]} for e in errors
        ])  # fmt: skip


async def row_errors(
    session: AsyncSession, *, batch_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[RowError], int]:
    """One page of the batch's row errors, in row order, and how many there are in all."""
    where = batch_row_errors.c.batch_id == str(batch_id)
    total = (await session.execute(sa.select(sa.func.count()).where(where))).scalar_one()
    query = (
        sa.select(batch_row_errors.c.row, batch_row_errors.c.field, batch_row_errors.c.problem)
        .where(where)
        .order_by(batch_row_errors.c.row, batch_row_errors.c.error_id)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [RowError(row, field, problem) for row, field, problem in rows], int(total)


async def record_states(
    session: AsyncSession, *, feed_id: str, source_record_ids: Collection[str]
) -> dict[str, RecordState]:
    """The last versions the gateway holds of these records of the feed."""
    if not source_record_ids:
        return {}
    batch_ids: dict[str, uuid.UUID] = {}  # most rows name the same few batches
    return {
        sid: RecordState(content_hash, bool(withdrawn),
                         batch_ids.get(batch_id) or batch_ids.setdefault(batch_id,
                                                                         uuid.UUID(batch_id)),
                         row)
        for sid, content_hash, withdrawn, batch_id, row in await _state_rows(
            session, feed_id, source_record_ids
        )
    }  # fmt: skip


async def _state_rows(
    session: AsyncSession, feed_id: str, source_record_ids: Collection[str]
) -> Sequence[Any]:
    if session.get_bind().dialect.name == "sqlite":
        # The IDs as one JSON parameter: binding a chunk's 1,000 of them one by one through
        # SQLAlchemy cost the event loop more than the query.
        connection = await session.connection()
        ids = json.dumps(list(source_record_ids))
        return (await connection.exec_driver_sql(_RECORD_STATES_SQLITE, (feed_id, ids))).all()
    c = feed_records.c
    columns = (c.source_record_id, c.content_hash, c.withdrawn, c.last_batch_id, c.last_row)
    query = sa.select(*columns).where(
        c.feed_id == feed_id, c.source_record_id.in_(list(source_record_ids))
    )
    return (await session.execute(query)).all()


_RECORD_STATES_SQLITE = (
    "SELECT source_record_id, content_hash, withdrawn, last_batch_id, last_row "
    "FROM feed_records WHERE feed_id = ? AND source_record_id IN (SELECT value FROM json_each(?))"
)


async def save_record_states(
    session: AsyncSession, *, feed_id: str, batch_id: uuid.UUID, decisions: Sequence[RowDecision]
) -> None:
    """Remember the version each taken row leaves the feed with (insert or replace)."""
    if not decisions:
        return
    now, dialect = datetime.now(UTC), session.get_bind().dialect
    if dialect.name == "sqlite":
        await _save_record_states_sqlite(session, feed_id, str(batch_id), decisions, now)
        return
    values = [_state_values(feed_id, batch_id, d, now) for d in decisions]
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    statement = insert(feed_records)
    changing = [c.name for c in feed_records.c if c.name not in ("feed_id", "source_record_id")]
    statement = statement.on_conflict_do_update(
        index_elements=["feed_id", "source_record_id"],
        set_={name: statement.excluded[name] for name in changing},
    )
    await session.execute(statement, values)


def _state_values(
    feed_id: str, batch_id: uuid.UUID, decision: RowDecision, now: datetime
) -> dict[str, Any]:
    coverage = decision.coverage
    return {
        "feed_id": feed_id, "source_record_id": decision.outcome.source_record_id,
        "content_hash": decision.content_hash, "withdrawn": decision.withdrawn,
        "last_batch_id": str(batch_id), "last_row": decision.outcome.row,
        "has_person": coverage.has_person, "has_nhs_number": coverage.has_nhs_number,
        "has_full_dob": coverage.has_full_dob, "has_address": coverage.has_address,
        "has_uprn": coverage.has_uprn, "updated_at": now,
    }  # fmt: skip


# In the order `_save_record_states_sqlite` writes each row's values.
_STATE_COLUMNS = ("feed_id", "source_record_id", "content_hash", "withdrawn", "last_batch_id",
                  "last_row", "has_person", "has_nhs_number", "has_full_dob", "has_address",
                  "has_uprn", "updated_at")  # fmt: skip
_UPSERT_STATES_SQLITE = (
    f"INSERT INTO feed_records ({', '.join(_STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _STATE_COLUMNS)}) "
    "ON CONFLICT (feed_id, source_record_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _STATE_COLUMNS[2:])
)


async def _save_record_states_sqlite(
    session: AsyncSession, feed_id: str, batch_id: str, decisions: Sequence[RowDecision],
    now: datetime,
) -> None:  # fmt: skip
    """The same upsert as plain rows for the driver: SQLAlchemy's per-row, per-column binding
    of a 1,000-row chunk cost the event loop more than the rest of recording it."""
    connection = await session.connection()
    updated_at = feed_records.c.updated_at.type.dialect_impl(connection.dialect)
    written = updated_at.bind_processor(connection.dialect)  # as SQLAlchemy writes it
    stamp = written(now) if written is not None else now
    rows = [
        (feed_id, d.outcome.source_record_id, d.content_hash, d.withdrawn, batch_id,
         d.outcome.row, d.coverage.has_person, d.coverage.has_nhs_number,
         d.coverage.has_full_dob, d.coverage.has_address, d.coverage.has_uprn, stamp)
        for d in decisions
    ]  # fmt: skip
    await connection.exec_driver_sql(_UPSERT_STATES_SQLITE, rows)
