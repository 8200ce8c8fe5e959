"""The drop folders: a stable CSV file in `<root>/<feed>/incoming/` is processed as an upload
would be, then moved to `processed/` or `failed/` with its batch ID in its name."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest

from lateral_ingest_gateway.service_layer.drop_folder import DropFolders
from lateral_ingest_gateway.service_layer.ingest import IngestDeps
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_RAW, RecordReceived, decode_event
from lateral_shared.db import create_engine, session_factory

Gateway = Any  # the `gateway` fixture of conftest.py
HEADER = ["source_record_id", "event_type", "event_date", "status", "category",
          "address_line_1", "postcode"]  # fmt: skip


@pytest.fixture
def gateway_settings(tmp_path: Path) -> dict[str, Any]:
    return {"drop_folder_root": tmp_path / "drop", "drop_folder_poll_s": 0.05}


def csv_file(*ids: str, event_date: str = "2025-02-01") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for source_id in ids:
        writer.writerow([source_id, "incident", event_date, "open", "domestic_abuse",
                         "9 Canal Street", "LS6 2AB"])  # fmt: skip
    return out.getvalue().encode()


def drop(gateway: Gateway, name: str, content: bytes, feed: str = "police-cc") -> Path:
    incoming: Path = gateway.settings.drop_folder_root / feed / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / name
    path.write_bytes(content)
    return path


@pytest.fixture
async def folders(gateway: Gateway) -> Any:
    """The drop folders of the gateway, looked at on demand (one look per call)."""
    engine = create_engine(gateway.database_url)
    deps = IngestDeps(session_factory(engine), EventPublisher(gateway.bus, service="test"))
    yield DropFolders(gateway.settings.drop_folder_root, deps, poll_s=60)
    await engine.dispose()


async def test_a_stable_file_is_processed_and_moved_to_processed(
    gateway: Gateway, folders: DropFolders
) -> None:
    path = drop(gateway, "extract-2025-03-01.csv", csv_file("P1", "P2", "P3"))
    assert await folders.look() == []  # first seen: it may still be being written
    assert path.exists() and gateway.published() == []
    [batch] = await folders.look()
    assert (batch.way_in.value, batch.status.value, batch.counts.accepted) == (
        "drop_folder", "completed", 3,
    )  # fmt: skip
    moved = gateway.settings.drop_folder_root / "police-cc" / "processed"
    assert [p.name for p in moved.iterdir()] == [f"extract-2025-03-01.{batch.batch_id}.csv"]
    assert not path.exists()
    events = [decode_event(RECORDS_RAW, v) for v in gateway.published()]
    assert [e.source_record_id for e in events if isinstance(e, RecordReceived)] == [
        "P1", "P2", "P3",
    ]  # fmt: skip
    report = await gateway.client.get(f"/v1/batches/{batch.batch_id}", headers=gateway.police)
    assert (report.json()["way_in"], report.json()["received"]) == ("drop_folder", 3)


async def test_a_file_still_growing_waits(gateway: Gateway, folders: DropFolders) -> None:
    path = drop(gateway, "growing.csv", csv_file("P1"))
    await folders.look()
    path.write_bytes(csv_file("P1", "P2"))  # the partner's upload carries on
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000))
    assert await folders.look() == []
    [batch] = await folders.look()
    assert batch.counts.received == 2


async def test_a_file_rejected_as_a_whole_moves_to_failed_with_the_reason(
    gateway: Gateway, folders: DropFolders
) -> None:
    drop(gateway, "bad.csv", csv_file("P1").replace(b"category", b"case_notes"))
    drop(
        gateway,
        "part-bad.csv",
        csv_file("P2") + b"P3,incident,soon,open,crime,1 Mill Lane,LS6 2AB\r\n",
    )
    await folders.look()
    batches = {b.status.value: b for b in await folders.look()}
    failed = gateway.settings.drop_folder_root / "police-cc" / "failed"
    rejected = batches["rejected"]
    reason = (failed / f"bad.{rejected.batch_id}.error.txt").read_text()
    assert "case_notes" in reason and (failed / f"bad.{rejected.batch_id}.csv").exists()
    # A file with only some rows wrong is processed: its bad rows wait in quarantine.
    part_bad = batches["completed"]
    assert (part_bad.counts.accepted, part_bad.counts.rejected) == (1, 1)
    assert (gateway.settings.drop_folder_root / "police-cc" / "processed").exists()


async def test_when_the_bus_is_down_the_file_stays_for_a_later_look(
    gateway: Gateway, folders: DropFolders
) -> None:
    path = drop(gateway, "extract.csv", csv_file("P1"))
    gateway.bus.fail_publish = True
    await folders.look()
    assert await folders.look() == []
    assert path.exists()
    gateway.bus.fail_publish = False
    [batch] = await folders.look()  # still stable, so tried again at once
    assert batch.counts.accepted == 1 and not path.exists()


async def test_files_of_unknown_folders_and_other_names_are_left_alone(
    gateway: Gateway, folders: DropFolders
) -> None:
    stray = drop(gateway, "extract.csv", csv_file("P1"), feed="no-such-feed")
    notes = drop(gateway, "readme.txt", b"hello")
    partial = drop(gateway, ".extract.csv.part", csv_file("P1"))
    for _ in range(2):
        assert await folders.look() == []
    assert stray.exists() and notes.exists() and partial.exists()


async def test_the_gateway_watches_its_drop_folders_in_the_background(gateway: Gateway) -> None:
    stopping = (
        asyncio.Event()
    )  # every background job runs, as `lateral_shared.runtime.serve` runs them
    jobs = [asyncio.create_task(job(stopping)) for job in gateway.service.background]
    path = drop(gateway, "nightly.csv", csv_file("P1", "P2"))
    processed = gateway.settings.drop_folder_root / "police-cc" / "processed"
    for _ in range(200):
        if not path.exists() and processed.exists():
            break
        await asyncio.sleep(0.05)
    stopping.set()
    await asyncio.wait_for(asyncio.gather(*jobs), 5)
    assert [p.suffix for p in processed.iterdir()] == [".csv"]
    assert len(gateway.published()) == 2
