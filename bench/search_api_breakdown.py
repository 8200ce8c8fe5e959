"""Where a search's time and CPU go, with `search_latency.py`'s load (20 users, closed loop):
per query, the CPU of the bench's process (the direct path's index threads, or the HTTP client)
and of the search-api's process split into its event-loop thread and its other threads (index
readers, the audit log's writer), voluntary context switches (GIL and queue hand-overs), and
the throughput as wall time per query. `--health` adds GET /healthz, the HTTP floor.

    .venv/bin/python bench/search_api_breakdown.py --persons 100000
    .venv/bin/python bench/search_api_breakdown.py --persons 1000000 --rounds 3 --health

Uses the cached index of `search_latency.py` (build it with that first). What it showed at
1,000,000 persons: the direct path ran at ~1.3 ms of wall per query on ~1.9 ms of CPU (its four
index threads in parallel on both cores); the search-api at ~2.3-2.8 ms per query on ~1.8-2.1 ms
of server CPU, its event loop ~0.5-0.7 ms of it. With one index thread instead of four the
search-api answered as fast: it is held up by its event loop thread and the GIL, not the index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).parent))
import search_latency as sl
from search_index_cache import CACHE, embedded_path

from lateral_shared.index.embedded import EmbeddedIndex
from lateral_shared.testing.engines import free_port

TICK = os.sysconf("SC_CLK_TCK")


def _threads(pid: int) -> dict[str, tuple[float, int]]:
    """CPU seconds and voluntary context switches of `pid`'s event-loop thread and the rest."""
    out = {"loop": (0.0, 0), "others": (0.0, 0)}
    for tid in os.listdir(f"/proc/{pid}/task"):
        stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
        switches = int(status.split("voluntary_ctxt_switches:")[1].split()[0])
        name = "loop" if tid == str(pid) else "others"
        cpu, ctx = out[name]
        out[name] = (cpu + (int(stat[11]) + int(stat[12])) / TICK, ctx + switches)
    return out


def _bench(pid: int) -> dict[str, tuple[float, int]]:
    """This process's voluntary context switches, all threads (its CPU: `_own_cpu`)."""
    threads = _threads(pid)
    return {"bench": (0.0, threads["loop"][1] + threads["others"][1])}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(
    name: str, path: Callable[[dict[str, str]], Awaitable[int]], queries: list[dict[str, str]],
    server: int,
) -> None:  # fmt: skip
    mine = os.getpid()
    before, own, started = _threads(server) | _bench(mine), _own_cpu(), time.perf_counter()
    latencies, _ = await sl.load(queries, path, 20)
    after, own = _threads(server) | _bench(mine), _own_cpu() - own
    wall = time.perf_counter() - started
    n = len(queries)
    per = {k: ((after[k][0] - before[k][0]) * 1000 / n, (after[k][1] - before[k][1]) / n)
           for k in after}  # fmt: skip
    latencies.sort()
    print(
        f"{name:>7}  wall/query {wall * 1000 / n:5.2f} ms  bench CPU/query {own * 1000 / n:5.2f} ms"
        f"  | search-api CPU/query: loop {per['loop'][0]:5.2f} ms, others {per['others'][0]:5.2f}"
        f" ms; switches/query {per['loop'][1] + per['others'][1]:5.1f}"
        f" (bench {per['bench'][1]:5.1f})"
        f"  | p50 {latencies[n // 2]:6.1f} ms  p95 {latencies[int(n * 0.95)]:6.1f} ms",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    path = embedded_path(args.persons)
    queries = json.loads((CACHE / f"queries-{args.persons}.json").read_text())
    queries = (queries * -(-args.queries // len(queries)))[: args.queries]
    work, port = Path(tempfile.mkdtemp(prefix="lateral-breakdown-")), free_port()
    server = sl._server(f"embedded://{path}", work / "api", port)
    with sl.started(server, work / "api.log") as proc:
        await sl._wait_http(f"http://127.0.0.1:{port}/healthz")
        index = EmbeddedIndex(path)
        await index.start()
        token = sl.issue_token(sl.SECRET, subject="bench", roles=["practitioner"])
        async with aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
            connector=aiohttp.TCPConnector(limit=20),
        ) as client:  # fmt: skip

            async def direct(criteria: dict[str, str]) -> int:
                return await sl.index_search(index, criteria)

            async def api(criteria: dict[str, str]) -> int:
                body = {**criteria, "reason": "bench: latency"}
                async with client.post("/v1/search", json=body) as response:
                    response.raise_for_status()
                    return int((await response.json())["total"])

            async def health(_: dict[str, str]) -> int:
                async with client.get("/healthz") as response:
                    response.raise_for_status()
                    await response.read()
                    return 0

            paths = {"direct": direct, "api": api} | ({"healthz": health} if args.health else {})
            for fn in paths.values():  # warm-up, not measured
                await sl.load(queries[:200], fn, 20)
            for _ in range(args.rounds):
                for name, fn in paths.items():
                    await _measure(name, fn, queries, proc.pid)
        await index.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--health", action="store_true", help="also GET /healthz, the HTTP floor")
    asyncio.run(main(parser.parse_args()))
