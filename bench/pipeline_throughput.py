"""End-to-end records per second through the embedded pipeline.

Starts all seven services in one process (embedded log, SQLite, embedded index) in a fresh data
folder, pushes N synthetic demo records through the ingest-gateway's HTTP API as partners would,
and times until the indexer and alerts have handled every record's `records.linked` event, i.e.
until every record is searchable. Repeats in fresh folders and prints each run and the median.

    .venv/bin/python bench/pipeline_throughput.py --records 10000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from lateral_cli.demo import ensure_demo_accounts, push_dataset
from lateral_cli.embedded import EmbeddedLayout, build_services
from lateral_shared.runtime import serve
from lateral_shared.testing.engines import free_port
from lateral_synthetic import generate_demo


async def _linked_handled(client: httpx.AsyncClient, service: str) -> float:
    text = (await client.get("/metrics")).text
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "lateral_events_consumed_total"
        and s.labels.get("service") == service
        and s.labels.get("topic") == "records.linked"
        and s.labels.get("outcome") in {"ok", "dead_lettered"}
    )


async def one_run(records: int, seed: int) -> float:
    dataset = generate_demo(seed=seed, records=records)  # not timed: made before the clock starts
    with tempfile.TemporaryDirectory(prefix="lateral-bench-") as tmp:
        layout = EmbeddedLayout(Path(tmp))
        port = free_port()
        services = await build_services(layout, http_port=port)
        credentials = await ensure_demo_accounts(layout)
        ready = asyncio.Event()
        server = asyncio.create_task(serve(services, host="127.0.0.1", port=port, ready=ready))
        await ready.wait()
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            start = {s: await _linked_handled(client, s) for s in ("indexer", "alerts")}
            started = time.perf_counter()
            sent = sum((await push_dataset(base, credentials, dataset)).values())
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                done = [await _linked_handled(client, s) - start[s] for s in ("indexer", "alerts")]
                if min(done) >= sent:
                    break
                await asyncio.sleep(0.05)
            else:
                raise TimeoutError("the pipeline did not finish within 10 minutes")
            elapsed = time.perf_counter() - started
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
        return sent / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rates = []
    for run in range(1, args.runs + 1):
        rate = asyncio.run(one_run(args.records, args.seed))
        rates.append(rate)
        print(f"run {run}: {rate:,.0f} records/s", flush=True)
    print(
        f"median of {args.runs} runs, {args.records:,} records: "
        f"{statistics.median(rates):,.0f} records/s end to end (embedded)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
