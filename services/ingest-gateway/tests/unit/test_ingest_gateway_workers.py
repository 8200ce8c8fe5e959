"""CSV rows are prepared in worker processes (or a thread): the same batch either way; two
batches sent to one feed at the same moment do not both count a record as new; and the workers
end when the gateway stops."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from typing import Any

import pytest

from lateral_ingest_gateway.adapters.worker_pool import PreparationPool
from lateral_shared.contracts import RECORDS_RAW, RecordReceived, decode_event

Gateway = Any  # the `gateway` fixture of conftest.py
FILES = "/v1/feeds/trust-ed/files"
HEADER = ["source_record_id", "event_type", "event_date", "status", "forename", "surname",
          "date_of_birth", "address_line_1", "postcode"]  # fmt: skip


@pytest.fixture(params=[0, 2], ids=["thread", "processes"])
def gateway_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"ingest_workers": request.param, "chunk_rows": 4, "ingest_chunks_in_flight": 3}


def extract(count: int, *, bad: frozenset[int] = frozenset(), repeats: dict[int, int] | None = None
            ) -> bytes:  # fmt: skip
    """`count` health rows; `bad` rows have a date of birth in the future; row n of `repeats`
    carries the ID of row repeats[n]."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(count):
        sid = f"W-{(repeats or {}).get(n, n)}"
        dob = "2099-01-01" if n in bad else "2011-05-06"
        address = f'Flat {n}\nRiverside "Court"' if n % 5 == 0 else f"{n} Mill Lane"
        writer.writerow([sid, "emergency_attendance", "2025-03-01", "open", "Zoë", "O'Neill",
                         dob, address, "LS6 2AB"])  # fmt: skip
    return out.getvalue().encode()


def line_of(n: int) -> int:
    """The line row n starts on: after the header, and the extra line of each quoted break."""
    return 2 + n + sum(1 for m in range(n) if m % 5 == 0)


async def upload(gateway: Gateway, content: bytes) -> Any:
    files = {"file": ("extract.csv", content, "text/csv")}
    response = await gateway.client.post(FILES, files=files, headers=gateway.health)
    assert response.status_code == 202, response.text
    return response.json()


async def test_a_file_comes_out_the_same_however_its_rows_are_prepared(gateway: Gateway) -> None:
    body = await upload(gateway, extract(40, bad=frozenset({3, 17}), repeats={30: 2, 33: 3}))
    assert (body["received"], body["accepted"], body["rejected"]) == (40, 36, 4)
    assert sorted((e["field"], e["row"]) for e in body["errors"]) == [
        ("date_of_birth", line_of(3)), ("date_of_birth", line_of(17)),
        ("source_record_id", line_of(30)), ("source_record_id", line_of(33)),
    ]  # fmt: skip
    events: list[Any] = [decode_event(RECORDS_RAW, v) for v in gateway.published()]
    assert all(isinstance(e, RecordReceived) for e in events)
    assert sorted(e.source_record_id for e in events) == sorted(
        f"W-{n}" for n in range(40) if n not in {3, 17, 30, 33}
    )
    first = next(e for e in events if e.source_record_id == "W-0")
    assert first.record.person.surname == "O'Neill"
    assert first.record.address.lines == ['Flat 0\nRiverside "Court"']
    quarantine = await gateway.client.get("/v1/feeds/trust-ed/quarantine", headers=gateway.health)
    assert {r["source_record_id"] for r in quarantine.json()["rows"]} == {"W-3", "W-17", "W-2"}


async def test_two_batches_at_the_same_moment_count_each_record_new_once(gateway: Gateway) -> None:
    content = extract(30)
    first, second = await asyncio.gather(upload(gateway, content), upload(gateway, content))
    assert sorted([first["accepted"], second["accepted"]]) == [0, 30]
    assert sorted([first["unchanged"], second["unchanged"]]) == [0, 30]
    assert len(gateway.published()) == 30


async def test_the_workers_end_when_the_pool_closes() -> None:
    pool = PreparationPool(2)
    workers = {await pool.submit(os.getpid) for _ in range(6)}
    assert workers and os.getpid() not in workers
    await pool.close()
    for _ in range(100):
        if not any(_alive(pid) for pid in workers):
            break
        await asyncio.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
