"""Checking one partner row — a JSON record or a CSV row — against the published data schema.

Every problem in a row is reported, each with the field and what to do, and none repeats the
value it is about (rows hold personal data; problems are shown to partner IT and kept). A row is
an upsert (the whole record) or a withdrawal (only `source_record_id`). The rules that need more
than the record's shape — per-kind vocabulary, dates against today, postcodes — are in
`row_rules`; batch-wide rules (a repeated ID) are the caller's, helped by `duplicate_ids`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from lateral_shared.contracts.records import AgencyKind, PartnerRecord
from lateral_shared.contracts.schema import (
    CSV_COLUMNS,
    csv_column,
    csv_row_to_record,
    normalise_column,
)
from lateral_shared.contracts.vocabulary import KIND_SPECS

from .encoding import EncodedRecord
from .row_rules import Problems, check_rules, check_source_record_id

Action = Literal["upsert", "withdraw"]
_WITHDRAWAL_FIELDS = frozenset({"action", "source_record_id", "agency_kind"})
_FIELD_NAME = re.compile(r"^[a-z_]{1,40}$")  # anything else may be data, so it is not echoed
_COLUMN_NAME = re.compile(r"^[a-z][a-z0-9 _.-]{0,39}$")


@dataclass(frozen=True)
class RowError:
    """One problem with one field of a row. Never carries the field's value."""

    row: int
    field: str  # a path like "person.date_of_birth" (JSON) or the CSV column name
    problem: str  # what is wrong and what to do


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row: the valid record, or every problem found in it."""

    row: int
    source_record_id: str | None  # None only if it was missing or invalid
    action: Action
    record: PartnerRecord | None  # the valid record of an upsert, else None
    errors: tuple[RowError, ...]
    # The valid record encoded where it was validated (then `record` may be None to save
    # carrying the model between processes); None until then.
    encoded: EncodedRecord | None = None

    @property
    def ok(self) -> bool:
        """True when the row is accepted."""
        return not self.errors


def validate_record(raw: object, *, agency_kind: AgencyKind, row: int, today: date) -> RowOutcome:
    """Check one record of a JSON batch (`row` counts from 1) for a feed of `agency_kind`."""
    if not isinstance(raw, Mapping):
        problem = "must be a JSON object ({...}) with the fields of the published schema"
        return RowOutcome(row, None, "upsert", None, (RowError(row, "record", problem),))
    return _validate(_without_blanks(raw), agency_kind, row, today, strict=True)


def validate_csv_row(
    cells: Mapping[str, str], *, agency_kind: AgencyKind, row: int, today: date
) -> RowOutcome:
    """Check one CSV row (`row` is its line in the file); errors name CSV columns.

    Blank cells count as absent; on a withdrawal row every cell but `source_record_id` (and
    `action`) is ignored, because the header is the same for every row.
    """
    outcome = _validate(csv_row_to_record(cells), agency_kind, row, today, strict=False)
    errors: dict[str, RowError] = {}
    for error in outcome.errors:
        column = csv_column(error.field, cells)
        errors.setdefault(column, replace(error, field=column))
    return replace(outcome, errors=tuple(errors.values()))


def check_csv_header(columns: Sequence[str]) -> list[str]:
    """File-level problems with a CSV header line; [] when it is fine."""
    names = [normalise_column(column) for column in columns]
    known = [name for name in names if name in CSV_COLUMNS]
    if not known:
        # Probably a data line, so its cells are not repeated back.
        return ["The first line is not a header: it has none of the published column names. "
                "Make the first line the header (see docs/data-schema.md)."]  # fmt: skip
    problems = []
    unknown = [name for name in names if name and name not in CSV_COLUMNS]
    if unknown:
        listed = ", ".join(_column_label(name) for name in unknown)
        problems.append(f"Unknown columns: {listed}. Rename them to published column names or "
                        "remove them, then send the file again.")  # fmt: skip
    blank = [str(n) for n, name in enumerate(names, start=1) if not name]
    if blank:
        which = f"Column {blank[0]} has" if len(blank) == 1 else f"Columns {', '.join(blank)} have"
        problems.append(f"{which} no name; name or remove it (a trailing separator?).")
    repeated = sorted(name for name, count in Counter(known).items() if count > 1)
    if repeated:
        problems.append(f"Columns appear more than once: {', '.join(repeated)}; keep one of each.")
    if "source_record_id" not in known:
        problems.append("The source_record_id column is missing; every row needs one.")
    return problems


def duplicate_ids(outcomes: Iterable[RowOutcome]) -> set[str]:
    """The `source_record_id`s that more than one row of a batch carries."""
    counts = Counter(o.source_record_id for o in outcomes if o.source_record_id is not None)
    return {source_record_id for source_record_id, count in counts.items() if count > 1}


def _validate(
    data: dict[str, Any], kind: AgencyKind, row: int, today: date, *, strict: bool
) -> RowOutcome:
    problems = Problems()
    action = _action(data, problems)
    source_record_id = check_source_record_id(data, problems)
    _check_agency_kind(data, kind, problems)
    record = None
    if action == "withdraw":
        if strict:
            for name in sorted(set(data) - _WITHDRAWAL_FIELDS):
                problems.add(_label(name), "is not part of a withdrawal, which carries only "
                             "source_record_id; remove it")  # fmt: skip
    else:
        check_rules(data, KIND_SPECS[kind], today, problems)
        record = _parse(data, kind, problems)
    errors = tuple(RowError(row, field, problem) for field, problem in problems.in_order())
    return RowOutcome(row, source_record_id, action, None if errors else record, errors)


def _action(data: Mapping[str, Any], problems: Problems) -> Action:
    value = data.get("action", "upsert")
    if value in ("upsert", "withdraw"):
        return "withdraw" if value == "withdraw" else "upsert"
    problems.add("action", "must be 'upsert' (or left out) or 'withdraw'")
    return "upsert"


def _check_agency_kind(data: Mapping[str, Any], kind: AgencyKind, problems: Problems) -> None:
    if "agency_kind" in data and data["agency_kind"] != kind.value:
        problems.add("agency_kind", f"must be '{kind.value}', the agency kind of this feed (or "
                     "left out); send other kinds' records to their own feed")  # fmt: skip


def _parse(data: Mapping[str, Any], kind: AgencyKind, problems: Problems) -> PartnerRecord | None:
    """The record as `PartnerRecord`; pydantic's findings go to `problems` in plainer words."""
    fields = {name: value for name, value in data.items() if name != "action"}
    try:
        return PartnerRecord.model_validate({**fields, "agency_kind": kind.value})
    except ValidationError as exc:
        for error in exc.errors(include_input=False, include_url=False):
            problems.add(_path(error["loc"]), _problem(error))
        return None


def _path(loc: Sequence[int | str]) -> str:
    """("person", "other_names", 2) → "person.other_names[2]"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{_label(part)}" if path else _label(part)
    return path or "record"


def _label(name: str) -> str:
    return name if _FIELD_NAME.match(name) else "(a field whose name is not shown)"


def _column_label(name: str) -> str:
    # A header cell that does not look like a column name may be data, so it is not repeated.
    return name if _COLUMN_NAME.match(name) else "(a column whose name is not shown)"


_PATTERN_PROBLEMS = {
    "source_record_id": "must be 1-64 characters with no spaces or '/'",
    "person_ref": "must be 1-64 characters with no spaces or '/'",
    "date_of_birth": "must be written YYYY-MM-DD, or YYYY-MM or YYYY when only part is known",
    "uprn": "must be 1 to 12 digits",
}
_PROBLEMS = {
    "missing": "is required; fill it in",
    "extra_forbidden": "is not a field of the published schema; check its spelling or remove it",
    "string_type": "must be text (in JSON, a string in quotes)",
    "string_too_short": "must not be empty",
    "list_type": "must be a list (in JSON, [...])",
    "model_type": "must be an object (in JSON, {{...}})",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_too_long": "is longer than {max_length} characters; shorten it",
    "too_long": "has more than {max_length} items; send at most {max_length}",
    "enum": "must be one of: {expected}",
    "literal_error": "must be one of: {expected}",
}


def _problem(error: ErrorDetails) -> str:
    """A pydantic error in words for partner IT; built from the rule, never from the input."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in _PROBLEMS:
        return _PROBLEMS[kind].format(**ctx)
    if kind == "string_pattern_mismatch":
        last = next((p for p in reversed(error["loc"]) if isinstance(p, str)), "")
        return _PATTERN_PROBLEMS.get(last, "has characters that are not allowed here")
    if kind.startswith("date"):
        return "must be a real date written YYYY-MM-DD"
    return "is not valid here; see docs/data-schema.md for what this field takes"


def _without_blanks(value: Any) -> Any:
    """The record with nulls, blank strings and emptied parts left out: all mean "not known"."""
    if isinstance(value, Mapping):
        kept = {str(k): _without_blanks(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not _blank(v)}
    if isinstance(value, list):
        return [item for item in (_without_blanks(v) for v in value) if not _blank(item)]
    return value


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, Mapping | list) and not value)
