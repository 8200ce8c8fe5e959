"""The fast path for valid CSV rows gives exactly the record the full checks give, and never takes
a row the full checks would reject (so no error message can change)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from lateral_ingest_gateway.domain.encoding import encode_record
from lateral_ingest_gateway.domain.fast_rows import FastCsvRecords
from lateral_ingest_gateway.domain.validation import validate_csv_row
from lateral_shared.contracts import AgencyKind
from lateral_shared.contracts.schema import CSV_COLUMNS

TODAY = date(2026, 11, 21)
VALID: dict[AgencyKind, dict[str, str]] = {
    AgencyKind.HEALTH: {
        "source_record_id": "ED-1",
        "event_type": "missed_appointment",
        "event_date": "2026-03-02",
        "status": "closed",
        "end_date": "2026-03-04",
        "attend_code": "3",
        "forename": " Ellie ",
        "surname": "Marsh",
        "other_names": "Ellie M; ;Nell",
        "date_of_birth": "2015-04",
        "nhs_number": "9434765919",
        "address_line_2": "Leeds",
        "address_line_1": "12 Mill Lane",
        "postcode": "ls6 2ab",
        "uprn": "72012345",
        "lead_professional_phone": "+44 113 496 0000",
        "lead_professional_email": "ed@example.org",
    },
    AgencyKind.POLICE: {
        "source_record_id": "P-9",
        "event_type": "incident",
        "status": "open",
        "event_date": "2026-01-31",
        "category": "domestic_abuse",
        "postcode": "ZZ99 3VZ",
        "person_ref": "PR-7",
    },
}
# Values that break (or strain) a rule, for any column: each must go the full way.
ODD = ["", " ", "withdraw", "2026-02-30", "2027-01-01", "1899", "2026-13", "x" * 101, "12a",
       "a b", "a/b", "open", "9", "0", "03", "\uff13", "not-an-email", "BFPO 12", "SW1A 1AA",
       "2026", ";", "01/02/2026", "emergency_call", "domestic_abuse", "1234567890123",
       'Zoë "Nell" O\'Neill \\ 李\t\x7f\u2028']  # fmt: skip


def _both(cells: dict[str, str], kind: AgencyKind) -> None:
    columns = sorted(cells, reverse=True)  # not the published order
    ordered = {column: cells[column] for column in columns}
    fast = FastCsvRecords(columns, kind, TODAY).record(ordered)
    encoded = FastCsvRecords(columns, kind, TODAY).encoded(ordered)
    full = validate_csv_row(ordered, agency_kind=kind, row=2, today=TODAY)
    assert (fast is None) == (encoded is None)
    if fast is None or encoded is None:
        return
    assert full.ok and full.record is not None
    assert fast == full.record
    assert fast.model_dump_json() == full.record.model_dump_json()
    assert fast.model_fields_set == full.record.model_fields_set
    # Encoded straight from the cells: the JSON pydantic writes, so the same content hash and
    # the same record in the event as a JSON batch's record gets.
    assert encoded == (full.record.source_record_id, encode_record(full.record))
    assert encoded[1].json == full.record.model_dump_json(exclude_none=True)
    for part in ("person", "address", "lead_professional"):
        mine, theirs = getattr(fast, part), getattr(full.record, part)
        assert (mine and mine.model_fields_set) == (theirs and theirs.model_fields_set)


@pytest.mark.parametrize("kind", list(VALID))
def test_valid_rows_take_the_fast_path_and_match_the_full_checks(kind: AgencyKind) -> None:
    cells = VALID[kind]
    assert FastCsvRecords(list(cells), kind, TODAY).record(cells) is not None
    _both(cells, kind)


@pytest.mark.parametrize("kind", list(VALID))
def test_every_odd_value_in_every_column_agrees_with_the_full_checks(kind: AgencyKind) -> None:
    for column, value in itertools.product(CSV_COLUMNS, ODD):
        _both({**VALID[kind], column: value}, kind)


def test_a_row_with_a_problem_never_takes_the_fast_path() -> None:
    cells = {**VALID[AgencyKind.HEALTH], "attend_code": ""}  # required for missed appointments
    assert FastCsvRecords(list(cells), AgencyKind.HEALTH, TODAY).record(cells) is None
    assert not validate_csv_row(cells, agency_kind=AgencyKind.HEALTH, row=2, today=TODAY).ok


def test_an_unknown_column_turns_the_fast_path_off() -> None:
    cells = {**VALID[AgencyKind.HEALTH], "shoe_size": "9"}
    assert FastCsvRecords(list(cells), AgencyKind.HEALTH, TODAY).record(cells) is None
