"""Processing a CSV file (an upload or a dropped file) as one batch, in two streamed passes.

The first pass reads the file as it arrives and checks it as a whole — UTF-8, the header, the
CSV structure, at least one row — keeping no rows. Only a file that passes is processed row by
row in the second pass, so a file-level problem anywhere (even on its last line) rejects the file
with one error and nothing from it taken. Both passes hold one piece of the file and one chunk of
rows at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from lateral_ingest_gateway.domain.csv_reader import CsvRow, CsvRows, FileProblem, cells_by_column
from lateral_ingest_gateway.domain.fast_rows import FastCsvRecords
from lateral_ingest_gateway.domain.model import Batch, Feed, WayIn
from lateral_ingest_gateway.domain.validation import (
    RowError,
    RowOutcome,
    check_csv_header,
    validate_csv_row,
)
from lateral_shared.contracts import AgencyKind
from lateral_shared.contracts.schema import normalise_column

from .ingest import IngestDeps, RawRow, Validate, ingest, reject

READ_BYTES = 64 * 1024  # small, because a piece's rows are all parsed at once
_IDENTIFIER = re.compile(r"^[^\s/]{1,64}$")  # as `PartnerRecord.source_record_id`


async def ingest_csv(
    deps: IngestDeps,
    *,
    feed: Feed,
    way_in: WayIn,
    arriving: AsyncIterable[bytes],
    again: Callable[[], AsyncIterable[bytes]],
) -> Batch:
    """Check the file as it arrives (`arriving`), then process it read `again` from the start."""
    received_at = datetime.now(UTC)
    try:
        header = await check_csv(arriving)
    except FileProblem as problem:
        return await reject(deps, feed=feed, way_in=way_in, problem=problem,
                            received_at=received_at)  # fmt: skip
    validate = csv_validator(header, feed.agency_kind, received_at.date())
    return await ingest(deps, feed=feed, way_in=way_in, validate=validate,
                        chunks=csv_chunks(again(), deps.chunk_rows, header),
                        received_at=received_at)  # fmt: skip


async def check_csv(pieces: AsyncIterable[bytes]) -> list[str]:
    """The file's header once the whole file is known to be sound; else `FileProblem`."""
    reader, rows, header_checked = CsvRows(), 0, False
    async for piece in pieces:
        rows += len(reader.feed(piece))
        if reader.header is not None and not header_checked:
            _check_header(reader.header)
            header_checked = True
    rows += len(reader.finish())
    assert reader.header is not None  # finish() refuses a file without one
    _check_header(reader.header)
    if rows == 0:
        raise FileProblem("file", "The file has a header but no rows; send at least one row.")
    return reader.header


def _check_header(header: list[str]) -> None:
    problems = check_csv_header(header)
    if problems:
        raise FileProblem("file", " ".join(problems))


async def csv_chunks(
    pieces: AsyncIterable[bytes], size: int, header: list[str]
) -> AsyncIterator[list[RawRow]]:
    """The file's rows in chunks of `size`, each row's cells keyed by column."""
    reader, pending = CsvRows(), []
    async for piece in pieces:
        pending += reader.feed(piece)
        while len(pending) >= size:
            yield [_raw(header, row) for row in pending[:size]]
            del pending[:size]
    pending += reader.finish()
    for start in range(0, len(pending), size):
        yield [_raw(header, row) for row in pending[start : start + size]]


def _raw(header: list[str], row: CsvRow) -> RawRow:
    cells = cells_by_column(header, row)
    if isinstance(cells, dict):
        return RawRow(row.line, cells)
    return RawRow(row.line, _Misshapen(row.cells, cells, _source_record_id(header, row.cells)))


class _Misshapen(list[str]):
    """The cells of a row with too few or too many of them, and that problem."""

    def __init__(self, cells: list[str], problem: str, source_record_id: str | None) -> None:
        super().__init__(cells)
        self.problem = problem
        self.source_record_id = source_record_id


def _source_record_id(header: list[str], cells: list[str]) -> str | None:
    """The row's ID where its column would be, if it looks like one (to release it later)."""
    columns = [normalise_column(name) for name in header]
    if "source_record_id" not in columns:
        return None
    position = columns.index("source_record_id")
    value = cells[position].strip() if position < len(cells) else ""
    return value if _IDENTIFIER.match(value) else None


def csv_validator(header: list[str], agency_kind: AgencyKind, today: date) -> Validate:
    """Checks a CSV row of a feed of `agency_kind` (rows are numbered by their line): a valid
    upsert through the fast path, anything else through the full checks."""
    fast = FastCsvRecords(header, agency_kind, today)

    def validate(raw: RawRow) -> RowOutcome:
        if isinstance(raw.data, _Misshapen):
            error = RowError(raw.row, "row", raw.data.problem)
            return RowOutcome(raw.row, raw.data.source_record_id, "upsert", None, (error,))
        assert isinstance(raw.data, dict)
        record = fast.record(raw.data)
        if record is not None:
            return RowOutcome(raw.row, record.source_record_id, "upsert", record, ())
        return validate_csv_row(raw.data, agency_kind=agency_kind, row=raw.row, today=today)

    return validate


async def file_pieces(file: BinaryIO | Path) -> AsyncIterator[bytes]:
    """A file's bytes in pieces of up to 64 KiB, read from its start."""
    handle = file.open("rb") if isinstance(file, Path) else file
    try:
        handle.seek(0)
        while piece := handle.read(READ_BYTES):
            yield piece
    finally:
        if isinstance(file, Path):
            handle.close()
