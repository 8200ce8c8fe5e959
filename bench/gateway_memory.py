"""The ingest-gateway's peak memory (RSS) during a streamed CSV upload, for files of several sizes.

The gateway runs as its own process (`lateral-ingest-gateway serve`, SQLite and the embedded
log in a temporary folder); this script generates each file (not timed), uploads it streamed as
multipart, and samples the resident memory of the server process and its worker processes
every 50 ms. If the upload is
streamed, the peak stays about the same whatever the file's size.

    .venv/bin/python bench/gateway_memory.py --sizes-mb 50 500
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx
from csv_data import write_health_csv
from gateway_harness import access_headers, register, rss_bytes, start_gateway, wait_until_ready

from lateral_shared.testing.engines import free_port


async def upload_with_peak(port: int, pid: int, path: Path) -> tuple[int, float, int]:
    """(peak RSS during the upload, seconds taken, records accepted)."""
    peak, done = rss_bytes(pid), asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes(pid))
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=7200) as client:
        headers = await access_headers(client)
        started = time.perf_counter()
        with path.open("rb") as file:
            response = await client.post("/v1/feeds/trust-ed/files", files={"file": file},
                                         headers=headers)  # fmt: skip
        elapsed = time.perf_counter() - started
    done.set()
    await sampler
    response.raise_for_status()
    return peak, elapsed, int(response.json()["accepted"])


async def run(sizes_mb: list[int]) -> None:
    for size_mb in sizes_mb:
        with tempfile.TemporaryDirectory(prefix="lateral-bench-mem-") as tmp:
            workdir = Path(tmp)
            path = write_health_csv(workdir / "extract.csv", size_bytes=size_mb * 1_000_000)
            await register(f"sqlite+aiosqlite:///{workdir}/gateway.db")
            port = free_port()
            server = start_gateway(workdir, port)
            try:
                await wait_until_ready(port)
                idle = rss_bytes(server.pid)
                peak, elapsed, accepted = await upload_with_peak(port, server.pid, path)
            finally:
                server.terminate()
                server.wait(timeout=30)
            print(f"file {path.stat().st_size / 1e6:,.0f} MB, {accepted:,} records in "
                  f"{elapsed:,.0f} s: gateway RSS idle {idle / 1e6:,.0f} MB, peak "
                  f"{peak / 1e6:,.0f} MB", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[50, 500])
    args = parser.parse_args()
    asyncio.run(run(args.sizes_mb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
