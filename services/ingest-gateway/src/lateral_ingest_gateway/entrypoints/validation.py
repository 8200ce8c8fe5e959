"""Reading a partner's request body: size limit, JSON shape, and errors that never echo values."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lateral_ingest_gateway.domain.batches import FieldProblem
from lateral_shared.contracts import PartnerRecord

MAX_LISTED_PROBLEMS = 100
_FIELD_NAME = re.compile(r"^[a-z_]{1,40}$")
# Plainer words than pydantic's for the problems partners meet most.
_PROBLEMS = {
    "extra_forbidden": "is not a field of the published schema; remove it",
}


class RecordBatch(BaseModel):
    """The body of `POST /v1/feeds/{feed_id}/records`."""

    model_config = ConfigDict(extra="forbid")

    records: list[PartnerRecord] = Field(min_length=1)


class RequestRejected(Exception):
    """The request body has problems; each names a field and what is wrong with it."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


async def read_body(request: Request, *, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to pass `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def parse_records(body: bytes, *, max_records: int) -> list[PartnerRecord]:
    """The records in a JSON body, or `RequestRejected` naming every failing field."""
    try:
        batch = RecordBatch.model_validate_json(body)
    except ValidationError as exc:
        raise RequestRejected(describe(exc)) from None
    if len(batch.records) > max_records:
        problem = f"has more than {max_records} records; split the batch into smaller ones"
        raise RequestRejected([FieldProblem("records", problem, "too_long")])
    return batch.records


def describe(exc: ValidationError) -> list[FieldProblem]:
    """Each validation error as a field path and a problem, without the input value."""
    return [
        FieldProblem(
            field_path(error["loc"]), _PROBLEMS.get(error["type"], error["msg"]), error["type"]
        )
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


def field_path(loc: Sequence[int | str]) -> str:
    """("records", 3, "event_date") → "records[3].event_date"; () → "body"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            # An unknown key is the partner's text and could be personal data: not echoed.
            name = part if _FIELD_NAME.match(part) else "(unknown field)"
            path += f".{name}" if path else name
    return path or "body"


def problems_body(problems: Sequence[FieldProblem]) -> dict[str, object]:
    """The JSON of a 422: the first problems listed, and how many there were in all."""
    listed = [
        {"field": p.field, "problem": p.problem, "type": p.type}
        for p in problems[:MAX_LISTED_PROBLEMS]
    ]
    return {
        "detail": listed,
        "error_count": len(problems),
        "message": "The batch was rejected and nothing from it was accepted. Correct the listed "
        "fields and send the whole batch again.",
    }


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"The request body is larger than {limit} bytes; split the batch into smaller ones.",
    )
