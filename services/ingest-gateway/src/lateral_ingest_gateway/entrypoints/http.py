"""The partner API: `POST /v1/feeds/{feed_id}/records` and `GET /v1/batches/{batch_id}`.

Authentication is a bearer token per partner (its sha256 is looked up; the token is never
stored). The order of checks: token (401), feed (404, or 403 if it is another partner's), size
(413), shape and batch rules (422). Nothing is published unless every check passes.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at run time.
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.domain.batches import check_batch
from lateral_ingest_gateway.domain.model import Batch, Feed
from lateral_ingest_gateway.service_layer.ingest import PublishFailed, accept_batch
from lateral_shared.bus import EventPublisher

from .partner_auth import SCOPE_PUSH, SCOPE_READ, PartnerAuth, PartnerPrincipal
from .validation import RequestRejected, parse_records, problems_body, read_body

BATCHES = Counter(
    "lateral_ingest_batches_total", "Batches POSTed by partners, by outcome.", ["outcome"]
)
RECORDS_ACCEPTED = Counter("lateral_ingest_records_accepted_total", "Records put on the bus.")


class BatchAccepted(BaseModel):
    batch_id: uuid.UUID
    feed_id: str
    received: int


class BatchRead(BaseModel):
    batch_id: uuid.UUID
    feed_id: str
    status: str
    received_at: datetime
    received: int
    published: int


def build_router(
    *,
    sessions: async_sessionmaker[AsyncSession],
    publisher: EventPublisher,
    settings: GatewaySettings,
) -> APIRouter:
    """The partner API's routes, bound to the gateway's store and publisher."""
    router = APIRouter(prefix="/v1", tags=["partner feeds"])

    auth = PartnerAuth(sessions=sessions, settings=settings)
    Pusher = Annotated[PartnerPrincipal, Depends(auth.require(SCOPE_PUSH))]
    Reader = Annotated[PartnerPrincipal, Depends(auth.require(SCOPE_READ))]

    async def owned_feed(feed_id: str, partner: PartnerPrincipal) -> Feed:
        async with sessions() as session:
            feed = await repository.get_feed(session, feed_id=feed_id)
        if feed is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such feed; check the feed "
                                "ID the Lateral administrators gave you.")  # fmt: skip
        if feed.partner_id != partner.partner_id:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This feed belongs to another partner; "
                                "send records only to your own feeds.")  # fmt: skip
        return feed

    @router.post(
        "/feeds/{feed_id}/records",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=BatchAccepted,
        responses={401: {}, 403: {}, 404: {}, 413: {}, 422: {}, 503: {}},
    )
    async def post_records(feed_id: str, request: Request, partner: Pusher) -> object:
        """Send a batch of 1 to `max_records` records (`{"records": [PartnerRecord, ...]}`)."""
        feed = await owned_feed(feed_id, partner)
        try:
            body = await read_body(request, limit=settings.max_request_bytes)
            records = parse_records(body, max_records=settings.max_records)
            problems = check_batch(records, agency_kind=feed.agency_kind)
            if problems:
                raise RequestRejected(problems)
        except RequestRejected as rejected:
            BATCHES.labels("rejected").inc()
            return JSONResponse(
                problems_body(rejected.problems), status.HTTP_422_UNPROCESSABLE_CONTENT
            )
        try:
            batch = await accept_batch(sessions, publisher, feed=feed, records=records)
        except PublishFailed as failed:
            BATCHES.labels("failed").inc()
            return JSONResponse(
                {"detail": "The event bus is unavailable, so the batch was not accepted. "
                 "Send the same batch again later.", "batch_id": str(failed.batch_id)},
                status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "30"},
            )  # fmt: skip
        BATCHES.labels("accepted").inc()
        RECORDS_ACCEPTED.inc(batch.record_count)
        return BatchAccepted(batch_id=batch.batch_id, feed_id=feed.feed_id,
                             received=batch.record_count)  # fmt: skip

    @router.get("/batches/{batch_id}", response_model=BatchRead, responses={401: {}, 404: {}})
    async def get_batch(batch_id: str, partner: Reader) -> BatchRead:
        """The status and counts of one of your batches."""
        batch = await _owned_batch(sessions, batch_id, partner)
        return BatchRead(batch_id=batch.batch_id, feed_id=batch.feed_id, status=batch.status.value,
                         received_at=batch.received_at, received=batch.record_count,
                         published=batch.published_count)  # fmt: skip

    return router


async def _owned_batch(
    sessions: async_sessionmaker[AsyncSession], batch_id: str, partner: PartnerPrincipal
) -> Batch:
    """The partner's batch; another partner's batch is "not found", so IDs reveal nothing."""
    try:
        parsed = uuid.UUID(batch_id)
    except ValueError:
        parsed = None
    batch = None
    if parsed is not None:
        async with sessions() as session:
            batch = await repository.get_batch(session, batch_id=parsed)
    if batch is None or batch.partner_id != partner.partner_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "You have no batch with this ID.")
    return batch
