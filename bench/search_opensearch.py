"""Where the time goes with the OpenSearch adapter on noida-db (the engine the tests and
`search_latency.py` use): bulk loading (the engine's CPU against this process's) and each kind of
search on its own, one at a time, so a latency is the engine's work on that query shape and not
queueing. The engine's CPU is read from /proc, per search and per person indexed.

    .venv/bin/python bench/search_opensearch.py --persons 20000

A floor is measured too: a `match_all` counting every person and returning none. noida-db has no
inverted index; every search walks every stored document, so that floor grows with the persons
loaded and every real query costs at least as much.

`--paired` measures the search-api's overhead instead, on a machine whose load swings: `users`
concurrent users each send every query of theirs both ways, straight to the index and through the
search-api, one after the other (in alternating order), so both paths see the same engine queue and
the same machine load; `search_latency.py` runs the paths one after the other.

    .venv/bin/python bench/search_opensearch.py --persons 20000 --paired --users 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from search_index_cache import build_opensearch, queries_for
from search_latency import SECRET, _percentile, _query, _server, _wait_http, started

from lateral_shared.auth import issue_token
from lateral_shared.index.opensearch import OpenSearchIndex
from lateral_shared.testing.engines import free_port

INDEX = "bench-persons"


def noida_binary() -> str:
    """The engine binary itself: the `noida-db` script is a Python wrapper that runs it as a
    child, so the wrapper's CPU would not be the engine's."""
    lib = Path(sys.executable).parent.parent / "lib"
    found = sorted(lib.glob("python3*/site-packages/noida_db/noida-db"))
    if not found:
        raise SystemExit("noida-db is not installed in this venv")
    return str(found[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid`, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def kind_of(criteria: dict[str, str]) -> str:
    """The query kind of the bench mix (see `search_index_cache.query_for`)."""
    if "nhs_number" in criteria:
        return "nhs"
    if "address" in criteria:
        return "address"
    if "dob" in criteria:
        return "name_year"
    if "name" in criteria:
        return "name_area"
    return "postcode"


async def timed(
    pid: int, times: int, search: Callable[[int], Awaitable[int]]
) -> tuple[float, float, float]:
    """Median latency (ms), engine CPU per search (ms) and mean results of `times` searches."""
    await search(0)  # warm
    latencies, found = [], 0
    cpu0 = cpu_seconds(pid)
    for i in range(times):
        t0 = time.perf_counter()
        found += await search(i)
        latencies.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (cpu_seconds(pid) - cpu0) / times * 1000
    return statistics.median(latencies), cpu_ms, found / times


async def per_kind(index: OpenSearchIndex, url: str, pid: int, count: int, times: int) -> None:
    """Each query kind alone, and the match_all floor."""
    kinds: dict[str, list[dict[str, str]]] = {}
    for criteria in queries_for(count):
        kinds.setdefault(kind_of(criteria), []).append(criteria)
    async with httpx.AsyncClient(timeout=3600) as client:

        async def floor(_: int) -> int:
            body = {"query": {"match_all": {}}, "size": 0, "track_total_hits": True}
            answer = await client.post(f"{url}/{INDEX}/_search", json=body)
            answer.raise_for_status()
            return int(answer.json()["hits"]["total"]["value"])

        rows = [("match_all", await timed(pid, times, floor))]
    for kind, sample in sorted(kinds.items()):

        async def search(i: int, sample: list[dict[str, str]] = sample) -> int:
            return (await index.search(_query(sample[i % len(sample)]))).total

        rows.append((kind, await timed(pid, times, search)))
    for kind, (p50, cpu_ms, found) in rows:
        print(
            f"  {kind:>10}: p50 {p50:8.1f} ms  engine CPU {cpu_ms:7.1f} ms a search "
            f"({cpu_ms * 1000 / count:5.1f} us a person)  mean results {found:.1f}",
            flush=True,
        )


async def paired(index: OpenSearchIndex, api_url: str, count: int, users: int, times: int) -> None:
    """Each query straight to the index and through the search-api, back to back."""
    queries = queries_for(count)
    pending = [(i, queries[i % len(queries)]) for i in range(times)]
    token = issue_token(SECRET, subject="bench", roles=["practitioner"])
    direct_ms: list[float] = []
    api_ms: list[float] = []
    mismatched = 0
    # A fresh connection each time (~1 ms on loopback, counted against the search-api): between two
    # of a user's requests the other path's search runs for seconds, and uvicorn closes a
    # connection idle for 5 s, racing the next request on it.
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=api_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=3600,
    ) as client:

        async def direct(criteria: dict[str, str]) -> int:
            t0 = time.perf_counter()
            total = (await index.search(_query(criteria))).total
            direct_ms.append((time.perf_counter() - t0) * 1000)
            return total

        async def api(criteria: dict[str, str]) -> int:
            t0 = time.perf_counter()
            response = await client.post("/v1/search", json={**criteria, "reason": "bench"})
            response.raise_for_status()
            api_ms.append((time.perf_counter() - t0) * 1000)
            return int(response.json()["total"])

        async def user() -> None:
            nonlocal mismatched
            while pending:
                i, criteria = pending.pop()
                if i % 2:
                    straight, through = await direct(criteria), await api(criteria)
                else:
                    through, straight = await api(criteria), await direct(criteria)
                mismatched += straight != through

        await asyncio.gather(*(user() for _ in range(users)))
    d50, d95 = _percentile(direct_ms, 50), _percentile(direct_ms, 95)
    a50, a95 = _percentile(api_ms, 50), _percentile(api_ms, 95)
    print(
        f"paired, {users} users, {count:,} persons, {times} queries each way: "
        f"direct p50 {d50:.1f} ms p95 {d95:.1f} ms | search-api p50 {a50:.1f} ms p95 {a95:.1f} ms"
        f" | overhead p50 {a50 / d50:.2f}x p95 {a95 / d95:.2f}x | totals differ: {mismatched}",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--per-kind", type=int, default=20, help="searches of each kind")
    parser.add_argument("--paired", action="store_true", help="the search-api's overhead")
    parser.add_argument("--users", type=int, default=20, help="concurrent users (--paired)")
    parser.add_argument("--queries", type=int, default=200, help="queries each way (--paired)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lateral-os-diag-"))
    port = free_port()
    command = [noida_binary(), "start", "--only", "elasticsearch",
               "--elasticsearch-port", str(port), "--data-dir", str(work / "noida")]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with started(command, work / "noida.log") as engine:
        await _wait_http(url)
        index = OpenSearchIndex(url, index_name=INDEX, refresh="false", timeout_s=3600)
        await index.start()
        try:
            engine0, own0, wall0 = cpu_seconds(engine.pid), time.process_time(), time.time()
            await build_opensearch(index, work / "bench.done", args.persons)
            print(
                f"load: {time.time() - wall0:.0f} s, engine CPU "
                f"{cpu_seconds(engine.pid) - engine0:.1f} s, this process's CPU "
                f"{time.process_time() - own0:.1f} s (documents made and sent)",
                flush=True,
            )
            wall0, engine0 = time.time(), cpu_seconds(engine.pid)
            async with httpx.AsyncClient() as client:
                answer = await client.post(f"{url}/{INDEX}/_refresh", timeout=3600)
                answer.raise_for_status()
            print(
                f"refresh: {time.time() - wall0:.1f} s, engine CPU "
                f"{cpu_seconds(engine.pid) - engine0:.1f} s; "
                f"engine RSS {rss_mb(engine.pid):.0f} MB",
                flush=True,
            )
            if not args.paired:
                await per_kind(index, url, engine.pid, args.persons, args.per_kind)
            else:
                api_port = free_port()
                server = [*_server(url, work / "api", api_port), "--index-name", INDEX]
                with started(server, work / "api.log"):
                    await _wait_http(f"http://127.0.0.1:{api_port}/healthz")
                    await paired(
                        index, f"http://127.0.0.1:{api_port}", args.persons, args.users,
                        args.queries,
                    )  # fmt: skip
        finally:
            await index.close()
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
