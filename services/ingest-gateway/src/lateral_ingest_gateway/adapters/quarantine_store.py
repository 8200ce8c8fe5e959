"""Storage of quarantined rows, and the figures behind a feed's health. Never commits.

A rejected row stays in quarantine until a row with its `source_record_id` is taken in a later
batch of the feed; a newer rejection of the same ID replaces the older one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.domain.validation import RowError

from .batch_store import MAX_FIELD, MAX_PROBLEM, aware
from .tables import batches, feed_records, quarantined_rows


@dataclass(frozen=True)
class QuarantinedRow:
    """A rejected row: where it was, its errors, and (for its partner only) the row as sent."""

    batch_id: uuid.UUID
    row: int
    source_record_id: str | None
    errors: tuple[RowError, ...]
    data: Any
    quarantined_at: datetime


@dataclass(frozen=True)
class CoverageFigures:
    """Counts over a feed's current (not withdrawn) records."""

    records: int
    person_records: int
    with_nhs_number: int
    with_full_dob: int
    address_records: int
    with_uprn: int


async def quarantine(
    session: AsyncSession, *, feed_id: str, batch_id: uuid.UUID, rows: Sequence[QuarantinedRow]
) -> None:
    """Keep rejected rows, replacing older rejections of the same IDs from earlier batches."""
    if not rows:
        return
    q = quarantined_rows.c
    ids = {row.source_record_id for row in rows if row.source_record_id is not None}
    if ids:
        await session.execute(quarantined_rows.delete().where(
            q.feed_id == feed_id, q.batch_id != str(batch_id), q.source_record_id.in_(ids)
        ))  # fmt: skip
    await session.execute(quarantined_rows.insert(), [
        {"feed_id": feed_id, "batch_id": str(batch_id), "row": row.row,
         "source_record_id": row.source_record_id, "data": row.data,
         "errors": [{"field": e.field[:MAX_FIELD], "problem": e.problem[:MAX_PROBLEM]}
                    for e in row.errors],
         "quarantined_at": row.quarantined_at} for row in rows
    ])  # fmt: skip


async def release(
    session: AsyncSession, *, feed_id: str, batch_id: uuid.UUID, source_record_ids: Collection[str]
) -> None:
    """Take out of quarantine the earlier rejections of records this batch has now sent well."""
    q = quarantined_rows.c
    waiting = sa.select(q.quarantine_id).where(q.feed_id == feed_id, q.batch_id != str(batch_id))
    # Most feeds have nothing in quarantine: one cheap look saves a delete naming every ID.
    if source_record_ids and (await session.execute(waiting.limit(1))).first() is not None:
        await session.execute(quarantined_rows.delete().where(
            q.feed_id == feed_id, q.batch_id != str(batch_id),
            q.source_record_id.in_(list(source_record_ids)),
        ))  # fmt: skip


async def rows_in_batch(
    session: AsyncSession, *, batch_id: uuid.UUID, source_record_ids: Collection[str]
) -> dict[str, int]:
    """Which of these IDs the batch already quarantined, and at which row (first)."""
    q = quarantined_rows.c
    any_kept = sa.select(q.quarantine_id).where(q.batch_id == str(batch_id)).limit(1)
    # Most batches quarantine nothing: one cheap look saves a query naming every ID.
    if not source_record_ids or (await session.execute(any_kept)).first() is None:
        return {}
    query = (
        sa.select(q.source_record_id, sa.func.min(q.row))
        .where(q.batch_id == str(batch_id), q.source_record_id.in_(list(source_record_ids)))
        .group_by(q.source_record_id)
    )
    return {sid: int(row) for sid, row in (await session.execute(query)).all()}


async def quarantined(
    session: AsyncSession, *, feed_id: str, offset: int, limit: int
) -> tuple[list[QuarantinedRow], int]:
    """One page of the feed's quarantined rows, oldest first, and how many there are."""
    q = quarantined_rows.c
    total = (
        await session.execute(sa.select(sa.func.count()).where(q.feed_id == feed_id))
    ).scalar_one()
    query = (
        quarantined_rows.select()
        .where(q.feed_id == feed_id)
        .order_by(q.quarantine_id)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        QuarantinedRow(
            uuid.UUID(r["batch_id"]), r["row"], r["source_record_id"],
            tuple(RowError(r["row"], e["field"], e["problem"]) for e in r["errors"]),
            r["data"], aware(r["quarantined_at"]),
        )
        for r in (await session.execute(query)).mappings()
    ]  # fmt: skip
    return rows, int(total)


async def coverage(session: AsyncSession, *, feed_id: str) -> CoverageFigures:
    c = feed_records.c

    def counted(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    query = sa.select(
        sa.func.count(), counted(c.has_person), counted(c.has_person & c.has_nhs_number),
        counted(c.has_person & c.has_full_dob), counted(c.has_address),
        counted(c.has_address & c.has_uprn),
    ).where(c.feed_id == feed_id, c.withdrawn.is_(False))  # fmt: skip
    return CoverageFigures(*(int(v) for v in (await session.execute(query)).one()))


async def last_batch_id(session: AsyncSession, *, feed_id: str) -> uuid.UUID | None:
    query = (
        sa.select(batches.c.batch_id)
        .where(batches.c.feed_id == feed_id)
        .order_by(batches.c.received_at.desc())
        .limit(1)
    )
    found = (await session.execute(query)).scalar_one_or_none()
    return uuid.UUID(found) if found else None
