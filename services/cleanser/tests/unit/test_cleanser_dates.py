"""Dates of birth: full or partial, with precision; impossible ones dropped and flagged."""

from datetime import date

import pytest

from lateral_cleanser.domain.dates import clean_date_of_birth

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("raw", "precision"),
    [("2012-03-04", "day"), ("2012-03", "month"), ("2012", "year"), ("1900-01-01", "day")],
)
def test_full_and_partial_dates_keep_their_precision(raw: str, precision: str) -> None:
    assert clean_date_of_birth(raw, today=TODAY) == (raw, precision, [])


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2025-06-16", "in_future"),
        ("2025-07", "in_future"),
        ("2026", "in_future"),
        ("1899-12-31", "before_1900"),
        ("1850", "before_1900"),
        ("2012-13-01", "invalid"),
        ("2011-02-29", "invalid"),
        ("12/03/2012", "invalid"),
    ],
)
def test_impossible_dates_are_dropped_and_flagged(raw: str, code: str) -> None:
    value, precision, flags = clean_date_of_birth(raw, today=TODAY)
    assert (value, precision) == (None, None)
    assert [(f.field, f.code) for f in flags] == [("person.date_of_birth", code)]
    assert raw not in flags[0].message


def test_a_partial_date_that_includes_today_is_kept() -> None:
    assert clean_date_of_birth("2025-06", today=TODAY)[0] == "2025-06"
    assert clean_date_of_birth("2025", today=TODAY)[0] == "2025"
    assert clean_date_of_birth("2025-06-15", today=TODAY)[0] == "2025-06-15"


def test_a_missing_date_is_not_flagged() -> None:
    assert clean_date_of_birth(None, today=TODAY) == (None, None, [])
