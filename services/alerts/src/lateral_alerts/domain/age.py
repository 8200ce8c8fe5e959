"""Ages from dates of birth that may be partial (YYYY, YYYY-MM or YYYY-MM-DD)."""

from __future__ import annotations

import calendar
from datetime import date


def latest_possible_birth_date(date_of_birth: str) -> date | None:
    """The latest day a partial date of birth can stand for, or None if it is not a real date.

    "2008" → 2008-12-31; "2008-05" → 2008-05-31; "2008-05-17" → itself. The latest day gives the
    youngest the person can be, which is what "could this person be a child?" needs.
    """
    parts = date_of_birth.strip().split("-")
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) == 1:
            return date(numbers[0], 12, 31)
        if len(numbers) == 2:
            year, month = numbers
            return date(year, month, calendar.monthrange(year, month)[1])
        if len(numbers) == 3:
            return date(numbers[0], numbers[1], numbers[2])
    except (ValueError, calendar.IllegalMonthError):
        return None
    return None


def anniversary(born: date, years: int) -> date:
    """The day someone born on `born` reaches `years` years of age; 29 February birthdays
    fall on 1 March in years without one, as UK practice has it."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def could_be_under(age: int, *, date_of_birth: str, on: date) -> bool:
    """True if a person with this (possibly partial) date of birth could be younger than `age`
    years on `on`. An unreadable date of birth gives False: nothing is known."""
    youngest_birth = latest_possible_birth_date(date_of_birth)
    if youngest_birth is None:
        return False
    if youngest_birth > on:
        return True  # born after the date (an unborn child): certainly younger
    return on < anniversary(youngest_birth, age)
