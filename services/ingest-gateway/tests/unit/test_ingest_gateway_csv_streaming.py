"""A CSV upload is streamed: the request arrives piece by piece (no Content-Length) and the
gateway's memory stays far below the file's size while it checks and processes every row."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from lateral_shared.bus.port import OutgoingMessage

Gateway = Any  # the `gateway` fixture of conftest.py
BOUNDARY = "lateral-test-boundary"
COLUMNS = ["source_record_id", "event_type", "event_date", "status", "nhs_number",
           "address_line_1", "address_line_2", "address_line_3", "address_line_4",
           "lead_professional_name", "lead_professional_team"]  # fmt: skip
HEADER = (",".join(COLUMNS) + "\r\n").encode()
TEXT = "Flat 3, Riverside Court, Long Meadow Lane, Little Snoring, near Fakenham, Norfolk"


@pytest.fixture
def gateway_settings() -> dict[str, Any]:
    return {"chunk_rows": 50}


def data_line(n: int) -> bytes:
    text = ",".join(f'"{TEXT}"' for _ in range(6))
    return f"ED-{n:08d},emergency_attendance,2025-03-01,open,9434765919,{text}\r\n".encode()


async def multipart_body(rows: int) -> AsyncIterator[bytes]:
    """A multipart/form-data body made as it is sent, 500 rows a piece."""
    part = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
    yield (part + "Content-Type: text/csv\r\n\r\n").encode() + HEADER
    for start in range(0, rows, 500):
        yield b"".join(data_line(n) for n in range(start, min(start + 500, rows)))
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def upload(gateway: Gateway, rows: int) -> Any:
    return await gateway.client.post(
        "/v1/feeds/trust-ed/files", content=multipart_body(rows),
        headers={**gateway.health, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        timeout=120,
    )  # fmt: skip


async def peak_memory(gateway: Gateway, rows: int) -> int:
    """The most memory Python held while the gateway took an upload of `rows` rows, beyond what
    it held before (garbage of earlier uploads collected first, so it is not counted)."""
    gc.collect()
    held_before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    response = await upload(gateway, rows)
    assert "content-length" not in response.request.headers  # sent as it was made
    assert (response.status_code, response.json()["received"]) == (202, rows)
    assert response.json()["rejected"] == 0
    return tracemalloc.get_traced_memory()[1] - held_before


async def test_memory_does_not_grow_with_the_uploads_size(gateway: Gateway) -> None:
    async def count_only(topic: str, messages: Sequence[OutgoingMessage]) -> None:
        published.append(len(messages))  # the in-memory bus would keep every event in memory

    published: list[int] = []
    gateway.bus.publish = count_only
    small, large = 1_500, 6_000
    extra_bytes = sum(len(data_line(n)) for n in range(small, large))
    tracemalloc.start()
    try:
        await upload(gateway, 200)  # once first, so one-off caches are not counted
        small_peak = await peak_memory(gateway, small)
        large_peak = await peak_memory(gateway, large)
    finally:
        tracemalloc.stop()
    assert sum(published) == large  # the later uploads repeat the earlier rows unchanged
    assert extra_bytes > 2_500_000
    # Four times the rows; the peak grows by far less than the extra bytes.
    assert large_peak - small_peak < extra_bytes / 10, (small_peak, large_peak, extra_bytes)
