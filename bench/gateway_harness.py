"""Running the ingest-gateway as its own process for the benchmarks: a partner and feed
registered, `lateral-ingest-gateway serve` on a free port, an access token, readiness."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.service_layer.partners import ensure_feed, ensure_partner
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import session_factory

SECRET = "bench-client-secret-0123456789abcdef"  # noqa: S105 (a throwaway bench secret)


def rss_bytes(pid: int) -> int:
    """The resident set size of the process and all its descendants (the gateway's worker
    processes count as the gateway's memory), from /proc (Linux)."""
    total = 0
    for process in _process_tree(pid):
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except FileNotFoundError:  # ended between listing and reading
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def _process_tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except FileNotFoundError:
                continue
    return found


async def register(database_url: str) -> None:
    engine = await open_database(database_url)
    async with session_factory(engine)() as session:
        await ensure_partner(session, partner_id="trust", name="Trust", client_secret=SECRET)
        await ensure_feed(session, feed_id="trust-ed", partner_id="trust",
                          agency_kind=AgencyKind.HEALTH)  # fmt: skip
    await engine.dispose()


def start_gateway(workdir: Path, port: int, bus_url: str | None = None) -> subprocess.Popen[bytes]:
    """The gateway on SQLite in `workdir`, with the embedded log there unless `bus_url`."""
    env = {
        **os.environ,
        "LATERAL_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/gateway.db",
        "LATERAL_BUS_URL": bus_url or f"embedded://{workdir}/bus.db",
        "LATERAL_HTTP_PORT": str(port),
        "LATERAL_LOG_LEVEL": "WARNING",
        "LATERAL_UPLOAD_SPOOL_DIR": str(workdir),
        "LATERAL_KAFKA_ENABLE_IDEMPOTENCE": "false",
        "LATERAL_TOPIC_PARTITIONS": "6",
    }
    exe = Path(sys.executable).parent / "lateral-ingest-gateway"
    return subprocess.Popen([str(exe), "serve"], env=env, stdout=subprocess.DEVNULL)


async def wait_until_ready(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(300):
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("the gateway did not become ready")


async def access_headers(client: httpx.AsyncClient) -> dict[str, str]:
    form = {"grant_type": "client_credentials"}
    token = (await client.post("/v1/oauth/token", data=form, auth=("trust", SECRET))).json()
    return {"Authorization": f"Bearer {token['access_token']}"}
