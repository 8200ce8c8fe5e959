"""Feed health: when the feed last sent, how that batch went, and how many of its records carry
the strong identifiers — with "never sent" (not known) distinct from "sent, nothing new"."""

from __future__ import annotations

from typing import Any

Gateway = Any  # the `gateway` fixture of conftest.py
HEALTH = "/v1/feeds/trust-ed/health"


def record(source_id: str, **person: Any) -> dict[str, Any]:
    return {
        "source_record_id": source_id, "event_type": "emergency_attendance",
        "event_date": "2025-03-01", "status": "open",
        "person": {"forename": "Kwame", "surname": "Mensah", **person},
    }  # fmt: skip


async def health(gateway: Gateway) -> dict[str, Any]:
    response = await gateway.client.get(HEALTH, headers=gateway.health)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


async def test_a_feed_that_never_sent_is_not_known_not_zero(gateway: Gateway) -> None:
    body = await health(gateway)
    assert (body["feed_id"], body["agency_kind"], body["last_batch"]) == (
        "trust-ed", "health", None,
    )  # fmt: skip
    coverage = body["coverage"]
    assert (coverage["records"], coverage["nhs_number"], coverage["uprn"]) == (0, None, None)


async def test_health_shows_the_last_batch_and_identifier_coverage(gateway: Gateway) -> None:
    records = [
        record("H1", nhs_number="9434765919", date_of_birth="2010-04-05"),
        record("H2", nhs_number="9000000009", date_of_birth="1979"),
        record("H3", date_of_birth="1985-11-30"),
        {**record("H4"), "address": {"postcode": "LS6 2AB", "uprn": "100012345678"}},
    ]
    await gateway.client.post("/v1/feeds/trust-ed/records", json={"records": records},
                              headers=gateway.health)  # fmt: skip
    second = await gateway.client.post(
        "/v1/feeds/trust-ed/records",
        json={"records": [records[0], record("H5", date_of_birth="last year"),
                          {"action": "withdraw", "source_record_id": "H3"}]},
        headers=gateway.health,
    )  # fmt: skip
    body = await health(gateway)
    last = body["last_batch"]
    assert (last["batch_id"], last["rows"], last["rejected"]) == (second.json()["batch_id"], 3, 1)
    assert last["rejection_rate"] == round(1 / 3, 4)
    coverage = body["coverage"]
    # H1, H2, H4 remain (H3 was withdrawn, H5 rejected): 2 of 3 with an NHS number, 1 of 3 with a
    # full date of birth; the one record with an address has a UPRN.
    assert (coverage["records"], coverage["person_records"], coverage["address_records"]) == (
        3, 3, 1,
    )  # fmt: skip
    assert coverage["nhs_number"] == round(2 / 3, 4)
    assert coverage["full_date_of_birth"] == round(1 / 3, 4)
    assert coverage["uprn"] == 1.0


async def test_health_is_for_the_feeds_partner_only(gateway: Gateway) -> None:
    assert (await gateway.client.get(HEALTH, headers=gateway.police)).status_code == 403
    assert (await gateway.client.get(HEALTH)).status_code == 401
