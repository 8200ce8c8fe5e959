"""CSV ingest throughput: records/s from a partner's upload to `records.raw`.

Generates a synthetic health extract (not timed), then, in one run:
1. embedded mode: the ingest-gateway as its own process (`lateral-ingest-gateway serve`) on
   SQLite with the embedded log; the file is uploaded (multipart, streamed) and timed until the
   answer, which comes once every record is durably on `records.raw`;
2. Kafka mode: the same with the bus on a Tansu broker;
3. a plain aiokafka producer on the same broker sending the same records' events (read back from
   `records.raw`, not timed) — the ceiling the gateway is compared with.

    .venv/bin/python bench/csv_ingest.py --records 300000   # a nightly extract's size
    .venv/bin/python bench/csv_ingest.py --records 50000    # a small file

Each upload pays a fixed start-up cost of roughly half a second (the first chunk's round trip
through the worker processes and the bus), which a small file cannot spread: report both sizes.

Targets (issue 3, §8): at least 20,000 records/s embedded; on Kafka at least 50 % of the plain
producer's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from csv_data import write_health_csv
from gateway_harness import access_headers, register, start_gateway, wait_until_ready

from lateral_shared.contracts import RECORDS_RAW
from lateral_shared.testing.engines import free_port, start_tansu

PARTITIONS = 6


async def gateway_rate(csv_path: Path, workdir: Path, bus_url: str) -> tuple[float, int]:
    """Records/s of one upload to a gateway process on `bus_url`, and the records it accepted."""
    await register(f"sqlite+aiosqlite:///{workdir}/gateway.db")
    port = free_port()
    server = start_gateway(workdir, port, bus_url)
    try:
        await wait_until_ready(port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=3600) as client:
            headers = await access_headers(client)
            with csv_path.open("rb") as file:
                started = time.perf_counter()
                response = await client.post("/v1/feeds/trust-ed/files", files={"file": file},
                                             headers=headers)  # fmt: skip
                elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    response.raise_for_status()
    accepted = int(response.json()["accepted"])
    return accepted / elapsed, accepted


async def read_back(servers: str, count: int) -> list[tuple[bytes, bytes]]:
    """The (key, value) of the first `count` events on `records.raw` (not timed)."""
    consumer = AIOKafkaConsumer(RECORDS_RAW, bootstrap_servers=servers, group_id="bench-read",
                                auto_offset_reset="earliest", enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    found: list[tuple[bytes, bytes]] = []
    try:
        while len(found) < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            found += [(m.key or b"", m.value or b"") for ms in batches.values() for m in ms]
    finally:
        await consumer.stop()
    return found[:count]


async def plain_producer_rate(servers: str, events: list[tuple[bytes, bytes]]) -> float:
    """Records/s of a bare aiokafka producer (acks=all, as the gateway's) sending `events`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    await admin.create_topics([NewTopic("bench.plain", PARTITIONS, 1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        started = time.perf_counter()
        deliveries = [await producer.send("bench.plain", value, key=key) for key, value in events]
        await asyncio.gather(*deliveries)
        return len(events) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def run(records: int, seed: int) -> None:
    with tempfile.TemporaryDirectory(prefix="lateral-bench-csv-") as tmp:
        workdir = Path(tmp)
        csv_path = write_health_csv(workdir / "extract.csv", records=records, seed=seed)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"file: {records:,} records, {size_mb:,.1f} MB", flush=True)
        (workdir / "embedded").mkdir()
        embedded, _ = await gateway_rate(csv_path, workdir / "embedded",
                                         f"embedded://{workdir}/embedded/bus.db")  # fmt: skip
        print(f"embedded mode: {embedded:,.0f} records/s (target 20,000)", flush=True)
        broker = start_tansu()
        try:
            (workdir / "kafka").mkdir()
            on_kafka, accepted = await gateway_rate(csv_path, workdir / "kafka", broker.url)
            servers = broker.url.removeprefix("kafka://")
            plain = await plain_producer_rate(servers, await read_back(servers, accepted))
        finally:
            broker.stop()
        print(f"Kafka (Tansu): gateway {on_kafka:,.0f} records/s; plain aiokafka producer "
              f"{plain:,.0f} records/s; ratio {on_kafka / plain:.0%} (target 50 %)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(run(args.records, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
