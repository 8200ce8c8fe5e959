"""Quarantine: rejected rows are kept, with their errors, for their partner alone to correct and
send again; a corrected row sent in a later batch leaves quarantine."""

from __future__ import annotations

from typing import Any

Gateway = Any  # the `gateway` fixture of conftest.py
URL = "/v1/feeds/trust-ed/records"
QUARANTINE = "/v1/feeds/trust-ed/quarantine"


def record(source_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source_record_id": source_id,
        "event_type": "emergency_attendance",
        "event_date": "2025-03-01",
        "status": "open",
        "person": {"forename": "Grace", "surname": "Ellingworth", "date_of_birth": "1988"},
    }
    return {**base, **changes}


async def push(gateway: Gateway, *records: dict[str, Any]) -> dict[str, Any]:
    response = await gateway.client.post(
        URL, json={"records": list(records)}, headers=gateway.health
    )
    return response.json()  # type: ignore[no-any-return]


async def quarantine(gateway: Gateway, **params: Any) -> dict[str, Any]:
    response = await gateway.client.get(QUARANTINE, params=params, headers=gateway.health)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def test_rejected_rows_wait_in_quarantine_with_their_errors(gateway: Gateway) -> None:
    batch = await push(gateway, record("Q1"), record("Q2", event_date="2999-01-01"), {"x": 1})
    assert (batch["accepted"], batch["rejected"]) == (1, 2)
    listed = await quarantine(gateway)
    assert listed["total"] == 2
    first, second = listed["rows"]
    assert (first["batch_id"], first["row"], first["source_record_id"]) == (
        batch["batch_id"], 2, "Q2",
    )  # fmt: skip
    assert [e["field"] for e in first["errors"]] == ["event_date"]
    assert (second["row"], second["source_record_id"]) == (3, None)
    # The row's data is shown only when asked for, and never in the errors.
    assert first["data"] is None and "Ellingworth" not in str(listed)
    with_data = await quarantine(gateway, include_data="true")
    assert with_data["rows"][0]["data"]["person"]["surname"] == "Ellingworth"


async def test_a_corrected_row_sent_later_leaves_quarantine(gateway: Gateway) -> None:
    await push(gateway, record("Q1", event_date="tomorrow"), record("Q2", status="maybe"))
    assert [r["source_record_id"] for r in (await quarantine(gateway))["rows"]] == ["Q1", "Q2"]
    corrected = await push(gateway, record("Q1"))
    assert (corrected["accepted"], corrected["rejected"]) == (1, 0)
    assert [r["source_record_id"] for r in (await quarantine(gateway))["rows"]] == ["Q2"]


async def test_a_newer_rejection_of_a_row_replaces_the_older(gateway: Gateway) -> None:
    await push(gateway, record("Q1", event_date="tomorrow"), record("OK"))
    later = await push(gateway, record("Q1", status="maybe"), record("OK"))
    rows = (await quarantine(gateway))["rows"]
    assert [(r["batch_id"], r["source_record_id"]) for r in rows] == [(later["batch_id"], "Q1")]
    assert [e["field"] for e in rows[0]["errors"]] == ["status"]


async def test_quarantine_is_paged(gateway: Gateway) -> None:
    await push(gateway, record("OK"), *[record(f"Q{n}", status="maybe") for n in range(5)])
    page = await quarantine(gateway, page=2, page_size=2)
    assert (page["total"], page["page"]) == (5, 2)
    assert [r["source_record_id"] for r in page["rows"]] == ["Q2", "Q3"]


async def test_quarantine_is_visible_only_to_its_partner(gateway: Gateway) -> None:
    await push(gateway, record("Q1", status="maybe"), record("OK"))
    other = await gateway.client.get(QUARANTINE, headers=gateway.police)
    assert other.status_code == 403
    assert "Ellingworth" not in other.text
    own = await gateway.client.get("/v1/feeds/police-cc/quarantine", headers=gateway.police)
    assert (own.status_code, own.json()["total"]) == (200, 0)
    unknown = await gateway.client.get("/v1/feeds/nope/quarantine", headers=gateway.health)
    assert unknown.status_code == 404
