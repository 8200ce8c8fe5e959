"""The partner API: the ways in for records (a JSON batch, a CSV upload) and the reports on them.

Order of checks: token (401, or 403 without the scope), feed (404, or 403 if it is another
partner's), size (413), then the body. A problem with the body or file as a whole rejects it
(422, nothing taken); otherwise every row is checked on its own, good rows are taken and the
others quarantined. Every request that gets past the size check is recorded as a batch.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations at run time.
import asyncio
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Awaitable
from datetime import UTC, datetime
from typing import IO, Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.domain.csv_reader import FileProblem
from lateral_ingest_gateway.domain.model import Batch, BatchStatus, WayIn
from lateral_ingest_gateway.metrics import BYTES_RECEIVED
from lateral_ingest_gateway.service_layer.csv_files import file_pieces, ingest_csv
from lateral_ingest_gateway.service_layer.ingest import IngestDeps, PublishFailed, ingest, reject
from lateral_ingest_gateway.service_layer.preparing import (
    PreparedChunk,
    RawRow,
    prepare_records,
)
from lateral_shared.contracts import AgencyKind

from .deps import PartnerResources
from .partner_auth import SCOPE_PUSH, PartnerAuth, PartnerPrincipal
from .reports import add_report_routes
from .request_body import TooLarge, parse_records, read_body, uploaded_file
from .schemas import BatchRead

T = TypeVar("T")
FIRST_ERRORS = 100  # row errors listed in the answer to a push; the rest: GET /v1/batches/{id}
PUSH_RESPONSES: dict[int | str, dict[str, object]] = {
    202: {"model": BatchRead}, 401: {}, 403: {}, 404: {}, 413: {}, 422: {}, 503: {},
}  # fmt: skip


def build_router(*, deps: IngestDeps, settings: GatewaySettings) -> APIRouter:
    """The partner API's routes, bound to the gateway's store, publisher and workers."""
    router = APIRouter(prefix="/v1", tags=["partner feeds"])
    sessions = deps.sessions
    auth = PartnerAuth(sessions=sessions, settings=settings)
    resources = PartnerResources(sessions)
    Pusher = Annotated[PartnerPrincipal, Depends(auth.require(SCOPE_PUSH))]

    @router.post("/feeds/{feed_id}/records", status_code=202, responses=PUSH_RESPONSES)
    async def post_records(feed_id: str, request: Request, partner: Pusher) -> JSONResponse:
        """Send a batch of up to `max_records` records: `{"records": [record, ...]}`.

        Each record is a `PartnerRecord` of the feed's agency kind, or `{"action": "withdraw",
        "source_record_id": "..."}`. Processed within the request. 202: the batch ID and its
        counts, with the first row errors (rejected rows are in the feed's quarantine). 422: the
        body as a whole is wrong, or no row in it could be taken. 503: the event bus is down;
        send the same batch again later (records that got through count as unchanged).
        """
        feed = await resources.feed(feed_id, partner)
        received_at = datetime.now(UTC)
        body = await _or_413(read_body(request, limit=settings.max_request_bytes))
        BYTES_RECEIVED.labels(WayIn.API.value).inc(len(body))
        try:
            records = parse_records(body, max_records=settings.max_records)
        except FileProblem as problem:
            batch = await reject(deps, feed=feed, way_in=WayIn.API, problem=problem,
                                 received_at=received_at)  # fmt: skip
            return await _answer(sessions, batch, problem)
        chunks = _json_chunks(records, settings.chunk_rows, feed.agency_kind, received_at)
        return await _unless_unavailable(sessions, ingest(
            deps, feed=feed, way_in=WayIn.API, chunks=chunks, received_at=received_at,
        ))  # fmt: skip

    @router.post("/feeds/{feed_id}/files", status_code=202, responses=PUSH_RESPONSES)
    async def post_file(feed_id: str, request: Request, partner: Pusher) -> JSONResponse:
        """Upload a CSV file (up to `max_upload_bytes`) in the form field `file` of a
        multipart/form-data body, or as the whole body with `Content-Type: text/csv`.

        The file is streamed: checked as a whole as it arrives (a temporary copy is kept on disk,
        never in memory), then processed row by row within the request. The answer is as for a
        JSON batch: 202 with the batch ID and counts, 422 when the file is rejected as a whole
        (`file_error`) or no row could be taken, 413 when it is too big, 503 when the bus is down.
        """
        feed = await resources.feed(feed_id, partner)
        with tempfile.TemporaryFile(dir=settings.upload_spool_dir) as spool:
            arriving = _spooled(uploaded_file(request, limit=settings.max_upload_bytes), spool)
            return await _or_413(_unless_unavailable(sessions, ingest_csv(
                deps, feed=feed, way_in=WayIn.UPLOAD, arriving=arriving,
                again=lambda: file_pieces(spool),
            )))  # fmt: skip

    add_report_routes(router, auth=auth, sessions=sessions, resources=resources)
    return router


async def _json_chunks(
    records: list[object], size: int, kind: AgencyKind, received_at: datetime
) -> AsyncIterator[Awaitable[PreparedChunk]]:
    """The batch's records in chunks, each prepared in a thread (a JSON batch is small)."""
    for start in range(0, len(records), size):
        rows = [RawRow(start + n, raw) for n, raw in enumerate(records[start : start + size], 1)]
        yield asyncio.ensure_future(
            asyncio.to_thread(prepare_records, rows, kind, received_at.date())
        )


async def _spooled(pieces: AsyncIterable[bytes], spool: IO[bytes]) -> AsyncIterator[bytes]:
    """The upload's pieces, each also written to the spool file for the second pass."""
    async for piece in pieces:
        spool.write(piece)
        BYTES_RECEIVED.labels(WayIn.UPLOAD.value).inc(len(piece))
        yield piece


async def _or_413(work: Awaitable[T]) -> T:
    try:
        return await work
    except TooLarge as exc:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The request body is larger than {exc.limit} bytes; split it into smaller ones.",
        ) from None


async def _unless_unavailable(
    sessions: async_sessionmaker[AsyncSession], work: Awaitable[Batch]
) -> JSONResponse:
    try:
        batch = await work
    except PublishFailed as failed:
        return JSONResponse(
            {"detail": "The event bus is unavailable, so the batch was not completed. Send the "
             "same batch again later.", "batch_id": str(failed.batch_id)},
            status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "30"},
        )  # fmt: skip
    return await _answer(sessions, batch)


async def _answer(
    sessions: async_sessionmaker[AsyncSession], batch: Batch, problem: FileProblem | None = None
) -> JSONResponse:
    """202 with the batch, or 422 when nothing in it was taken (with what was wrong)."""
    async with sessions() as session:
        errors, total = await batch_store.row_errors(
            session, batch_id=batch.batch_id, offset=0, limit=FIRST_ERRORS
        )
    body = BatchRead.of(batch, errors, total, 1, FIRST_ERRORS).model_dump(mode="json")
    if batch.status is BatchStatus.COMPLETED and batch.counts.taken > 0:
        return JSONResponse(body, status.HTTP_202_ACCEPTED)
    if batch.file_error is not None:
        field = problem.field if problem is not None else "file"
        body["detail"] = [{"field": field, "problem": batch.file_error}]
        body["message"] = "Nothing was taken. Correct the problem and send it all again."
    else:
        body["detail"] = body["errors"]
        body["message"] = ("No row could be taken; every row is in quarantine. Correct the rows "
                           "listed and send them again.")  # fmt: skip
    return JSONResponse(body, status.HTTP_422_UNPROCESSABLE_CONTENT)
