"""The published data schema: CSV layout, postcodes, a JSON Schema per kind, and the docs page."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from lateral_shared.contracts import AgencyKind, PartnerRecord
from lateral_shared.contracts.schema import (
    COLUMNS,
    CSV_COLUMNS,
    POSTCODE_JSON_PATTERN,
    csv_column,
    csv_row_to_record,
    is_valid_postcode,
    json_schema,
    normalise_postcode,
)
from lateral_shared.contracts.schema_docs import render
from lateral_shared.contracts.vocabulary import KIND_SPECS

DOCS = Path(__file__).parents[3] / "docs" / "data-schema.md"

# The layout partners' extracts are written against: changing it is a new schema version.
PUBLISHED_HEADER = (
    "action,source_record_id,event_type,event_date,status,end_date,category,attend_code,"
    "forename,middle_names,surname,other_names,date_of_birth,gender,nhs_number,person_ref,"
    "address_line_1,address_line_2,address_line_3,address_line_4,postcode,uprn,"
    "lead_professional_name,lead_professional_team,lead_professional_phone,"
    "lead_professional_email"
)


def test_the_csv_columns_are_the_published_layout() -> None:
    assert ",".join(CSV_COLUMNS) == PUBLISHED_HEADER


def test_every_field_of_a_partner_record_has_a_csv_column() -> None:
    nested = {"person", "address", "lead_professional"}
    fields = {name for name in PartnerRecord.model_fields if name not in nested | {"agency_kind"}}
    for part in nested:
        model = PartnerRecord.model_fields[part].annotation.__args__[0]  # type: ignore[union-attr]
        fields |= {f"{part}.{name}" for name in model.model_fields}
    assert fields == {column.path for column in COLUMNS} - {"action"}


POSTCODES = [
    ("LS6 2QF", True), ("ls62qf", True), ("Ls6 2qF", True), ("EC1A 1BB", True),
    ("W1A 0AX", True), ("M1 1AE", True), ("B33 8TH", True), ("CR2 6XH", True),
    ("DN55 1PT", True), ("GIR 0AA", True), ("ZZ99 3VZ", True), ("zz993wz", True),
    ("BFPO 57", True), ("bfpo1234", True),
    ("LS6", False), ("Q1A 1AA", False), ("LS6 2QI", False), ("LS6 2CF", False),
    ("V1A 1AA", False), ("12345", False), ("ZZ99", False), ("BFPO 12345", False),
    ("LS6 2QFF", False), ("", False), ("SW1A1AAA", False),
]  # fmt: skip


@pytest.mark.parametrize(("postcode", "valid"), POSTCODES, ids=[p or "empty" for p, _ in POSTCODES])
def test_the_gateway_and_the_json_schema_agree_on_postcodes(postcode: str, valid: bool) -> None:
    assert is_valid_postcode(postcode) is valid
    assert (re.search(POSTCODE_JSON_PATTERN, postcode) is not None) is valid


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("ls62qf", "LS6 2QF"), (" LS6  2QF ", "LS6 2QF"), ("ec1a1bb", "EC1A 1BB"),
     ("bfpo 57", "BFPO57"), ("LS6", "LS6")],
)  # fmt: skip
def test_postcodes_are_normalised_as_reference_md_says(raw: str, normal: str) -> None:
    assert normalise_postcode(raw) == normal


def test_a_csv_row_becomes_the_json_record_shape() -> None:
    cells = {
        "Surname": " Marsh ", "address_line_3": "Leeds", "address_line_1": "Flat 3",
        "other_names": "Ellie Smith; ;Ellie-May Marsh", "action": "", "attend_code": "3",
        "unknown": "ignored", "postcode": "  ",
    }  # fmt: skip
    assert csv_row_to_record(cells) == {
        "person": {"surname": "Marsh", "other_names": ["Ellie Smith", "Ellie-May Marsh"]},
        "address": {"lines": ["Flat 3", "Leeds"]},
        "attend_code": "3",
    }


@pytest.mark.parametrize(
    ("path", "column"),
    [("person.date_of_birth", "date_of_birth"), ("lead_professional.email",
      "lead_professional_email"), ("address.lines[1]", "address_line_3"), ("person", "surname"),
     ("address", "address_line_1"), ("person.other_names[3]", "other_names"),
     ("event_date", "event_date")],
)  # fmt: skip
def test_a_json_field_path_names_the_csv_column_it_came_from(path: str, column: str) -> None:
    cells = {"address_line_1": "Flat 3", "address_line_2": "", "address_line_3": "Leeds"}
    assert csv_column(path, cells) == column


@pytest.mark.parametrize("kind", list(AgencyKind), ids=lambda kind: kind.value)
def test_each_kind_has_a_valid_json_schema_for_its_own_event_types(kind: AgencyKind) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    others = {t for k, spec in KIND_SPECS.items() if k != kind for t in spec.event_types}
    for event_type in others - set(KIND_SPECS[kind].event_types):
        record = {"source_record_id": "R-1", "event_type": event_type,
                  "event_date": "2026-01-01", "status": "open"}  # fmt: skip
        errors = [e.message for e in validator.iter_errors(record)]
        assert any("is not one of" in message for message in errors), event_type


def test_changing_a_returned_schema_does_not_change_the_next_one() -> None:
    json_schema(AgencyKind.HEALTH)["$defs"].clear()
    assert "Record" in json_schema(AgencyKind.HEALTH)["$defs"]


def test_the_generated_tables_of_the_docs_page_are_up_to_date() -> None:
    page = DOCS.read_text()
    assert render(page) == page, (
        "docs/data-schema.md is out of date: run "
        "`.venv/bin/python -m lateral_shared.contracts.schema_docs docs/data-schema.md`"
    )


def test_the_docs_prose_explains_every_event_type_and_category() -> None:
    prose = re.sub(
        r"<!-- BEGIN GENERATED.*?END GENERATED: \w+ -->", "", DOCS.read_text(), flags=re.S
    )
    for spec in KIND_SPECS.values():
        for term in (spec.kind.value, *spec.event_types, *spec.categories):
            assert f"`{term}`" in prose, term
