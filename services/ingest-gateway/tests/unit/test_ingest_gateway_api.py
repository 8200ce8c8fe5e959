"""The partner API end to end through the real FastAPI app (in-memory bus, SQLite store)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from lateral_shared.contracts import RECORDS_RAW, RecordReceived, decode_event

Gateway = Any  # the `gateway` fixture of conftest.py
URL = "/v1/feeds/trust-ed/records"


def record(source_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source_record_id": source_id,
        "agency_kind": "health",
        "event_type": "emergency_attendance",
        "event_date": "2025-03-01",
        "status": "closed",
        "person": {"forename": "Olivia", "surname": "Featherstonehaugh",
                   "date_of_birth": "2014-05", "nhs_number": "9434765919"},
        "address": {"lines": ["12 High Street"], "postcode": "LS6 2AB"},
    }  # fmt: skip
    return {**base, **changes}


async def test_an_accepted_batch_publishes_one_event_per_record(gateway: Gateway) -> None:
    response = await gateway.client.post(
        URL, json={"records": [record("ED-1"), record("ED-2")]}, headers=gateway.health
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["feed_id"], body["status"], body["received"], body["accepted"]) == (
        "trust-ed", "completed", 2, 2,
    )  # fmt: skip
    assert (body["rejected"], body["errors"]) == (0, [])
    batch_id = uuid.UUID(body["batch_id"])
    messages = gateway.bus.topics[RECORDS_RAW]
    assert [m.key for m in messages] == ["trust-ed/ED-1", "trust-ed/ED-2"]
    events = [decode_event(RECORDS_RAW, m.value) for m in messages]
    assert all(isinstance(e, RecordReceived) for e in events)
    first = events[0]
    assert isinstance(first, RecordReceived)
    assert (first.batch_id, first.partner_id, first.feed_id, first.row_number) == (
        batch_id, "trust", "trust-ed", 1,
    )  # fmt: skip
    assert first.action == "upsert"
    assert first.record is not None and first.record.person is not None
    assert first.record.person.nhs_number == "9434765919"


async def test_the_partner_can_read_its_batch(gateway: Gateway) -> None:
    posted = await gateway.client.post(
        URL, json={"records": [record("ED-1")]}, headers=gateway.health
    )
    batch_id = posted.json()["batch_id"]
    response = await gateway.client.get(f"/v1/batches/{batch_id}", headers=gateway.health)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["received"], body["accepted"]) == ("completed", 1, 1)
    assert (body["feed_id"], body["way_in"], body["error_count"]) == ("trust-ed", "api", 0)
    other = await gateway.client.get(f"/v1/batches/{batch_id}", headers=gateway.police)
    assert other.status_code == 404
    bad = await gateway.client.get("/v1/batches/not-a-uuid", headers=gateway.health)
    assert bad.status_code == 404
    assert "not-a-uuid" not in bad.text


async def test_publish_failure_is_503_and_the_batch_is_recorded_as_failed(gateway: Gateway) -> None:
    gateway.bus.fail_publish = True
    response = await gateway.client.post(
        URL, json={"records": [record("ED-1")]}, headers=gateway.health
    )
    assert response.status_code == 503
    assert gateway.published() == []
    gateway.bus.fail_publish = False
    batch_id = response.json()["batch_id"]
    batch = (await gateway.client.get(f"/v1/batches/{batch_id}", headers=gateway.health)).json()
    assert (batch["status"], batch["received"], batch["accepted"]) == ("failed", 0, 0)
    # Nothing was remembered as sent, so sending the batch again publishes the record.
    again = await gateway.client.post(
        URL, json={"records": [record("ED-1")]}, headers=gateway.health
    )
    assert (again.status_code, again.json()["accepted"]) == (202, 1)
    assert len(gateway.published()) == 1


async def test_operations_endpoints(gateway: Gateway) -> None:
    assert (await gateway.client.get("/healthz")).status_code == 200
    # Ready once its preparation workers take work: their start can outlast one 3 s check on a
    # loaded machine, so poll as an orchestrator's readiness probe does.
    deadline = asyncio.get_running_loop().time() + 60
    while (ready := await gateway.client.get("/readyz")).status_code != 200:
        assert asyncio.get_running_loop().time() < deadline, ready.json()
        await asyncio.sleep(0.5)
    assert ready.json()["checks"] == {
        "ingest-gateway.database": "ok", "ingest-gateway.bus": "ok", "ingest-gateway.workers": "ok"
    }  # fmt: skip
    gateway.bus.fail_publish = True  # the fake bus's ping fails too
    assert (await gateway.client.get("/readyz")).status_code == 503


async def test_a_body_over_the_limit_gives_413(gateway: Gateway) -> None:
    payload = json.dumps({"records": [record("ED-1")], "padding": "x" * 70_000})
    response = await gateway.client.post(
        URL, content=payload, headers={**gateway.health, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert gateway.published() == []


async def test_a_streamed_body_over_the_limit_gives_413(gateway: Gateway) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"records": ['
        for _ in range(300):  # about 100 kB, past the 64 kB limit
            yield json.dumps(record("ED-1")).encode() + b","
        yield b"]}"

    response = await gateway.client.post(URL, content=chunks(), headers=gateway.health)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert gateway.published() == []


async def test_metrics_count_rows_batches_and_bytes_without_personal_data(gateway: Gateway) -> None:
    def sample(text: str, line_start: str) -> float:
        found = [line for line in text.splitlines() if line.startswith(line_start)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    rows = 'lateral_ingest_rows_total{outcome="rejected"}'
    batches = 'lateral_ingest_batches_total{status="completed",way_in="api"}'
    before = (await gateway.client.get("/metrics")).text
    body = {"records": [record("ED-1"), record("ED-2", event_date="soon")]}
    posted = await gateway.client.post(URL, json=body, headers=gateway.health)
    after = (await gateway.client.get("/metrics")).text
    assert sample(after, rows) - sample(before, rows) == 1
    assert sample(after, batches) - sample(before, batches) == 1
    assert sample(after, 'lateral_ingest_bytes_received_total{way_in="api"}') > 0
    assert posted.status_code == 202
    assert "Featherstonehaugh" not in after and "ED-1" not in after
