"""What a partner can read about its own feeds: a batch with its row errors, the feed's
quarantine, and the feed's health. All need the `batches:read` scope."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at run time.
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store, quarantine_store

from .deps import PartnerResources
from .partner_auth import SCOPE_READ, PartnerAuth, PartnerPrincipal
from .schemas import (
    BatchPage,
    BatchRead,
    BatchSummaryRead,
    Coverage,
    FeedHealth,
    LastBatch,
    QuarantinedRowRead,
    QuarantinePage,
)

Page = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PageSize = Annotated[int, Query(ge=1, le=1000, description="Items per page (at most 1,000).")]


def add_report_routes(
    router: APIRouter,
    *,
    auth: PartnerAuth,
    sessions: async_sessionmaker[AsyncSession],
    resources: PartnerResources,
) -> None:
    """Add `GET /batches/{id}`, `/feeds/{id}/batches`, `/feeds/{id}/quarantine` and
    `/feeds/{id}/health` to `router`."""
    Reader = Annotated[PartnerPrincipal, Depends(auth.require(SCOPE_READ))]

    @router.get("/batches/{batch_id}", responses={401: {}, 403: {}, 404: {}})
    async def get_batch(
        batch_id: str, partner: Reader, page: Page = 1, page_size: PageSize = 100
    ) -> BatchRead:
        """One of your batches: its status, counts and a page of its row errors (in row order)."""
        batch = await resources.batch(batch_id, partner)
        async with sessions() as session:
            errors, total = await batch_store.row_errors(
                session, batch_id=batch.batch_id, offset=(page - 1) * page_size, limit=page_size
            )
        return BatchRead.of(batch, errors, total, page, page_size)

    @router.get("/feeds/{feed_id}/batches", responses={401: {}, 403: {}, 404: {}})
    async def list_batches(
        feed_id: str, partner: Reader, page: Page = 1, page_size: PageSize = 50
    ) -> BatchPage:
        """Your feed's batches, newest first, with their status and counts (the row errors of
        each: `GET /v1/batches/{id}`)."""
        feed = await resources.feed(feed_id, partner)
        async with sessions() as session:
            found, total = await batch_store.batches_page(
                session, feed_id=feed.feed_id, offset=(page - 1) * page_size, limit=page_size
            )
        return BatchPage(feed_id=feed.feed_id, total=total, page=page, page_size=page_size,
                         batches=[BatchSummaryRead.of(batch) for batch in found])  # fmt: skip

    @router.get("/feeds/{feed_id}/quarantine", responses={401: {}, 403: {}, 404: {}})
    async def get_quarantine(
        feed_id: str,
        partner: Reader,
        page: Page = 1,
        page_size: PageSize = 100,
        include_data: bool = False,
    ) -> QuarantinePage:
        """Your feed's rejected rows with their errors, oldest first. A row leaves quarantine when
        a row with its `source_record_id` is taken in a later batch. `include_data=true` adds
        each row as you sent it, to correct and send again."""
        feed = await resources.feed(feed_id, partner)
        async with sessions() as session:
            rows, total = await quarantine_store.quarantined(
                session, feed_id=feed.feed_id, offset=(page - 1) * page_size, limit=page_size
            )
        listed = [QuarantinedRowRead.of(row, include_data=include_data) for row in rows]
        return QuarantinePage(feed_id=feed.feed_id, total=total, page=page, page_size=page_size,
                              rows=listed)  # fmt: skip

    @router.get("/feeds/{feed_id}/health", responses={401: {}, 403: {}, 404: {}})
    async def get_health(feed_id: str, partner: Reader) -> FeedHealth:
        """When your feed last sent a batch, how it went, and how many of its records carry an
        NHS number, a full date of birth and a UPRN."""
        feed = await resources.feed(feed_id, partner)
        async with sessions() as session:
            last_id = await quarantine_store.last_batch_id(session, feed_id=feed.feed_id)
            last = await batch_store.get_batch(session, batch_id=last_id) if last_id else None
            figures = await quarantine_store.coverage(session, feed_id=feed.feed_id)
        last_batch = None
        if last is not None:
            rows, rejected = last.counts.received, last.counts.rejected
            last_batch = LastBatch(
                batch_id=last.batch_id, received_at=last.received_at, way_in=last.way_in.value,
                status=last.status.value, rows=rows, rejected=rejected,
                rejection_rate=round(rejected / rows, 4) if rows else None,
            )  # fmt: skip
        return FeedHealth(feed_id=feed.feed_id, agency_kind=feed.agency_kind.value,
                          last_batch=last_batch, coverage=Coverage.of(figures))  # fmt: skip
