"""Processing a CSV file (an upload or a dropped file) as one batch, in two streamed passes.

The first pass reads the file as it arrives and checks it as a whole — UTF-8, the header, the
CSV structure, at least one row — keeping no rows. Only a file that passes is processed row by
row in the second pass, so a file-level problem anywhere (even on its last line) rejects the file
with one error and nothing from it taken. The second pass only cuts the file into segments of
rows; each is parsed, validated and encoded in a worker process (`preparing.prepare_csv`). Both
passes hold a piece of the file and a few chunks of rows at a time, so memory does not grow with
the file.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lateral_ingest_gateway.domain.csv_reader import CsvRows, FileProblem
from lateral_ingest_gateway.domain.csv_segments import CsvSegment, CsvSegments
from lateral_ingest_gateway.domain.model import Batch, Feed, WayIn
from lateral_ingest_gateway.domain.validation import check_csv_header

from .ingest import IngestDeps, ingest, reject
from .preparing import CsvPlan, PreparedChunk, prepare_csv

READ_BYTES = 64 * 1024  # small, because a piece's rows are all parsed at once


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
    plan = CsvPlan(tuple(header), feed.agency_kind, received_at.date())
    return await ingest(deps, feed=feed, way_in=way_in, received_at=received_at,
                        chunks=_prepared(deps, plan, again()))  # fmt: skip


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


async def _prepared(
    deps: IngestDeps, plan: CsvPlan, pieces: AsyncIterable[bytes]
) -> AsyncIterator[Awaitable[PreparedChunk]]:
    """The file's rows in chunks of about `chunk_rows`, each given to a worker as it is cut."""
    async for segment in csv_segments(pieces, deps.chunk_rows):
        yield deps.pool.submit(prepare_csv, plan, segment)


async def csv_segments(pieces: AsyncIterable[bytes], lines: int) -> AsyncIterator[CsvSegment]:
    """The file's text in segments of about `lines` lines, cut between rows."""
    segments = CsvSegments(lines)
    async for piece in pieces:
        for segment in segments.feed(piece):
            yield segment
    for segment in segments.finish():
        yield segment


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
