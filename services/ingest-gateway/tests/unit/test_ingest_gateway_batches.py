"""Idempotency and change at the gateway: an identical resend is counted unchanged and not
published, new content is an update, a withdrawal is published as one; batch reports page their
row errors and are private to their partner."""

from __future__ import annotations

from typing import Any

import pytest

from lateral_shared.contracts import RECORDS_RAW, RecordReceived, decode_event

Gateway = Any  # the `gateway` fixture of conftest.py
URL = "/v1/feeds/trust-ed/records"


@pytest.fixture
def gateway_settings() -> dict[str, Any]:
    return {"chunk_rows": 2}  # so batches here span several chunks


def record(source_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source_record_id": source_id,
        "event_type": "emergency_attendance",
        "event_date": "2025-03-01",
        "status": "open",
        "person": {"forename": "Amir", "surname": "Okonkwo", "date_of_birth": "2011-02-03"},
    }
    return {**base, **changes}


def withdrawal(source_id: str) -> dict[str, Any]:
    return {"action": "withdraw", "source_record_id": source_id}


async def push(gateway: Gateway, *records: dict[str, Any]) -> dict[str, Any]:
    response = await gateway.client.post(
        URL, json={"records": list(records)}, headers=gateway.health
    )
    assert response.status_code in (202, 422), response.text
    return response.json()  # type: ignore[no-any-return]


def counts(body: dict[str, Any]) -> tuple[int, ...]:
    names = ("received", "accepted", "updated", "unchanged", "withdrawn", "rejected")
    return tuple(body[name] for name in names)


def events(gateway: Gateway) -> list[RecordReceived]:
    found = [decode_event(RECORDS_RAW, value) for value in gateway.published()]
    assert all(isinstance(event, RecordReceived) for event in found)
    return found  # type: ignore[return-value]


async def test_an_identical_resend_is_unchanged_and_not_published(gateway: Gateway) -> None:
    first = await push(gateway, record("R1"), record("R2"))
    # Same content, written differently: keys in another order, the agency kind spelt out.
    again = await push(gateway, {"agency_kind": "health", **record("R2")}, record("R1"))
    assert counts(first) == (2, 2, 0, 0, 0, 0)
    assert counts(again) == (2, 0, 0, 2, 0, 0)
    assert [e.source_record_id for e in events(gateway)] == ["R1", "R2"]


async def test_new_content_is_an_update_and_is_published(gateway: Gateway) -> None:
    await push(gateway, record("R1"), record("R2"))
    closed = record("R1", status="closed", end_date="2025-03-02")
    body = await push(gateway, closed, record("R2"), record("R3"))
    assert counts(body) == (3, 1, 1, 1, 0, 0)
    published = events(gateway)
    assert [e.source_record_id for e in published] == ["R1", "R2", "R1", "R3"]
    update = published[2]
    assert update.record is not None and update.record.end_date is not None
    assert (update.batch_id, update.row_number) == (published[3].batch_id, 1)


async def test_a_withdrawal_is_published_once_and_an_unknown_one_is_a_row_error(
    gateway: Gateway,
) -> None:
    await push(gateway, record("R1"), record("R2"))
    body = await push(gateway, withdrawal("R1"), withdrawal("NEVER-SENT"))
    assert counts(body) == (2, 0, 0, 0, 1, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "source_record_id")]
    repeated = await push(gateway, withdrawal("R1"))
    assert counts(repeated) == (1, 0, 0, 1, 0, 0)
    gone = events(gateway)[-1]
    assert (gone.action, gone.source_record_id, gone.record) == ("withdraw", "R1", None)
    assert len(events(gateway)) == 3
    # Sent again after its withdrawal, the record is new to Lateral once more.
    back = await push(gateway, record("R1"))
    assert counts(back) == (1, 1, 0, 0, 0, 0)
    assert events(gateway)[-1].action == "upsert"


async def test_row_errors_are_paged_in_row_order(gateway: Gateway) -> None:
    bad = [record(f"B{n}", event_date="not a date") for n in range(1, 8)]
    body = await push(gateway, record("OK"), *bad)
    assert (body["error_count"], len(body["errors"])) == (7, 7)
    url = f"/v1/batches/{body['batch_id']}"
    page = await gateway.client.get(url, params={"page": 2, "page_size": 3}, headers=gateway.health)
    assert page.status_code == 200
    listed = page.json()
    assert [e["row"] for e in listed["errors"]] == [5, 6, 7]
    assert (listed["error_count"], listed["page"], listed["page_size"]) == (7, 2, 3)
    assert "not a date" not in page.text


async def test_a_batch_is_visible_only_to_its_partner(gateway: Gateway) -> None:
    body = await push(gateway, record("R1"))
    url = f"/v1/batches/{body['batch_id']}"
    assert (await gateway.client.get(url, headers=gateway.health)).status_code == 200
    assert (await gateway.client.get(url, headers=gateway.police)).status_code == 404
    bad = await gateway.client.get("/v1/batches/not-a-uuid", headers=gateway.health)
    assert bad.status_code == 404 and "not-a-uuid" not in bad.text


async def test_repeats_are_found_across_chunks(gateway: Gateway) -> None:
    """Rows go two to a chunk here: repeats of a taken row and of a rejected row in later
    chunks are still row errors, naming the first row."""
    rows = [record("C1"), record("C2", event_date="soon"), record("C3"), record("C1"),
            record("C2")]  # fmt: skip
    body = await push(gateway, *rows)
    assert counts(body) == (5, 2, 0, 0, 0, 3)
    errors = {e["row"]: e["problem"] for e in body["errors"] if e["field"] == "source_record_id"}
    assert "row 1" in errors[4] and "row 2" in errors[5]
    assert [e.source_record_id for e in events(gateway)] == ["C1", "C3"]
