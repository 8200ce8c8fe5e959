"""Rejections of JSON batches: a body wrong as a whole is refused with one error and nothing
taken; otherwise each bad row gets its own errors (field and problem, never the value) while the
good rows are taken; unauthorised callers get 401/403/404 and nothing is published."""

from __future__ import annotations

from typing import Any

import pytest

from lateral_shared.contracts import RECORDS_RAW, decode_event

Gateway = Any  # the `gateway` fixture of conftest.py
URL = "/v1/feeds/trust-ed/records"
SURNAME = "Featherstonehaugh"


def record(source_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source_record_id": source_id,
        "agency_kind": "health",
        "event_type": "missed_appointment",
        "attend_code": 3,
        "event_date": "2025-03-01",
        "status": "open",
        "person": {"forename": "Olivia", "surname": SURNAME, "nhs_number": "9434765919"},
    }
    return {**base, **changes}


async def post(gateway: Gateway, body: Any, *, headers: dict[str, str] | None = None) -> Any:
    return await gateway.client.post(
        URL, json=body, headers=gateway.health if headers is None else headers
    )


def file_problem(response: Any) -> tuple[str, str]:
    """The one problem of a body rejected as a whole (nothing taken, nothing published)."""
    assert response.status_code == 422
    assert '"input"' not in response.text
    body = response.json()
    assert (body["status"], body["received"]) == ("rejected", 0)
    [problem] = body["detail"]
    assert problem["problem"] == body["file_error"]
    return problem["field"], problem["problem"]


def row_errors(body: dict[str, Any]) -> dict[tuple[int, str], str]:
    return {(e["row"], e["field"]): e["problem"] for e in body["errors"]}


def published_ids(gateway: Gateway) -> list[str]:
    return [decode_event(RECORDS_RAW, v).source_record_id for v in gateway.published()]  # type: ignore[attr-defined]


async def test_malformed_json_is_rejected_as_a_whole(gateway: Gateway) -> None:
    response = await gateway.client.post(
        URL, content=b'{"records": [{"source_record_id": "A1", ', headers=gateway.health
    )
    field, problem = file_problem(response)
    assert field == "body" and "JSON" in problem
    assert gateway.published() == []


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "records", "required"),
        ({"records": []}, "records", "empty"),
        ({"records": {"source_record_id": "A1"}}, "records", "list"),
        ([record("A1")], "body", "object"),
        ({"records": [record("A1")], "padding": 1}, "padding", "remove it"),
    ],
)
async def test_a_body_of_the_wrong_shape_is_rejected_as_a_whole(
    gateway: Gateway, body: Any, field: str, words: str
) -> None:
    found = file_problem(await post(gateway, body))
    assert found[0] == field and words in found[1]
    assert gateway.published() == []


async def test_more_than_max_records_is_rejected_as_a_whole(gateway: Gateway) -> None:
    field, problem = file_problem(
        await post(gateway, {"records": [record(f"A{n}") for n in range(51)]})
    )
    assert field == "records" and "50" in problem


async def test_bad_rows_get_their_own_errors_and_good_rows_are_taken(gateway: Gateway) -> None:
    bad_person = {"forename": "Olivia", "surname": SURNAME, "nhs_number": 9434765919}
    body = {"records": [
        record("A1"),
        record("A2", event_date="1st of March", status="pending"),
        record("A3", person=bad_person, address={"lines": "12 Acacia Avenue"}),
        record("A4"),
    ]}  # fmt: skip
    response = await post(gateway, body)
    assert response.status_code == 202
    answer = response.json()
    assert (answer["received"], answer["accepted"], answer["rejected"]) == (4, 2, 2)
    assert set(row_errors(answer)) == {
        (2, "event_date"), (2, "status"), (3, "person.nhs_number"), (3, "address.lines"),
    }  # fmt: skip
    for value in ["1st of March", "pending", "9434765919", "Acacia", SURNAME]:
        assert value not in response.text
    assert published_ids(gateway) == ["A1", "A4"]


async def test_missing_required_fields_are_named(gateway: Gateway) -> None:
    incomplete = record("A2")
    del incomplete["event_date"], incomplete["status"]
    nameless = record("A3")
    del nameless["source_record_id"]
    answer = (await post(gateway, {"records": [record("A1"), incomplete, nameless]})).json()
    errors = row_errors(answer)
    assert set(errors) == {(2, "event_date"), (2, "status"), (3, "source_record_id")}
    assert "required" in errors[(2, "event_date")]
    assert published_ids(gateway) == ["A1"]


async def test_when_no_row_can_be_taken_the_answer_is_422(gateway: Gateway) -> None:
    response = await post(gateway, {"records": [record("A1", event_date="last week")]})
    assert response.status_code == 422
    body = response.json()
    assert (body["status"], body["received"], body["rejected"]) == ("completed", 1, 1)
    assert [(e["row"], e["field"]) for e in body["detail"]] == [(1, "event_date")]
    assert "last week" not in response.text
    assert gateway.published() == []


async def test_an_unknown_field_is_named_but_a_personal_key_is_not_echoed(gateway: Gateway) -> None:
    body = {"records": [record("A1", case_notes="x"), record("A2", **{"Jane Doe": "x"})]}
    response = await post(gateway, body)
    errors = row_errors(response.json())
    assert "remove it" in errors[(1, "case_notes")]
    assert any(row == 2 for row, _ in errors)
    assert "Jane Doe" not in response.text


async def test_agency_kind_must_be_the_feeds(gateway: Gateway) -> None:
    answer = (
        await post(gateway, {"records": [record("A1"), record("A2", agency_kind="police")]})
    ).json()
    errors = row_errors(answer)
    assert list(errors) == [(2, "agency_kind")]
    assert "health" in errors[(2, "agency_kind")]
    assert published_ids(gateway) == ["A1"]


async def test_each_repeat_of_a_source_record_id_in_a_batch_is_a_row_error(
    gateway: Gateway,
) -> None:
    body = {"records": [record("A1"), record("A2"), record("A1"), record("A1", status="closed")]}
    answer = (await post(gateway, body)).json()
    errors = row_errors(answer)
    assert list(errors) == [(3, "source_record_id"), (4, "source_record_id")]
    assert "row 1" in errors[(3, "source_record_id")]
    assert (answer["accepted"], answer["rejected"]) == (2, 2)
    assert published_ids(gateway) == ["A1", "A2"]


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
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert gateway.published() == []


async def test_another_partners_feed_is_403_and_an_unknown_feed_404(gateway: Gateway) -> None:
    response = await post(gateway, {"records": [record("A1")]}, headers=gateway.police)
    assert response.status_code == 403
    unknown = await gateway.client.post(
        "/v1/feeds/no-such-feed/records", json={"records": [record("A1")]}, headers=gateway.health
    )
    assert unknown.status_code == 404
    assert gateway.published() == []
