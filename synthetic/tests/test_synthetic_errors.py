"""The mistakes in the synthetic feeds happen at the rates the error table states.

Each rate is measured against the truth (the event behind each record) on the "test" size, about
50,000 records, and must lie within four standard errors of the table's figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date

import pytest

from lateral_shared.contracts.records import AgencyKind
from lateral_synthetic import ERROR_RATES, SyntheticRecord, generate_region
from lateral_synthetic.names import NICKNAMES
from lateral_synthetic.rates import NHS_NUMBER_MISSING, UPRN_MISSING

TODAY = date(2025, 6, 1)
Check = Callable[[SyntheticRecord], bool]


@pytest.fixture(scope="module")
def records() -> list[SyntheticRecord]:
    region = generate_region(size="test", seed=11, today=TODAY)
    return [r for district in region.districts() for r in district.records]


def _assert_rate(
    records: Iterable[SyntheticRecord], where: Check, made: Check, rate: float
) -> None:
    """Of the records `where` holds for, the share `made` holds for is `rate`, within 4 SE."""
    eligible = [r for r in records if where(r)]
    assert len(eligible) > 300, "too few records to measure this rate"
    share = sum(made(r) for r in eligible) / len(eligible)
    slack = 4 * math.sqrt(rate * (1 - rate) / len(eligible)) + 0.002
    assert abs(share - rate) <= slack, f"{share:.4f} against {rate} (± {slack:.4f})"


def _person(r: SyntheticRecord) -> bool:
    return r.event.person is not None


def _dob(r: SyntheticRecord) -> str:
    return r.cells["date_of_birth"]


@pytest.mark.parametrize("kind", [k for k in AgencyKind if k is not AgencyKind.FIRE])
def test_nhs_numbers_are_missing_at_each_kinds_rate(
    records: list[SyntheticRecord], kind: AgencyKind
) -> None:
    _assert_rate(records, lambda r: _person(r) and r.feed.agency_kind is kind,
                 lambda r: r.cells["nhs_number"] == "", NHS_NUMBER_MISSING[kind])  # fmt: skip


@pytest.mark.parametrize("kind", list(AgencyKind))
def test_uprns_are_missing_at_each_kinds_rate(
    records: list[SyntheticRecord], kind: AgencyKind
) -> None:
    _assert_rate(records, lambda r: r.true_uprn is not None and r.feed.agency_kind is kind,
                 lambda r: r.cells["uprn"] == "", UPRN_MISSING[kind])  # fmt: skip


def test_a_few_uprns_are_wrong_and_the_truth_keeps_the_right_one(
    records: list[SyntheticRecord],
) -> None:
    _assert_rate(records, lambda r: r.cells["uprn"] != "",
                 lambda r: r.cells["uprn"] != r.true_uprn, ERROR_RATES["uprn_wrong"])  # fmt: skip


def test_some_ae_attendances_carry_a_pseudo_postcode(records: list[SyntheticRecord]) -> None:
    rate = ERROR_RATES["zz99_postcode"]
    _assert_rate(records, lambda r: r.cells["event_type"] == "emergency_attendance",
                 lambda r: r.cells["postcode"].startswith("ZZ99 "), rate)  # fmt: skip
    assert not any(r.cells["postcode"].startswith("ZZ99") for r in records
                   if r.cells["event_type"] != "emergency_attendance")  # fmt: skip


@pytest.mark.parametrize(
    ("error", "written"),
    [("dob_year_only", lambda s: len(s) == 4), ("dob_year_month", lambda s: len(s) == 7),
     ("dob_missing", lambda s: s == "")],
)  # fmt: skip
def test_dates_of_birth_are_partial_or_missing_at_the_tables_rates(
    records: list[SyntheticRecord], error: str, written: Callable[[str], bool]
) -> None:
    _assert_rate(records, _person, lambda r: written(_dob(r)), ERROR_RATES[error])


def test_day_and_month_are_sometimes_swapped(records: list[SyntheticRecord]) -> None:
    def swappable(r: SyntheticRecord) -> bool:
        born = r.event.person.date_of_birth if r.event.person else None
        return (born is not None and born.day <= 12 and born.day != born.month
                and born.replace(month=born.day, day=born.month) <= r.event.on)  # fmt: skip

    def swapped(r: SyntheticRecord) -> bool:
        born = r.event.person.date_of_birth  # type: ignore[union-attr]
        return _dob(r) == born.replace(month=born.day, day=born.month).isoformat()

    # The swap is only made on a full date, so the partial and missing ones are taken out first.
    full = 1 - sum(ERROR_RATES[e] for e in ("dob_missing", "dob_year_only", "dob_year_month"))
    _assert_rate(records, swappable, swapped, ERROR_RATES["dob_day_month_swapped"] * full)


def _full_and_not_swapped(r: SyntheticRecord) -> bool:
    born = r.event.person.date_of_birth if r.event.person else None
    if born is None or len(_dob(r)) != 10:
        return False
    return born.day == born.month or _dob(r) != f"{born.year:04d}-{born.day:02d}-{born.month:02d}"


def test_a_full_date_of_birth_sometimes_has_one_digit_wrong(
    records: list[SyntheticRecord],
) -> None:
    def one_digit_wrong(r: SyntheticRecord) -> bool:
        truth = r.event.person.date_of_birth  # type: ignore[union-attr]
        written = date.fromisoformat(_dob(r))
        differ = sum(a != b for a, b in zip(_dob(r), truth.isoformat(), strict=True))
        return differ == 1 and abs(written.year - truth.year) != 1

    _assert_rate(records, _full_and_not_swapped, one_digit_wrong,
                 ERROR_RATES["dob_one_digit_wrong"])  # fmt: skip


def test_a_full_date_of_birth_sometimes_has_the_year_one_out(
    records: list[SyntheticRecord],
) -> None:
    def year_one_out(r: SyntheticRecord) -> bool:
        truth = r.event.person.date_of_birth  # type: ignore[union-attr]
        written = date.fromisoformat(_dob(r))
        return abs(written.year - truth.year) == 1 and written.replace(year=truth.year) == truth

    _assert_rate(records, _full_and_not_swapped, year_one_out,
                 ERROR_RATES["dob_year_off_by_one"])  # fmt: skip


def test_gender_is_sometimes_not_recorded_or_wrong(records: list[SyntheticRecord]) -> None:
    words = {"f": "female", "female": "female", "m": "male", "male": "male"}

    def binary(r: SyntheticRecord) -> bool:
        return _person(r) and r.event.person.gender in ("female", "male")  # type: ignore[union-attr]

    def wrong(r: SyntheticRecord) -> bool:
        written = words.get(r.cells["gender"].lower())
        return written is not None and written != r.event.person.gender  # type: ignore[union-attr]

    _assert_rate(records, _person, lambda r: r.cells["gender"] == "",
                 ERROR_RATES["gender_not_recorded"])  # fmt: skip
    _assert_rate(records, binary, wrong, ERROR_RATES["gender_wrong"])


def test_forenames_come_as_nicknames_and_initials(records: list[SyntheticRecord]) -> None:
    def forename(r: SyntheticRecord) -> str:
        return r.event.person.forename  # type: ignore[union-attr]

    _assert_rate(records, lambda r: _person(r) and forename(r) in NICKNAMES,
                 lambda r: r.cells["forename"] == NICKNAMES[forename(r)],
                 ERROR_RATES["nickname"])  # fmt: skip
    _assert_rate(records, lambda r: _person(r) and forename(r) not in NICKNAMES,
                 lambda r: r.cells["forename"] == forename(r)[0],
                 ERROR_RATES["initial_only"])  # fmt: skip


def test_the_old_surname_is_still_used_after_a_marriage(records: list[SyntheticRecord]) -> None:
    def married(r: SyntheticRecord) -> bool:
        p = r.event.person
        return p is not None and p.married_on is not None and r.event.on >= p.married_on

    # A typo may change the old surname too, so it is counted only when spelt right.
    rate = ERROR_RATES["maiden_name_after_marriage"] * (1 - ERROR_RATES["surname_typo"])
    _assert_rate(records, married,
                 lambda r: r.cells["surname"] == r.event.person.birth_surname,  # type: ignore[union-attr]
                 rate)  # fmt: skip


def test_a_partner_sometimes_still_has_the_home_before_a_move(
    records: list[SyntheticRecord],
) -> None:
    def after_move(r: SyntheticRecord) -> bool:
        h = r.event.household
        return (h is not None and len(h.homes) > 1 and r.event.on >= h.homes[1][0]
                and r.true_uprn is not None)  # fmt: skip

    _assert_rate(records, after_move,
                 lambda r: r.true_uprn == r.event.household.homes[0][1].uprn,  # type: ignore[union-attr]
                 ERROR_RATES["old_address_after_move"])  # fmt: skip


def test_postcodes_are_typed_without_their_space_or_in_lower_case(
    records: list[SyntheticRecord],
) -> None:
    def at_home(r: SyntheticRecord) -> bool:  # written with the home it happened at
        return r.event.home is not None and r.true_uprn == r.event.home.uprn

    def true_postcode(r: SyntheticRecord) -> str:
        assert r.event.home is not None
        return r.event.home.postcode

    written = {
        "postcode_missing": lambda r: r.cells["postcode"] == "",
        "postcode_no_space": lambda r: r.cells["postcode"] == true_postcode(r).replace(" ", ""),
        "postcode_lower_case": lambda r: r.cells["postcode"] == true_postcode(r).lower(),
    }
    for error, check in written.items():
        _assert_rate(records, at_home, check, ERROR_RATES[error])


def test_the_same_address_is_written_many_ways(records: list[SyntheticRecord]) -> None:
    forms: dict[str, set[str]] = {}
    for r in records:
        if r.true_uprn is not None:
            lines = "|".join(r.cells[f"address_line_{n}"] for n in range(1, 5))
            forms.setdefault(r.true_uprn, set()).add(lines)
    flat_lines = {line for r in records if r.event.home and r.event.home.sao
                  for line in (r.cells["address_line_1"],)}  # fmt: skip

    assert sum(len(f) >= 3 for f in forms.values()) > 100
    assert any("/" in line for line in flat_lines)  # "3/12 High Street"
    assert any(line.startswith("Flat ") for line in flat_lines)
    assert any(" Flat " in line for line in flat_lines)  # "12 High St Flat 3"
    assert any(line.isupper() for r in records for line in (r.cells["address_line_1"],) if line)
    assert any(line.endswith(" Rd") or line.endswith(" St") for r in records
               for line in (r.cells["address_line_1"], r.cells["address_line_2"]))  # fmt: skip
