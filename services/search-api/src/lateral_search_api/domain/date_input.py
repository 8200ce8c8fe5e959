"""The date-of-birth boxes on the search form (day, month, year): a full or partial date, checked.

Practitioners often know only a year, or a month and year. The GOV.UK date input pattern has three
boxes; this turns what was typed into the `YYYY`, `YYYY-MM` or `YYYY-MM-DD` the search takes, or
says what is wrong, naming the box (never repeating what was typed).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class DateOfBirthInput:
    """What was typed into the day, month and year boxes (any may be empty)."""

    day: str = ""
    month: str = ""
    year: str = ""

    def is_empty(self) -> bool:
        return not (self.day.strip() or self.month.strip() or self.year.strip())


@dataclass(frozen=True)
class DateOfBirthResult:
    """A partial ISO date, or the problem and which boxes it is in."""

    value: str | None = None
    problem: str | None = None
    boxes: frozenset[str] = field(default_factory=frozenset)


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _problem(message: str, *boxes: str) -> DateOfBirthResult:
    return DateOfBirthResult(problem=message, boxes=frozenset(boxes))


def _check_year(year_text: str, today: date) -> int | DateOfBirthResult:
    year = _number(year_text)
    if not year_text.strip():
        return _problem("Date of birth must include a year", "year")
    if year is None or len(year_text.strip()) != 4:
        return _problem("Year must be 4 numbers, like 2012", "year")
    if not EARLIEST_YEAR <= year <= today.year:
        return _problem(f"Year must be between {EARLIEST_YEAR} and {today.year}", "year")
    return year


def read_date_of_birth(typed: DateOfBirthInput, *, today: date) -> DateOfBirthResult:
    """The date of birth as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty boxes give no value."""
    if typed.is_empty():
        return DateOfBirthResult()
    year = _check_year(typed.year, today)
    if isinstance(year, DateOfBirthResult):
        return year
    day_text, month_text = typed.day.strip(), typed.month.strip()
    if not month_text:
        return _year_only(year, day_text)
    month = _number(month_text)
    if month is None or not 1 <= month <= 12:
        return _problem("Month must be a number from 1 to 12", "month")
    if not day_text:
        return _month_only(year, month, today)
    return _full_date(year, month, day_text, today)


def _year_only(year: int, day_text: str) -> DateOfBirthResult:
    if day_text:
        return _problem("Date of birth must include a month when it includes a day", "month")
    return DateOfBirthResult(value=f"{year:04d}")


def _full_date(year: int, month: int, day_text: str, today: date) -> DateOfBirthResult:
    day = _number(day_text)
    last_day = calendar.monthrange(year, month)[1]
    if day is None or not 1 <= day <= last_day:
        return _problem(f"Day must be a number from 1 to {last_day} for that month", "day")
    if date(year, month, day) > today:
        return _problem("Date of birth must be today or in the past", "day", "month", "year")
    return DateOfBirthResult(value=f"{year:04d}-{month:02d}-{day:02d}")


def _month_only(year: int, month: int, today: date) -> DateOfBirthResult:
    if (year, month) > (today.year, today.month):
        return _problem("Date of birth must be today or in the past", "month", "year")
    return DateOfBirthResult(value=f"{year:04d}-{month:02d}")


def age_in_years(date_of_birth: str | None, *, today: date) -> int | None:
    """Age today from a full or partial date of birth; a partial one gives the youngest age it
    could be (a person born "2012" is taken as born on 31 December 2012). None if unknown."""
    if not date_of_birth:
        return None
    parts = [int(p) for p in date_of_birth.split("-")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else 12
    day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month)[1]
    age = today.year - year - ((today.month, today.day) < (month, day))
    return max(age, 0)
