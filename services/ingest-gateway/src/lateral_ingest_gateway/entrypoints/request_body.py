"""Reading a partner's request body: the size limit, the JSON batch's outer shape, and the CSV
file inside a multipart upload, streamed piece by piece.

Problems with the body as a whole are `FileProblem`s (422); a body over its limit is `TooLarge`
(413). Neither ever repeats a value from the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, cast

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from lateral_ingest_gateway.domain.csv_reader import FileProblem

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

_FIELD_NAME = re.compile(r"^[a-z_]{1,40}$")  # anything else may be data, so it is not echoed
FILE_FIELD = "file"


class TooLarge(Exception):
    """The body is bigger than `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit


async def read_body(request: Request, *, limit: int) -> bytes:
    """The whole body (JSON batches are small), refused as soon as it is known to pass `limit`."""
    _check_declared_length(request, limit)
    body = bytearray()
    async for piece in request.stream():
        body.extend(piece)
        if len(body) > limit:
            raise TooLarge(limit)
    return bytes(body)


def parse_records(body: bytes, *, max_records: int) -> list[object]:
    """The `records` list of a JSON batch, each record still unchecked."""
    try:
        data = json.loads(body)
    except ValueError:  # also not UTF-8
        raise FileProblem("body", "is not valid JSON; send a JSON object like "
                          '{"records": [...]}') from None  # fmt: skip
    if not isinstance(data, dict):
        raise FileProblem("body", 'must be a JSON object like {"records": [...]}')
    unknown = [name if _FIELD_NAME.match(name) else "(a field whose name is not shown)"
               for name in data if name != "records"]  # fmt: skip
    if unknown:
        raise FileProblem(unknown[0], "is not part of a batch, which has only 'records'; "
                          "remove it")  # fmt: skip
    records = data.get("records")
    if not isinstance(records, list):
        raise FileProblem("records", "is required and must be a list of records")
    if not records:
        raise FileProblem("records", "is empty; send at least one record")
    if len(records) > max_records:
        raise FileProblem("records", f"has more than {max_records} records; split the batch "
                          "into smaller ones")  # fmt: skip
    return records


async def uploaded_file(request: Request, *, limit: int) -> AsyncIterator[bytes]:
    """The bytes of the uploaded CSV file as they arrive: the `file` field of a multipart form,
    or the whole body when it is sent as `text/csv`."""
    _check_declared_length(request, limit)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type == b"text/csv":
        async for piece in _limited(request, limit):
            yield piece
        return
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        problem = (f"send the CSV file as multipart/form-data with the file in the field "
                   f"'{FILE_FIELD}' (or as the whole body, type text/csv)")  # fmt: skip
        raise FileProblem("file", problem)
    part = _FilePart()
    parser = MultipartParser(boundary, cast("MultipartCallbacks", part.callbacks()))
    try:
        async for piece in _limited(request, limit):
            parser.write(piece)
            for data in part.take():
                yield data
        parser.finalize()
    except MultipartParseError:
        raise FileProblem("file", "the upload is not a well-formed multipart/form-data body; "
                          "send it again") from None  # fmt: skip
    for data in part.take():
        yield data
    if not part.found:
        raise FileProblem("file", f"the upload has no field '{FILE_FIELD}'; send the CSV file "
                          "in a form field of that name")  # fmt: skip


async def _limited(request: Request, limit: int) -> AsyncIterator[bytes]:
    received = 0
    async for piece in request.stream():
        received += len(piece)
        if received > limit:
            raise TooLarge(limit)
        yield piece


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)


class _FilePart:
    """Collects, as the parser finds them, the bytes of the first form field named `file`."""

    def __init__(self) -> None:
        self.found = False
        self._pieces: list[bytes] = []
        self._in_file = False
        self._header = b""
        self._disposition = b""
        self._name = b""

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._field(data[start:end]),
            "on_header_value": lambda data, start, end: self._value(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def take(self) -> list[bytes]:
        pieces, self._pieces = self._pieces, []
        return pieces

    def _begin(self) -> None:
        self._disposition, self._header, self._name = b"", b"", b""

    def _field(self, data: bytes) -> None:
        self._name += data

    def _value(self, data: bytes) -> None:
        self._header += data

    def _header_end(self) -> None:
        if self._name.lower() == b"content-disposition":
            self._disposition = self._header
        self._header, self._name = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._disposition)
        self._in_file = not self.found and params.get(b"name") == FILE_FIELD.encode()
        self.found = self.found or self._in_file

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pieces.append(bytes(data[start:end]))

    def _end(self) -> None:
        self._in_file = False
