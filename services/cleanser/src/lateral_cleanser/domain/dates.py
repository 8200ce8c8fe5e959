"""Dates of birth, full or partial (YYYY, YYYY-MM, YYYY-MM-DD), with their precision."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from lateral_shared.contracts.records import DatePrecision, QualityFlag

from .flags import Flags, flag

EARLIEST_YEAR = 1900
FIELD = "person.date_of_birth"
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PRECISION: dict[int, DatePrecision] = {1: "year", 2: "month", 3: "day"}


def clean_date_of_birth(
    raw: str | None, *, today: date
) -> tuple[str | None, DatePrecision | None, Flags]:
    """The date of birth and its precision, or None (and a flag) if it cannot be right."""
    if raw is None:
        return None, None, []
    value, precision, flags = _clean_date_of_birth(raw, today)
    return value, precision, list(flags)


@lru_cache(maxsize=65_536)
def _clean_date_of_birth(
    raw: str, today: date
) -> tuple[str | None, DatePrecision | None, tuple[QualityFlag, ...]]:
    """Each distinct date checked once: a person's date recurs in every record about them."""
    value, precision, flags = _check_date_of_birth(raw, today=today)
    return value, precision, tuple(flags)


def _check_date_of_birth(
    raw: str, *, today: date
) -> tuple[str | None, DatePrecision | None, Flags]:
    text = raw.strip()
    first_day = _first_possible_day(text)
    if first_day is None:
        return None, None, _dropped("invalid", "is not a real date in the form YYYY[-MM[-DD]]")
    if first_day.year < EARLIEST_YEAR:
        return None, None, _dropped("before_1900", f"is before {EARLIEST_YEAR}")
    if first_day > today:
        return None, None, _dropped("in_future", "is in the future")
    return text, _PRECISION[text.count("-") + 1], []


def _first_possible_day(text: str) -> date | None:
    """The earliest day a (partial) date can mean; None if it is not a calendar date."""
    match = _PARTIAL.match(text)
    if match is None:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dropped(code: str, problem: str) -> Flags:
    message = f"The date of birth {problem}; it was dropped. Ask the partner to correct it."
    return [flag(FIELD, code, message)]
