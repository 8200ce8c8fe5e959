"""Row validation: each rule of the published schema, for JSON records and CSV rows alike.

Each case names the field a partner would see (a JSON path and a CSV column) and a phrase of the
problem; no problem ever repeats the submitted value.
"""

from __future__ import annotations

import copy
import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lateral_ingest_gateway.domain.validation import (
    RowOutcome,
    check_csv_header,
    duplicate_ids,
    validate_csv_row,
    validate_record,
)
from lateral_shared.contracts import AgencyKind
from lateral_shared.contracts.vocabulary import KIND_SPECS

TODAY = date(2026, 11, 21)
EXAMPLES = Path(__file__).parents[4] / "docs" / "examples"
CSC, ASC = AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE
HEALTH, POLICE, FIRE = AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.FIRE
DROP = object()  # a patch value: leave the field out

BASE: dict[AgencyKind, dict[str, Any]] = {
    CSC: {"source_record_id": "CIN-1", "event_type": "child_in_need", "event_date": "2026-03-02",
          "status": "open", "person": {"forename": "Ellie", "surname": "Marsh",
                                       "date_of_birth": "2015-04"}},
    ASC: {"source_record_id": "ASC-1", "event_type": "open_case", "event_date": "2026-02-17",
          "status": "open", "person": {"surname": "Holroyd", "nhs_number": "9390996031"}},
    HEALTH: {"source_record_id": "ED-1", "event_type": "emergency_attendance",
             "event_date": "2026-10-03", "status": "open",
             "person": {"surname": "Doherty", "nhs_number": "9948219937"}},
    POLICE: {"source_record_id": "CC-1", "event_type": "emergency_call", "event_date": "2026-10-04",
             "status": "closed", "end_date": "2026-10-05", "category": "domestic_abuse",
             "address": {"lines": ["12 Beech Road", "Leeds"], "postcode": "LS6 2QF"}},
    FIRE: {"source_record_id": "IRS-1", "event_type": "incident", "event_date": "2026-08-23",
           "status": "closed", "category": "fire", "address": {"uprn": "72045513"}},
}  # fmt: skip
MISSED = {"event_type": "missed_appointment", "attend_code": 3}
# CSV column of each JSON field, written out here rather than taken from the code under test.
COLUMN = {
    "person.forename": "forename", "person.middle_names": "middle_names",
    "person.surname": "surname", "person.other_names": "other_names",
    "person.date_of_birth": "date_of_birth", "person.gender": "gender",
    "person.nhs_number": "nhs_number", "person.person_ref": "person_ref",
    "address.postcode": "postcode", "address.uprn": "uprn",
    "lead_professional.name": "lead_professional_name",
    "lead_professional.team": "lead_professional_team",
    "lead_professional.phone": "lead_professional_phone",
    "lead_professional.email": "lead_professional_email",
}  # fmt: skip


def record(kind: AgencyKind, patch: dict[str, Any] | None = None) -> dict[str, Any]:
    """The kind's valid base record with `patch` ({"person.surname": value or DROP}) applied."""
    result = copy.deepcopy(BASE[kind])
    for path, value in (patch or {}).items():
        *parents, leaf = path.split(".")
        node = result
        for part in parents:
            node = node.setdefault(part, {})
        if value is DROP:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return result


def cells(rec: dict[str, Any]) -> dict[str, str]:
    """A JSON record written as a CSV row."""
    row = {k: str(v) for k, v in rec.items() if not isinstance(v, dict)}
    for path, column in COLUMN.items():
        part, name = path.split(".")
        value = rec.get(part, {}).get(name)
        if value is not None:
            row[column] = ";".join(value) if isinstance(value, list) else str(value)
    for n, line in enumerate(rec.get("address", {}).get("lines", []), start=1):
        row[f"address_line_{n}"] = line
    return row


def both(kind: AgencyKind, rec: dict[str, Any]) -> tuple[RowOutcome, RowOutcome]:
    return (
        validate_record(rec, agency_kind=kind, row=1, today=TODAY),
        validate_csv_row(cells(rec), agency_kind=kind, row=2, today=TODAY),
    )


def every_event_type(event_type: str) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "attend_code": 3 if event_type == "missed_appointment" else DROP,
    }


ACCEPTED = [
    pytest.param(CSC, {}, id="childrens-base"),
    pytest.param(HEALTH, MISSED, id="missed-appointment-with-attend-code"),
    *(pytest.param(HEALTH, {**MISSED, "attend_code": c}, id=f"attend-code-{c}") for c in (2, 7)),
    pytest.param(HEALTH, {"person.date_of_birth": "1985"}, id="dob-year-only"),
    pytest.param(HEALTH, {"person.date_of_birth": "1985-06"}, id="dob-year-month"),
    pytest.param(HEALTH, {"person.date_of_birth": "1900-01-01"}, id="dob-1900"),
    pytest.param(HEALTH, {"person.date_of_birth": "2026-11-21"}, id="dob-today"),
    pytest.param(HEALTH, {"person.date_of_birth": "2024-02-29"}, id="dob-leap-day"),
    pytest.param(HEALTH, {"event_date": "2026-11-21"}, id="event-today"),
    pytest.param(HEALTH, {"status": "closed", "end_date": "2026-10-03"}, id="closed-same-day"),
    pytest.param(HEALTH, {"status": "closed"}, id="closed-without-end-date"),
    pytest.param(HEALTH, {"person.nhs_number": "9434765918"}, id="nhs-failing-mod11-kept"),
    pytest.param(HEALTH, {"person.nhs_number": "943 476 5919"}, id="nhs-with-spaces"),
    pytest.param(HEALTH, {"person.nhs_number": "12345"}, id="nhs-too-short-kept"),
    pytest.param(HEALTH, {"person.nhs_number": "x" * 20}, id="nhs-20-chars"),
    pytest.param(HEALTH, {"person.surname": DROP, "person.person_ref": "P-1"}, id="ref-only"),
    pytest.param(HEALTH, {"person.surname": DROP}, id="nhs-number-only"),
    pytest.param(HEALTH, {"person.surname": "M" * 100}, id="surname-100-chars"),
    pytest.param(HEALTH, {"person.other_names": ["Bill", "Billy Smith"]}, id="other-names"),
    pytest.param(HEALTH, {"address.postcode": "ZZ99 3VZ"}, id="zz99-no-fixed-abode"),
    pytest.param(HEALTH, {"address.postcode": "ZZ99 3WZ"}, id="zz99-not-known"),
    pytest.param(POLICE, {"address.postcode": "ls62qf"}, id="postcode-lower-no-space"),
    pytest.param(POLICE, {"address.postcode": "BFPO 123"}, id="postcode-bfpo"),
    pytest.param(POLICE, {"address.postcode": "EC1A 1BB"}, id="postcode-ec1a"),
    pytest.param(POLICE, {"address.postcode": "GIR 0AA"}, id="postcode-gir"),
    pytest.param(POLICE, {"address.lines": DROP}, id="police-postcode-only"),
    pytest.param(POLICE, {"address.postcode": DROP}, id="police-line-only"),
    pytest.param(FIRE, {}, id="fire-uprn-only-address-only"),
    pytest.param(FIRE, {"address.uprn": "100023336956"}, id="uprn-12-digits"),
    pytest.param(FIRE, {"event_type": "home_fire_safety_visit", "category": DROP}, id="hfsv"),
    pytest.param(POLICE, {"person.surname": "Marsh"}, id="police-with-person"),
    pytest.param(POLICE, {"lead_professional.email": "chris.dale@example.org",
                          "lead_professional.phone": "+44 113 496 0222"}, id="contacts"),
    pytest.param(POLICE, {"lead_professional.phone": "(0113) 496 0222 ext 12"}, id="phone-ext"),
    pytest.param(POLICE, {"category": "missing_person", "event_type": "incident"}, id="incident"),
    *(pytest.param(kind, every_event_type(t), id=f"{kind.value}-{t}")
      for kind, spec in KIND_SPECS.items() for t in spec.event_types),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "patch"), ACCEPTED)
def test_a_valid_row_is_accepted_as_json_and_as_csv(
    kind: AgencyKind, patch: dict[str, Any]
) -> None:
    json_outcome, csv_outcome = both(kind, record(kind, patch))
    assert json_outcome.errors == () and csv_outcome.errors == ()
    assert json_outcome.ok and json_outcome.action == "upsert"
    assert json_outcome.record is not None and json_outcome.record.agency_kind == kind
    assert csv_outcome.record == json_outcome.record


def rejected(
    case_id: str,
    kind: AgencyKind,
    patch: dict[str, Any],
    field: str,
    problem: str,
    *,
    column: str = "",
) -> Any:
    """A case: the JSON field and CSV column named (by default the field's last part) and a phrase
    of the problem."""
    return pytest.param(kind, patch, field, column or field.rsplit(".", 1)[-1], problem, id=case_id)


NOT_REAL = "YYYY-MM-DD"
REJECTED = [
    rejected("id-missing", HEALTH, {"source_record_id": DROP}, "source_record_id", "required"),
    rejected("id-space", HEALTH, {"source_record_id": "ED 1"}, "source_record_id", "no spaces"),
    rejected("id-slash", HEALTH, {"source_record_id": "ED/1"}, "source_record_id", "'/'"),
    rejected("id-long", HEALTH, {"source_record_id": "E" * 65}, "source_record_id", "1-64"),
    rejected("event-type-missing", HEALTH, {"event_type": DROP}, "event_type", "required"),
    rejected(
        "event-type-unknown",
        HEALTH,
        {"event_type": "walk_in"},
        "event_type",
        "use one of: emergency_attendance, missed_appointment",
    ),
    rejected(
        "event-type-of-another-kind",
        POLICE,
        {"event_type": "child_in_need"},
        "event_type",
        "not an event type of police",
    ),
    rejected("event-date-missing", HEALTH, {"event_date": DROP}, "event_date", "required"),
    rejected("event-date-uk-style", HEALTH, {"event_date": "03/10/2026"}, "event_date", NOT_REAL),
    rejected("event-date-short", HEALTH, {"event_date": "2026-10-3"}, "event_date", NOT_REAL),
    rejected("event-date-not-real", HEALTH, {"event_date": "2026-02-30"}, "event_date", NOT_REAL),
    rejected("event-date-time", HEALTH, {"event_date": "2026-10-03T10:00"}, "event_date", NOT_REAL),
    rejected(
        "event-future", HEALTH, {"event_date": "2026-11-22"}, "event_date", "later than today"
    ),
    rejected("status-missing", HEALTH, {"status": DROP}, "status", "required"),
    rejected("status-unknown", HEALTH, {"status": "pending"}, "status", "'open' or 'closed'"),
    rejected(
        "open-with-end-date", HEALTH, {"end_date": "2026-10-04"}, "end_date", "record is open"
    ),
    rejected(
        "end-before-start", POLICE, {"end_date": "2026-10-01"}, "end_date", "before event_date"
    ),
    rejected("end-future", POLICE, {"end_date": "2026-11-22"}, "end_date", "later than today"),
    rejected("end-date-format", POLICE, {"end_date": "5 Oct 2026"}, "end_date", NOT_REAL),
    rejected(
        "dob-before-1900",
        HEALTH,
        {"person.date_of_birth": "1899"},
        "person.date_of_birth",
        "before 1900",
    ),
    rejected(
        "dob-future-year",
        HEALTH,
        {"person.date_of_birth": "2027"},
        "person.date_of_birth",
        "future",
    ),
    rejected(
        "dob-future-month",
        HEALTH,
        {"person.date_of_birth": "2026-12"},
        "person.date_of_birth",
        "future",
    ),
    rejected(
        "dob-tomorrow",
        HEALTH,
        {"person.date_of_birth": "2026-11-22"},
        "person.date_of_birth",
        "future",
    ),
    rejected(
        "dob-month-13",
        HEALTH,
        {"person.date_of_birth": "2015-13"},
        "person.date_of_birth",
        "not a real date",
    ),
    rejected(
        "dob-not-leap-year",
        HEALTH,
        {"person.date_of_birth": "2015-02-29"},
        "person.date_of_birth",
        "not a real date",
    ),
    rejected(
        "dob-uk-style",
        HEALTH,
        {"person.date_of_birth": "12/04/2015"},
        "person.date_of_birth",
        "YYYY-MM or YYYY",
    ),
    rejected(
        "police-category-missing",
        POLICE,
        {"category": DROP},
        "category",
        "required for emergency_call",
    ),
    rejected(
        "police-category-unknown",
        POLICE,
        {"category": "burglary"},
        "category",
        "must be one of: domestic_abuse",
    ),
    rejected(
        "fire-category-missing", FIRE, {"category": DROP}, "category", "required for incident"
    ),
    rejected(
        "fire-category-of-police",
        FIRE,
        {"category": "domestic_abuse"},
        "category",
        "must be one of: fire",
    ),
    rejected("category-in-health", HEALTH, {"category": "fire"}, "category", "not used in health"),
    rejected(
        "attend-code-missing",
        HEALTH,
        {"event_type": "missed_appointment"},
        "attend_code",
        "required for missed_appointment",
    ),
    rejected(
        "attend-code-9",
        HEALTH,
        {**MISSED, "attend_code": 9},
        "attend_code",
        "one of 2, 3, 4, 5, 6, 7",
    ),
    rejected("attend-code-1", HEALTH, {**MISSED, "attend_code": 1}, "attend_code", "one of 2"),
    rejected(
        "attend-code-text", HEALTH, {**MISSED, "attend_code": "DNA"}, "attend_code", "one of 2"
    ),
    rejected(
        "attend-code-on-emergency-attendance",
        HEALTH,
        {"attend_code": 3},
        "attend_code",
        "only for missed_appointment",
    ),
    rejected(
        "attend-code-in-police", POLICE, {"attend_code": 3}, "attend_code", "not used in police"
    ),
    rejected(
        "health-without-person",
        HEALTH,
        {"person": DROP},
        "person",
        "at least a surname, an NHS number or a person_ref",
        column="surname",
    ),
    rejected(
        "forename-and-dob-only",
        CSC,
        {"person.surname": DROP},
        "person",
        "at least a surname",
        column="surname",
    ),
    rejected(
        "adult-gender-only",
        ASC,
        {"person.surname": DROP, "person.nhs_number": DROP, "person.gender": "F"},
        "person",
        "at least a surname",
        column="surname",
    ),
    rejected(
        "police-without-address",
        POLICE,
        {"address": DROP},
        "address",
        "an address line, a postcode or a UPRN",
        column="address_line_1",
    ),
    rejected(
        "police-person-only",
        POLICE,
        {"address": DROP, "person.surname": "Marsh"},
        "address",
        "an address line",
        column="address_line_1",
    ),
    rejected(
        "fire-blank-line-only",
        FIRE,
        {"address.uprn": DROP, "address.lines": ["  "]},
        "address",
        "an address line",
        column="address_line_1",
    ),
    rejected(
        "postcode-outward-only",
        POLICE,
        {"address.postcode": "LS6"},
        "address.postcode",
        "not a UK postcode",
    ),
    rejected(
        "postcode-bad-first-letter",
        POLICE,
        {"address.postcode": "Q1A 1AA"},
        "address.postcode",
        "not a UK postcode",
    ),
    rejected(
        "postcode-bad-inward-letter",
        POLICE,
        {"address.postcode": "LS6 2QI"},
        "address.postcode",
        "not a UK postcode",
    ),
    rejected(
        "postcode-zip-code",
        POLICE,
        {"address.postcode": "12345"},
        "address.postcode",
        "not a UK postcode",
    ),
    rejected(
        "postcode-zz99-outward-only",
        POLICE,
        {"address.postcode": "ZZ99"},
        "address.postcode",
        "not a UK postcode",
    ),
    rejected(
        "uprn-13-digits", FIRE, {"address.uprn": "1000233369561"}, "address.uprn", "1 to 12 digits"
    ),
    rejected("uprn-letter", FIRE, {"address.uprn": "7204551A"}, "address.uprn", "1 to 12 digits"),
    rejected(
        "surname-too-long",
        HEALTH,
        {"person.surname": "M" * 101},
        "person.surname",
        "longer than 100",
    ),
    rejected(
        "forename-too-long",
        HEALTH,
        {"person.forename": "E" * 101},
        "person.forename",
        "longer than 100",
    ),
    rejected(
        "nhs-number-absurd",
        HEALTH,
        {"person.nhs_number": "9" * 21},
        "person.nhs_number",
        "longer than 20",
    ),
    rejected("gender-long", HEALTH, {"person.gender": "g" * 21}, "person.gender", "longer than 20"),
    rejected("person-ref", HEALTH, {"person.person_ref": "P 1"}, "person.person_ref", "no spaces"),
    rejected(
        "address-line-too-long",
        POLICE,
        {"address.lines": ["L" * 101]},
        "address.lines[0]",
        "longer than 100",
        column="address_line_1",
    ),
    rejected(
        "lead-name-too-long",
        POLICE,
        {"lead_professional.name": "N" * 101},
        "lead_professional.name",
        "longer than 100",
        column="lead_professional_name",
    ),
    rejected(
        "email-without-at",
        POLICE,
        {"lead_professional.email": "chris.dale"},
        "lead_professional.email",
        "not an e-mail address",
        column="lead_professional_email",
    ),
    rejected(
        "email-with-space",
        POLICE,
        {"lead_professional.email": "chris dale@example.org"},
        "lead_professional.email",
        "not an e-mail address",
        column="lead_professional_email",
    ),
    rejected(
        "phone-words",
        POLICE,
        {"lead_professional.phone": "ring the office"},
        "lead_professional.phone",
        "not a phone number",
        column="lead_professional_phone",
    ),
    rejected(
        "phone-too-short",
        POLICE,
        {"lead_professional.phone": "123"},
        "lead_professional.phone",
        "not a phone number",
        column="lead_professional_phone",
    ),
    rejected(
        "too-many-other-names",
        HEALTH,
        {"person.other_names": [f"Name{n}" for n in range(21)]},
        "person.other_names",
        "more than 20",
    ),
]


@pytest.mark.parametrize(
    ("kind", "patch", "field", "column", "problem"),
    REJECTED,
)
def test_a_rule_broken_in_json_or_csv_is_named_by_field_with_what_to_do(
    kind: AgencyKind, patch: dict[str, Any], field: str, column: str, problem: str
) -> None:
    json_outcome, csv_outcome = both(kind, record(kind, patch))
    assert not json_outcome.ok and json_outcome.record is None
    assert [(e.field, problem in e.problem) for e in json_outcome.errors] == [(field, True)]
    assert [(e.field, problem in e.problem) for e in csv_outcome.errors] == [(column, True)]
    assert json_outcome.errors[0].row == 1 and csv_outcome.errors[0].row == 2


JSON_ONLY = [
    ({"agency_kind": "police"}, "agency_kind", "must be 'health'", "agency-kind-of-another-feed"),
    ({"person.surnmae": "Marsh"}, "person.surnmae", "not a field of the published schema",
     "misspelt-field"),
    ({"Ellie Marsh": "x"}, "(a field whose name is not shown)", "not a field", "data-as-key"),
    ({"event_date": 20261003}, "event_date", NOT_REAL, "date-as-number"),
    ({"person": "Liam Doherty"}, "person", "must be an object", "person-as-text"),
    ({"person.nhs_number": 9948219937}, "person.nhs_number", "a string in quotes", "nhs-as-number"),
    ({"address.uprn": 72045513}, "address.uprn", "a string in quotes", "uprn-as-number"),
    ({"person.other_names": "Bill"}, "person.other_names", "must be a list", "other-names-as-text"),
    ({"action": "delete"}, "action", "'withdraw'", "unknown-action"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("patch", "field", "problem"), [pytest.param(*case[:3], id=case[3]) for case in JSON_ONLY]
)
def test_json_shape_problems_are_named_without_the_value(
    patch: dict[str, Any], field: str, problem: str
) -> None:
    outcome = validate_record(record(HEALTH, patch), agency_kind=HEALTH, row=7, today=TODAY)
    assert [(e.field, problem in e.problem) for e in outcome.errors] == [(field, True)]


def test_a_record_that_is_not_an_object_is_one_problem() -> None:
    outcome = validate_record(["ED-1"], agency_kind=HEALTH, row=3, today=TODAY)
    assert (outcome.source_record_id, [e.field for e in outcome.errors]) == (None, ["record"])


def test_the_feeds_own_agency_kind_may_be_repeated_in_the_record() -> None:
    outcome = validate_record(record(HEALTH, {"agency_kind": "health"}), agency_kind=HEALTH,
                              row=1, today=TODAY)  # fmt: skip
    assert outcome.ok


def test_nulls_and_blank_strings_mean_not_known() -> None:
    patch = {"end_date": None, "person.middle_names": "  ", "address.postcode": ""}
    outcome = validate_record(record(HEALTH, patch), agency_kind=HEALTH, row=1, today=TODAY)
    assert outcome.ok and outcome.record is not None
    assert outcome.record.person is not None and outcome.record.person.middle_names is None


def test_every_problem_in_a_row_is_reported_not_just_the_first() -> None:
    patch = {
        "event_type": "walk_in",
        "event_date": "2026-12-01",
        "status": "pending",
        "person.date_of_birth": "1850",
        "address.postcode": "LS6",
        "person.surnmae": "x",
    }
    json_outcome, _ = both(HEALTH, record(HEALTH, patch))
    fields = {e.field for e in json_outcome.errors}
    assert fields == {"event_type", "event_date", "status", "person.date_of_birth",
                      "address.postcode", "person.surnmae"}  # fmt: skip
    _, csv_outcome = both(
        HEALTH, record(HEALTH, {k: v for k, v in patch.items() if "surnmae" not in k})
    )
    assert {e.field for e in csv_outcome.errors} == {
        "event_type", "event_date", "status", "date_of_birth", "postcode"
    }  # fmt: skip


PERSONAL = {
    "source_record_id": "Ellie Marsh 2031",
    "event_date": "2031-02-28",
    "person.forename": "Ellie-Mae" * 12,
    "person.surname": "Marsh" * 21,
    "person.date_of_birth": "2031-02-28",
    "person.nhs_number": "Ellie-Mae Marsh 2031-02-28",
    "person.person_ref": "Ellie Marsh",
    "address.postcode": "ELLIE 1",
    "address.uprn": "Marsh2031",
    "lead_professional.email": "Ellie-Mae Marsh",
    "lead_professional.phone": "Ellie 2031",
}


@pytest.mark.parametrize("form", ["json", "csv"])
def test_no_problem_repeats_the_personal_data_it_is_about(form: str) -> None:
    rec = record(HEALTH, PERSONAL)
    if form == "json":
        outcome = validate_record(rec, agency_kind=HEALTH, row=1, today=TODAY)
    else:
        outcome = validate_csv_row(cells(rec), agency_kind=HEALTH, row=2, today=TODAY)
    assert len(outcome.errors) == len(PERSONAL)
    text = " ".join(f"{e.field} {e.problem}" for e in outcome.errors)
    for fragment in ("Ellie", "Marsh", "2031", "02-28", "ELLIE"):
        assert fragment not in text


def test_a_withdrawal_needs_only_its_source_record_id() -> None:
    outcome = validate_record({"action": "withdraw", "source_record_id": "CC-7"},
                              agency_kind=POLICE, row=4, today=TODAY)  # fmt: skip
    assert (outcome.ok, outcome.action, outcome.source_record_id, outcome.record) == (
        True, "withdraw", "CC-7", None
    )  # fmt: skip


def test_a_json_withdrawal_carrying_other_fields_names_them() -> None:
    raw = {"action": "withdraw", "source_record_id": "CC-7", "event_type": "incident"}
    outcome = validate_record(raw, agency_kind=POLICE, row=4, today=TODAY)
    assert [e.field for e in outcome.errors] == ["event_type"]
    assert "only source_record_id" in outcome.errors[0].problem


def test_a_csv_withdrawal_ignores_the_other_cells_of_its_row() -> None:
    row = {"action": "withdraw", "source_record_id": "CC-7", "event_type": "nonsense",
           "event_date": "2099-01-01", "surname": "Marsh"}  # fmt: skip
    outcome = validate_csv_row(row, agency_kind=POLICE, row=9, today=TODAY)
    assert (outcome.ok, outcome.action, outcome.source_record_id) == (True, "withdraw", "CC-7")


@pytest.mark.parametrize("form", ["json", "csv"])
def test_a_withdrawal_without_an_id_is_rejected_and_has_none(form: str) -> None:
    if form == "json":
        outcome = validate_record({"action": "withdraw"}, agency_kind=FIRE, row=1, today=TODAY)
    else:
        row = {"action": "withdraw", "source_record_id": " "}
        outcome = validate_csv_row(row, agency_kind=FIRE, row=2, today=TODAY)
    assert (outcome.action, outcome.source_record_id) == ("withdraw", None)
    assert [e.field for e in outcome.errors] == ["source_record_id"]


def test_a_rejected_row_keeps_its_valid_source_record_id_for_quarantine() -> None:
    outcome = validate_record(record(HEALTH, {"status": "pending"}), agency_kind=HEALTH, row=1,
                              today=TODAY)  # fmt: skip
    assert (outcome.ok, outcome.source_record_id) == (False, "ED-1")


def test_csv_cells_are_trimmed_and_other_names_split_on_semicolons() -> None:
    row = {**cells(BASE[HEALTH]), "other_names": " Bill ; ;Billy Doherty ",
           "address_line_2": "Leeds", "forename": "  Liam "}  # fmt: skip
    outcome = validate_csv_row(row, agency_kind=HEALTH, row=2, today=TODAY)
    assert outcome.record is not None and outcome.record.person is not None
    assert outcome.record.person.other_names == ["Bill", "Billy Doherty"]
    assert outcome.record.person.forename == "Liam"
    assert outcome.record.address is not None and outcome.record.address.lines == ["Leeds"]


HEADERS = [
    (["source_record_id", "event_type", "event_date", "status", "surname"], [], "subset"),
    (["Surname", " SOURCE_RECORD_ID ", "\ufeffevent_type"], [], "case-spaces-bom-any-order"),
    (["source_record_id", "surnmae", "dob"], ["Unknown columns: surnmae, dob"], "unknown"),
    (["source_record_id", "surname", "Surname"], ["more than once: surname"], "repeated"),
    (["event_type", "surname"], ["source_record_id column is missing"], "no-id"),
    (["source_record_id", "surname", ""], ["Column 3 has no name"], "blank-name"),
]  # fmt: skip


@pytest.mark.parametrize(("header", "problems"), [pytest.param(*h[:2], id=h[2]) for h in HEADERS])
def test_header_problems_are_file_level_and_named(header: list[str], problems: list[str]) -> None:
    found = check_csv_header(header)
    assert len(found) == len(problems)
    assert all(part in text for part, text in zip(problems, found, strict=True))


def test_the_full_published_header_is_fine() -> None:
    header = (EXAMPLES / "health.csv").read_text().splitlines()[0].split(",")
    assert len(header) == 26 and check_csv_header(header) == []


def test_a_data_line_taken_for_a_header_is_not_repeated_back() -> None:
    problems = check_csv_header(["CIN-1", "child_in_need", "Ellie", "Marsh", "2015-04-12"])
    assert len(problems) == 1 and "not a header" in problems[0]
    assert "Ellie" not in problems[0] and "2015" not in problems[0]


def test_duplicate_ids_are_those_on_more_than_one_row() -> None:
    outcomes = [RowOutcome(n, sid, "upsert", None, ()) for n, sid in
                enumerate(["A", "B", "A", None, None, "C", "C", "C"], start=1)]  # fmt: skip
    assert duplicate_ids(outcomes) == {"A", "C"}


@pytest.mark.parametrize("kind", list(AgencyKind), ids=lambda kind: kind.value)
def test_the_published_examples_are_valid_and_the_same_in_json_and_csv(kind: AgencyKind) -> None:
    today = date.today()
    records = json.loads((EXAMPLES / f"{kind.value}.json").read_text())["records"]
    from_json = [validate_record(r, agency_kind=kind, row=n, today=today)
                 for n, r in enumerate(records, start=1)]  # fmt: skip
    with (EXAMPLES / f"{kind.value}.csv").open(newline="", encoding="utf-8") as file:
        from_csv = [validate_csv_row(row, agency_kind=kind, row=n, today=today)
                    for n, row in enumerate(csv.DictReader(file), start=2)]  # fmt: skip
    assert [o.errors for o in from_json + from_csv] == [()] * (len(from_json) + len(from_csv))
    summary = [(o.action, o.source_record_id, o.record) for o in from_json]
    assert summary == [(o.action, o.source_record_id, o.record) for o in from_csv]
    assert "withdraw" in {o.action for o in from_json}
    if kind in (POLICE, FIRE):
        assert any(o.record is not None and o.record.person is None for o in from_json)
