"""Rejected requests: the right status, fields named without their values, nothing published."""

from __future__ import annotations

from typing import Any

import pytest

Gateway = Any  # the `gateway` fixture of conftest.py
URL = "/v1/feeds/trust-ed/records"
SURNAME = "Featherstonehaugh"


def record(source_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source_record_id": source_id,
        "agency_kind": "health",
        "event_type": "did_not_attend",
        "event_date": "2025-03-01",
        "status": "open",
        "person": {"forename": "Olivia", "surname": SURNAME, "nhs_number": "9434765919"},
    }
    return {**base, **changes}


async def post(gateway: Gateway, body: Any, *, headers: dict[str, str] | None = None) -> Any:
    response = await gateway.client.post(
        URL, json=body, headers=gateway.health if headers is None else headers
    )
    assert gateway.published() == [], "nothing may be published for a rejected request"
    return response


def problems(response: Any) -> dict[str, str]:
    assert response.status_code == 422
    assert '"input"' not in response.text
    return {p["field"]: p["problem"] for p in response.json()["detail"]}


async def test_malformed_json_names_the_body(gateway: Gateway) -> None:
    response = await gateway.client.post(
        URL, content=b'{"records": [{"source_record_id": "A1", ', headers=gateway.health
    )
    assert list(problems(response)) == ["body"]
    assert "JSON" in problems(response)["body"]
    assert gateway.published() == []


async def test_wrong_types_name_each_field_without_echoing_values(gateway: Gateway) -> None:
    bad_person = {"forename": "Olivia", "surname": SURNAME, "nhs_number": 9434765919}
    body = {"records": [
        record("A1"),
        record("A2", event_date="1st of March", status="pending"),
        record("A3", person=bad_person, address={"lines": "12 Acacia Avenue"}),
    ]}  # fmt: skip
    response = await post(gateway, body)
    found = problems(response)
    assert set(found) == {
        "records[1].event_date",
        "records[1].status",
        "records[2].person.nhs_number",
        "records[2].address.lines",
    }
    for value in ["1st of March", "pending", "9434765919", "Acacia", SURNAME]:
        assert value not in response.text


async def test_missing_required_fields_are_named(gateway: Gateway) -> None:
    incomplete = record("A2")
    del incomplete["source_record_id"], incomplete["event_date"]
    found = problems(await post(gateway, {"records": [record("A1"), incomplete]}))
    assert set(found) == {"records[1].source_record_id", "records[1].event_date"}
    assert found["records[1].event_date"] == "Field required"


async def test_missing_records_and_empty_batches(gateway: Gateway) -> None:
    assert set(problems(await post(gateway, {}))) == {"records"}
    assert set(problems(await post(gateway, {"records": []}))) == {"records"}
    assert set(problems(await post(gateway, [record("A1")]))) == {"body"}


async def test_more_than_max_records_is_rejected(gateway: Gateway) -> None:
    found = problems(await post(gateway, {"records": [record(f"A{n}") for n in range(51)]}))
    assert list(found) == ["records"]
    assert "50" in found["records"]


async def test_an_unknown_field_is_named_but_a_personal_key_is_not_echoed(gateway: Gateway) -> None:
    body = {"records": [record("A1", case_notes="x"), record("A2", **{"Jane Doe": "x"})]}
    response = await post(gateway, body)
    found = problems(response)
    assert set(found) == {"records[0].case_notes", "records[1].(unknown field)"}
    assert "remove it" in found["records[0].case_notes"]
    assert "Jane Doe" not in response.text


async def test_agency_kind_must_be_the_feeds(gateway: Gateway) -> None:
    found = problems(
        await post(gateway, {"records": [record("A1"), record("A2", agency_kind="police")]})
    )
    assert list(found) == ["records[1].agency_kind"]
    assert "health" in found["records[1].agency_kind"]


async def test_a_repeated_source_record_id_is_rejected(gateway: Gateway) -> None:
    body = {"records": [record("A1"), record("A2"), record("A1")]}
    found = problems(await post(gateway, body))
    assert list(found) == ["records[2].source_record_id"]
    assert "records[0]" in found["records[2].source_record_id"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-real-token-at-all"},
    ],
)
async def test_without_a_valid_token_the_answer_is_401(
    gateway: Gateway, headers: dict[str, str]
) -> None:
    response = await post(gateway, {"records": [record("A1")]}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_disabled_partner_gets_401(gateway: Gateway) -> None:
    from lateral_ingest_gateway.bootstrap import open_database
    from lateral_ingest_gateway.service_layer.partners import disable_partner
    from lateral_shared.db import session_factory

    engine = await open_database(gateway.database_url)
    async with session_factory(engine)() as session:
        assert await disable_partner(session, partner_id="trust")
    await engine.dispose()
    response = await post(gateway, {"records": [record("A1")]})
    assert response.status_code == 401


async def test_another_partners_feed_is_403_and_an_unknown_feed_404(gateway: Gateway) -> None:
    response = await post(gateway, {"records": [record("A1")]}, headers=gateway.police)
    assert response.status_code == 403
    unknown = await gateway.client.post(
        "/v1/feeds/no-such-feed/records", json={"records": [record("A1")]}, headers=gateway.health
    )
    assert unknown.status_code == 404
    assert gateway.published() == []
