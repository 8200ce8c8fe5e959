"""The published schema over HTTP, and its agreement with the gateway's own row checks.

Partner IT checks extracts against the served JSON Schema; a record it accepts must not then be
rejected by the gateway for a rule the schema could have expressed, and the other way round.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi import FastAPI

from lateral_ingest_gateway.domain.validation import validate_record
from lateral_ingest_gateway.entrypoints.schema_http import schema_router
from lateral_shared.contracts import AgencyKind

EXAMPLES = Path(__file__).parents[4] / "docs" / "examples"
KINDS = ["childrens_social_care", "adult_social_care", "health", "police", "fire"]
TODAY = date(2026, 11, 21)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(schema_router())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def served(client: httpx.AsyncClient, kind: str) -> jsonschema.Draft202012Validator:
    response = await client.get(f"/v1/schema/{kind}")
    assert response.status_code == 200
    return jsonschema.Draft202012Validator(response.json())


async def test_the_index_lists_every_kind_the_version_and_the_csv_columns(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/schema")  # no token: the schema is public
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "1.0"
    assert [k["agency_kind"] for k in body["kinds"]] == KINDS
    assert [k["url"] for k in body["kinds"]] == [f"/v1/schema/{kind}" for kind in KINDS]
    assert body["csv_columns"][:2] == ["action", "source_record_id"]
    assert len(body["csv_columns"]) == 26


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_serves_a_valid_versioned_json_schema(
    client: httpx.AsyncClient, kind: str
) -> None:
    response = await client.get(f"/v1/schema/{kind}")
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"urn:lateral:schema:partner-record:{kind}:1.0"
    assert schema["version"] == "1.0"


async def test_an_unknown_kind_is_404_naming_the_known_kinds(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/schema/housing")
    assert response.status_code == 404
    assert all(kind in response.json()["detail"] for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
async def test_the_published_json_examples_validate_against_the_served_schema(
    client: httpx.AsyncClient, kind: str
) -> None:
    validator = await served(client, kind)
    records = json.loads((EXAMPLES / f"{kind}.json").read_text())["records"]
    assert [list(validator.iter_errors(r)) for r in records] == [[] for _ in records]


MINIMAL: dict[str, dict[str, Any]] = {
    "health": {"source_record_id": "ED-1", "event_type": "missed_appointment",
               "event_date": "2026-10-03", "status": "closed", "attend_code": 3,
               "person": {"nhs_number": "9948219937"}},
    "police": {"source_record_id": "CC-1", "event_type": "non_emergency_call",
               "event_date": "2026-10-04", "status": "open", "category": "anti_social_behaviour",
               "address": {"postcode": "LS12 3PT"}},
    "fire": {"source_record_id": "HFSV-1", "event_type": "home_fire_safety_visit",
             "event_date": "2026-06-12", "status": "closed", "end_date": "2026-06-12",
             "address": {"lines": ["2 Mill Lane"]}},
    "childrens_social_care": {"source_record_id": "LAC-1", "event_type": "looked_after",
                              "event_date": "2026-07-19", "status": "open",
                              "person": {"person_ref": "CP-71540"}},
}  # fmt: skip


def change(kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    return kind, {**MINIMAL[kind], **fields}


# Records both the served schema and the gateway must reject.
BOTH_REJECT = {
    "event-type-of-another-kind": change("health", event_type="incident"),
    "status-unknown": change("health", status="pending"),
    "date-not-iso": change("health", event_date="03/10/2026"),
    "open-with-end-date": change("police", end_date="2026-10-05"),
    "attend-code-missing": change("health", attend_code=None),
    "attend-code-unknown": change("health", attend_code=9),
    "attend-code-on-attendance": change("health", event_type="emergency_attendance"),
    "category-missing": change("police", category=None),
    "category-of-fire-in-police": change("police", category="false_alarm"),
    "category-in-health": change("health", category="crime"),
    "person-without-identity": change("health", person={"forename": "Liam"}),
    "person-missing": change("childrens_social_care", person=None),
    "address-missing": change("police", address=None),
    "address-blank-line": change("fire", address={"lines": [" "]}),
    "postcode-invalid": change("police", address={"postcode": "LS6"}),
    "uprn-letters": change("police", address={"uprn": "7204551A"}),
    "uprn-13-digits": change("police", address={"uprn": "1000233369561"}),
    "dob-not-a-date-form": change("health", person={"surname": "D", "date_of_birth": "1/2/90"}),
    "surname-too-long": change("health", person={"surname": "D" * 101}),
    "nhs-number-absurd": change("health", person={"nhs_number": "9" * 21}),
    "email-without-at": change("police", lead_professional={"email": "chris.dale"}),
    "phone-of-words": change("police", lead_professional={"phone": "ring the office"}),
    "unknown-field": change("health", ward="A&E"),
    "agency-kind-of-another-feed": change("health", agency_kind="police"),
    "withdrawal-with-more": ("police", {"action": "withdraw", "source_record_id": "CC-1",
                                        "event_type": "incident"}),
    "withdrawal-without-id": ("police", {"action": "withdraw"}),
}  # fmt: skip
BOTH_ACCEPT = {
    **{f"minimal-{kind}": change(kind) for kind in MINIMAL},
    "withdrawal": ("fire", {"action": "withdraw", "source_record_id": "IRS-9"}),
    "withdrawal-naming-its-kind": ("fire", {"action": "withdraw", "source_record_id": "IRS-9",
                                            "agency_kind": "fire"}),
    "explicit-upsert": change("health", action="upsert", agency_kind="health"),
    "zz99-postcode": change("health", address={"postcode": "ZZ99 3VZ"}),
    "lower-case-postcode-no-space": change("police", address={"postcode": "ls123pt"}),
    "bfpo": change("police", address={"postcode": "BFPO 57"}),
    "nhs-number-failing-check-digit": change("health", person={"nhs_number": "9434765918"}),
    "partial-dob": change("health", person={"surname": "D", "date_of_birth": "1994-02"}),
    "fire-incident": change("fire", event_type="incident", category="special_service"),
}  # fmt: skip


def _without_nulls(record: dict[str, Any]) -> dict[str, Any]:
    # `change(..., x=None)` removes a field, for the schema (where null would be allowed) too.
    return {k: v for k, v in record.items() if v is not None}


@pytest.mark.parametrize(("kind", "record"), BOTH_REJECT.values(), ids=BOTH_REJECT.keys())
async def test_the_schema_and_the_gateway_both_reject(
    client: httpx.AsyncClient, kind: str, record: dict[str, Any]
) -> None:
    record = _without_nulls(record)
    validator = await served(client, kind)
    assert not validator.is_valid(record)
    assert not validate_record(record, agency_kind=AgencyKind(kind), row=1, today=TODAY).ok


@pytest.mark.parametrize(("kind", "record"), BOTH_ACCEPT.values(), ids=BOTH_ACCEPT.keys())
async def test_the_schema_and_the_gateway_both_accept(
    client: httpx.AsyncClient, kind: str, record: dict[str, Any]
) -> None:
    record = _without_nulls(record)
    validator = await served(client, kind)
    assert list(validator.iter_errors(record)) == []
    assert validate_record(record, agency_kind=AgencyKind(kind), row=1, today=TODAY).errors == ()
