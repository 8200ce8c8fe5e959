"""Preparing a chunk of a batch's rows: every row validated and, when valid, encoded.

This is the CPU-bound part of ingesting, so it runs away from the event loop: in a worker
process for CSV files (`prepare_csv` takes a segment of the file's text and gives back compact
results: outcomes with each valid record already encoded, never pydantic models), in a thread
for JSON batches. What is decided about the rows — new, changed, unchanged — is the caller's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from lateral_ingest_gateway.domain.csv_reader import CsvRow, CsvRows, cells_by_column
from lateral_ingest_gateway.domain.csv_segments import CsvSegment
from lateral_ingest_gateway.domain.encoding import (
    EncodedRecord,
    coverage_bits,
    coverage_from_bits,
    encode_record,
)
from lateral_ingest_gateway.domain.fast_rows import FastCsvRecords
from lateral_ingest_gateway.domain.validation import (
    Action,
    RowError,
    RowOutcome,
    validate_csv_row,
    validate_record,
)
from lateral_shared.contracts import AgencyKind
from lateral_shared.contracts.schema import normalise_column

MAX_KEPT_ROW_BYTES = 64 * 1024  # a bigger rejected row is quarantined without its data
_IDENTIFIER = re.compile(r"^[^\s/]{1,64}$")  # as `PartnerRecord.source_record_id`


@dataclass(frozen=True)
class RawRow:
    """One row as sent: a JSON record, or a CSV row's cells by column."""

    row: int
    data: object


@dataclass(frozen=True)
class PreparedChunk:
    """A chunk's rows in order, each valid record encoded; and, for each row rejected here,
    what is kept of it for its partner (by row)."""

    outcomes: list[RowOutcome]
    kept: dict[int, object]

    def __reduce__(self) -> tuple[Callable[..., PreparedChunk], tuple[object, ...]]:
        # Sent back from a worker as plain tuples: unpickling a frozen dataclass goes through
        # `dataclasses.fields()` for each object, which cost more than preparing the row.
        return _unpacked, ([_packed(o) for o in self.outcomes], self.kept)


_Packed = tuple[int, str | None, Action, tuple[tuple[int, str, str], ...], str | None, str, int]


def _packed(o: RowOutcome) -> _Packed:
    errors = tuple((e.row, e.field, e.problem) for e in o.errors)
    if o.encoded is None:
        return o.row, o.source_record_id, o.action, errors, None, "", 0
    record = o.encoded
    return (o.row, o.source_record_id, o.action, errors, record.json, record.content_hash,
            coverage_bits(record.coverage))  # fmt: skip


def _unpacked(packed: list[_Packed], kept: dict[int, object]) -> PreparedChunk:
    outcomes = []
    for row, sid, action, errors, canonical, content_hash, coverage in packed:
        record = None
        if canonical is not None:
            record = EncodedRecord(canonical, content_hash, coverage_from_bits(coverage))
        found = tuple(RowError(*error) for error in errors)
        outcomes.append(RowOutcome(row, sid, action, None, found, record))
    return PreparedChunk(outcomes, kept)


@dataclass(frozen=True)
class CsvPlan:
    """What a worker needs to know of a CSV file to prepare any segment of it."""

    header: tuple[str, ...]
    agency_kind: AgencyKind
    today: date


Validate = Callable[[RawRow], RowOutcome]


def prepare_csv(plan: CsvPlan, segment: CsvSegment) -> PreparedChunk:
    """The rows of one segment of a CSV file already checked as a whole."""
    header = list(plan.header)
    reader = CsvRows(header=None if segment.first_line == 1 else header,
                     first_line=segment.first_line)  # fmt: skip
    rows = [_raw(header, row) for row in reader.finish(segment.text())]
    return prepare_rows(rows, _csv_validator(plan))


def prepare_records(rows: Sequence[RawRow], agency_kind: AgencyKind, today: date) -> PreparedChunk:
    """The records of a JSON batch (a chunk of them)."""

    def validate(raw: RawRow) -> RowOutcome:
        return validate_record(raw.data, agency_kind=agency_kind, row=raw.row, today=today)

    return prepare_rows(rows, validate)


def prepare_rows(rows: Sequence[RawRow], validate: Validate) -> PreparedChunk:
    outcomes, kept = [], {}
    for raw in rows:
        outcome = validate(raw)
        if outcome.errors:
            kept[raw.row] = kept_data(raw.data)
        elif outcome.record is not None:  # carried encoded: the model stays here
            outcome = replace(outcome, record=None, encoded=encode_record(outcome.record))
        outcomes.append(outcome)
    return PreparedChunk(outcomes, kept)


def kept_data(data: object) -> object:
    """What of a rejected row is kept for its partner: the row as sent, blank cells left out."""
    if isinstance(data, dict):
        data = {key: value for key, value in data.items() if value not in ("", None)}
    try:
        size = len(json.dumps(data))
    except (TypeError, ValueError):
        return None
    return data if size <= MAX_KEPT_ROW_BYTES else None


@lru_cache(maxsize=8)
def _csv_validator(plan: CsvPlan) -> Validate:
    """Checks a CSV row of the file (rows are numbered by their line): a valid upsert through
    the fast path, encoded straight from its cells; anything else through the full checks."""
    fast = FastCsvRecords(plan.header, plan.agency_kind, plan.today)
    kind, today = plan.agency_kind, plan.today

    def validate(raw: RawRow) -> RowOutcome:
        if isinstance(raw.data, _Misshapen):
            error = RowError(raw.row, "row", raw.data.problem)
            return RowOutcome(raw.row, raw.data.source_record_id, "upsert", None, (error,))
        assert isinstance(raw.data, dict)
        found = fast.encoded(raw.data)
        if found is not None:
            return RowOutcome(raw.row, found[0], "upsert", None, (), found[1])
        return validate_csv_row(raw.data, agency_kind=kind, row=raw.row, today=today)

    return validate


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
