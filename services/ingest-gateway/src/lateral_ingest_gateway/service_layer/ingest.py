"""Accepting a batch: store it, publish one `RecordReceived` per record, then mark it accepted.

The batch is stored (as "publishing") before anything is published, so every event on the bus
belongs to a batch the partner can look up. If the bus refuses, the batch is marked failed and the
caller tells the partner to resend: downstream services are idempotent by record key and
content hash, so records that did get through are not duplicated by the resend.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.domain.model import Batch, BatchStatus, Feed
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_RAW, Event, PartnerRecord, RecordReceived, record_key

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    """The bus did not acknowledge the batch's records; the batch is recorded as failed."""

    def __init__(self, batch_id: uuid.UUID) -> None:
        super().__init__(f"batch {batch_id} could not be published")
        self.batch_id = batch_id


async def accept_batch(
    sessions: async_sessionmaker[AsyncSession],
    publisher: EventPublisher,
    *,
    feed: Feed,
    records: Sequence[PartnerRecord],
) -> Batch:
    """Store the batch and publish its records; raises `PublishFailed` if the bus refuses."""
    batch = Batch(uuid.uuid4(), feed.feed_id, feed.partner_id, datetime.now(UTC), len(records),
                  BatchStatus.PUBLISHING)  # fmt: skip
    async with sessions() as session:
        await repository.create_batch(session, batch=batch)
        await session.commit()
    try:
        await publisher.publish(RECORDS_RAW, _events(batch, records))
    except Exception as exc:
        log.warning("publishing a batch failed", exc_info=exc, extra=_log_fields(batch))
        await _set_status(sessions, batch, BatchStatus.FAILED)
        raise PublishFailed(batch.batch_id) from None
    await _set_status(sessions, batch, BatchStatus.ACCEPTED)
    log.info("batch accepted", extra=_log_fields(batch))
    return Batch(batch.batch_id, batch.feed_id, batch.partner_id, batch.received_at,
                 batch.record_count, BatchStatus.ACCEPTED)  # fmt: skip


def _events(batch: Batch, records: Sequence[PartnerRecord]) -> list[tuple[str, Event]]:
    """(key, event) for each record; row numbers count from 1, as a partner counts rows."""
    return [
        (
            record_key(batch.feed_id, record.source_record_id),
            RecordReceived(
                batch_id=batch.batch_id,
                partner_id=batch.partner_id,
                feed_id=batch.feed_id,
                row_number=row,
                source_record_id=record.source_record_id,
                record=record,
            ),
        )
        for row, record in enumerate(records, start=1)
    ]


async def _set_status(
    sessions: async_sessionmaker[AsyncSession], batch: Batch, status: BatchStatus
) -> None:
    async with sessions() as session:
        await repository.set_batch_status(session, batch_id=batch.batch_id, status=status)
        await session.commit()


def _log_fields(batch: Batch) -> dict[str, Any]:
    return {"batch_id": str(batch.batch_id), "feed_id": batch.feed_id,
            "partner_id": batch.partner_id, "count": batch.record_count}  # fmt: skip
