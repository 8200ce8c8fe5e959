"""A partner lists its feed's batches, newest first, a page at a time; never another partner's."""

from __future__ import annotations

from typing import Any

Gateway = Any  # the `gateway` fixture of conftest.py
LIST = "/v1/feeds/trust-ed/batches"


def record(source_id: str) -> dict[str, Any]:
    return {
        "source_record_id": source_id, "event_type": "emergency_attendance",
        "event_date": "2025-03-01", "status": "open", "person": {"surname": "Nowak"},
    }  # fmt: skip


async def send(gateway: Gateway, *records: Any) -> str:
    body = {"records": list(records)}
    response = await gateway.client.post(
        "/v1/feeds/trust-ed/records", json=body, headers=gateway.health
    )
    return str(response.json()["batch_id"])


async def test_a_feeds_batches_are_listed_newest_first_a_page_at_a_time(gateway: Gateway) -> None:
    sent = [await send(gateway, record(f"B{n}"), {"source_record_id": "x y"}) for n in range(5)]
    first = (await gateway.client.get(LIST, params={"page_size": 2}, headers=gateway.health)).json()
    third = await gateway.client.get(LIST, params={"page": 3, "page_size": 2},
                                     headers=gateway.health)  # fmt: skip

    assert (first["feed_id"], first["total"], first["page"], first["page_size"]) == (
        "trust-ed", 5, 1, 2,
    )  # fmt: skip
    assert [b["batch_id"] for b in first["batches"]] == [sent[4], sent[3]]
    assert [b["batch_id"] for b in third.json()["batches"]] == [sent[0]]
    newest = first["batches"][0]
    assert (newest["status"], newest["way_in"], newest["received"], newest["accepted"],
            newest["rejected"]) == ("completed", "api", 2, 1, 1)  # fmt: skip
    assert "errors" not in newest  # each batch's row errors: GET /v1/batches/{id}


async def test_another_partners_feed_cannot_be_listed(gateway: Gateway) -> None:
    await send(gateway, record("B1"))
    assert (await gateway.client.get(LIST, headers=gateway.police)).status_code == 403
    assert (await gateway.client.get(LIST)).status_code == 401
    missing = await gateway.client.get("/v1/feeds/nope/batches", headers=gateway.health)
    assert missing.status_code == 404
