"""The row rules beyond a record's shape: per-kind vocabulary, dates, identifiers and contacts.

They read the record as sent (a dict), so one malformed field does not hide problems in others.
A value of the wrong type is left alone here: the shape check reports it in plainer terms.
Messages say what is wrong and what to do, built only from the rule, never from the value.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from lateral_shared.contracts.records import PARTIAL_DATE_PATTERN
from lateral_shared.contracts.schema import (
    COLUMNS,
    DATE_PATTERN,
    EMAIL_PATTERN,
    PHONE_PATTERN,
    UPRN_PATTERN,
    is_valid_postcode,
)
from lateral_shared.contracts.vocabulary import ATTEND_CODES, KindSpec

MIN_BIRTH_YEAR = 1900
_IDENTIFIER = re.compile(r"^[^\s/]{1,64}$")
_ORDER = {path: n for n, path in enumerate(dict.fromkeys(c.path for c in COLUMNS))}


class Problems:
    """A row's problems, at most one per field (the first found is the most specific)."""

    def __init__(self) -> None:
        self._by_field: dict[str, str] = {}

    def add(self, field: str, problem: str) -> None:
        self._by_field.setdefault(field, problem)

    def __contains__(self, field: str) -> bool:
        return field in self._by_field

    def in_order(self) -> list[tuple[str, str]]:
        """(field, problem) in the order of the published fields, so a partner reads across."""
        return sorted(self._by_field.items(), key=lambda item: _position(item[0]))


def _position(field: str) -> int:
    base = re.sub(r"\[\d+\]", "", field)
    while base not in _ORDER and "." in base:
        base = base.rpartition(".")[0]
    return _ORDER.get(base, len(_ORDER))


def check_source_record_id(data: Mapping[str, Any], problems: Problems) -> str | None:
    """The row's `source_record_id` if it is valid, else None with the problem added."""
    value = data.get("source_record_id")
    if value is None:
        problems.add("source_record_id", "is required: your ID for this record")
    elif not isinstance(value, str):
        problems.add("source_record_id", "must be text (in JSON, a string in quotes)")
    elif not _IDENTIFIER.match(value.strip()):
        problems.add("source_record_id", "must be 1-64 characters with no spaces or '/'")
    else:
        return value.strip()
    return None


def check_rules(data: Mapping[str, Any], spec: KindSpec, today: date, problems: Problems) -> None:
    """Adds every rule the record breaks for a feed of this kind."""
    for field, problem in _rule_problems(data, spec, today):
        problems.add(field, problem)


def _rule_problems(
    data: Mapping[str, Any], spec: KindSpec, today: date
) -> Iterator[tuple[str, str]]:
    yield from _event_type(data, spec)
    yield from _category(data, spec)
    yield from _attend_code(data, spec)
    yield from _dates(data, today)
    yield from _date_of_birth(_get(data, "person", "date_of_birth"), today)
    yield from _who(data, spec)
    yield from _where(data, spec)
    yield from _formats(data)


def _get(data: Mapping[str, Any], *path: str) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _text(data: Mapping[str, Any], *path: str) -> str | None:
    value = _get(data, *path)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _one_of(values: tuple[object, ...]) -> str:
    return ", ".join(str(value) for value in values)


def _event_type(data: Mapping[str, Any], spec: KindSpec) -> Iterator[tuple[str, str]]:
    event_type = _text(data, "event_type")
    if event_type is not None and event_type not in spec.event_types:
        yield "event_type", f"is not an event type of {spec.kind.value} feeds; use one of: " \
            f"{_one_of(spec.event_types)}"  # fmt: skip


def _category(data: Mapping[str, Any], spec: KindSpec) -> Iterator[tuple[str, str]]:
    category, event_type = _get(data, "category"), _text(data, "event_type")
    if category is not None and not spec.categories:
        yield "category", f"is not used in {spec.kind.value} feeds; leave it out"
    elif isinstance(category, str) and category.strip() not in spec.categories:
        yield "category", f"must be one of: {_one_of(spec.categories)}"
    elif category is None and event_type in spec.category_required_for:
        yield "category", f"is required for {event_type} records; use one of: " \
            f"{_one_of(spec.categories)}"  # fmt: skip


def _attend_code(data: Mapping[str, Any], spec: KindSpec) -> Iterator[tuple[str, str]]:
    code, event_type = _get(data, "attend_code"), _text(data, "event_type")
    needed = event_type in spec.attend_code_required_for
    if code is None and needed:
        yield "attend_code", f"is required for {event_type} records: the NHS attended or did " \
            f"not attend code, one of {_one_of(ATTEND_CODES)}"  # fmt: skip
    elif code is not None and not spec.attend_code_required_for:
        yield "attend_code", f"is not used in {spec.kind.value} feeds; leave it out"
    elif code is not None and not needed:
        yield "attend_code", f"is used only for {_one_of(spec.attend_code_required_for)} " \
            "records; leave it out"  # fmt: skip
    elif code is not None and _whole_number(code) not in ATTEND_CODES:
        yield "attend_code", f"must be an NHS attended or did not attend code: one of " \
            f"{_one_of(ATTEND_CODES)}"  # fmt: skip


def _whole_number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


def _date(value: object) -> date | None:
    """A date written YYYY-MM-DD (nothing looser: numbers and times are not dates)."""
    if not isinstance(value, str) or not re.match(DATE_PATTERN, value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _dates(data: Mapping[str, Any], today: date) -> Iterator[tuple[str, str]]:
    dates: dict[str, date | None] = {}
    for field in ("event_date", "end_date"):
        value, parsed = _get(data, field), _date(_get(data, field))
        dates[field] = parsed
        if value is not None and parsed is None:
            yield field, "must be a real date written YYYY-MM-DD"
        elif parsed is not None and parsed > today:
            yield field, "is later than today; send only what has already happened"
    start, end = dates["event_date"], dates["end_date"]
    if _get(data, "end_date") is not None and _text(data, "status") == "open":
        yield "end_date", "is given but the record is open: remove end_date, or set status " \
            "to closed"  # fmt: skip
    elif start is not None and end is not None and end < start:
        yield "end_date", "is before event_date; check both dates"


def _date_of_birth(value: object, today: date) -> Iterator[tuple[str, str]]:
    field = "person.date_of_birth"
    if not isinstance(value, str):
        return
    text = value.strip()
    if not re.match(PARTIAL_DATE_PATTERN, text):
        yield field, "must be written YYYY-MM-DD, or YYYY-MM or YYYY when only part is known"
        return
    parts = [int(part) for part in text.split("-")]
    year, month, day = parts[0], (parts[1:2] or [1])[0], (parts[2:3] or [1])[0]
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year or 1, month)[1]:
        yield field, "is not a real date; check the day and the month"
    elif year < MIN_BIRTH_YEAR:
        yield field, f"is before {MIN_BIRTH_YEAR}; check the year"
    elif tuple(parts) > (today.year, today.month, today.day)[: len(parts)]:
        yield field, "is in the future; check it"


date_of_birth_problems = _date_of_birth  # for the fast path of valid rows (`fast_rows`)


def _who(data: Mapping[str, Any], spec: KindSpec) -> Iterator[tuple[str, str]]:
    person = _get(data, "person")
    if not spec.needs_person or (person is not None and not isinstance(person, Mapping)):
        return
    if not any(_text(data, "person", name) for name in ("surname", "nhs_number", "person_ref")):
        yield "person", f"is required in {spec.kind.value} records: give at least a surname, " \
            "an NHS number or a person_ref"  # fmt: skip


def _where(data: Mapping[str, Any], spec: KindSpec) -> Iterator[tuple[str, str]]:
    address = _get(data, "address")
    if not spec.needs_address or (address is not None and not isinstance(address, Mapping)):
        return
    lines = _get(data, "address", "lines")
    has_line = isinstance(lines, list) and any(isinstance(x, str) and x.strip() for x in lines)
    if not (has_line or _text(data, "address", "postcode") or _text(data, "address", "uprn")):
        yield "address", f"is required in {spec.kind.value} records: give at least an address " \
            "line, a postcode or a UPRN"  # fmt: skip


_FORMATS = (
    (("address", "postcode"), is_valid_postcode, "is not a UK postcode (nor ZZ99 or BFPO); check "
     "it, or leave it out if it is not known"),
    (("address", "uprn"), re.compile(UPRN_PATTERN).match, "must be 1 to 12 digits"),
    (("lead_professional", "email"), re.compile(EMAIL_PATTERN).match, "is not an e-mail "
     "address; give a work address such as name@example.org"),
    (("lead_professional", "phone"), re.compile(PHONE_PATTERN).match, "is not a phone number; use "
     "digits, spaces and an optional leading +"),
)  # fmt: skip


def _formats(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for path, valid, problem in _FORMATS:
        value = _get(data, *path)
        if isinstance(value, str) and not valid(value.strip()):
            yield ".".join(path), problem
