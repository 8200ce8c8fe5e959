"""Search latency with 20 concurrent users over 1,000,000 synthetic persons, through the search-api
over HTTP and, in the same run, the same queries straight to the index: p50/p95 of each and the
search-api's overhead as a ratio. Both backends: the embedded index and the OpenSearch adapter
(against a noida-db engine started here).

The embedded index is built once and cached under `bench/.cache/` (1,000,000 persons take
several minutes); the OpenSearch adapter is loaded afresh into noida-db on each run (see
`run_opensearch`: 20,000 persons unless `--opensearch-persons` says otherwise, as noida-db
reads every document on every search). The query mix, drawn from
the persons indexed: a misspelt surname with forename and birth year, a misspelt surname with an
outward code, a full postcode, an NHS number written with spaces, a house number and street.

    .venv/bin/python bench/search_latency.py       # both backends: 1,000,000 and 20,000 persons
    .venv/bin/python bench/search_latency.py --persons 100000 --backends embedded
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).parent))
from search_index_cache import CACHE, build_embedded, build_opensearch, embedded_path, queries_for

from lateral_search_api.domain.criteria import SearchRequest
from lateral_shared.auth import issue_token
from lateral_shared.index import AddressQuery, PersonQuery, SearchIndex
from lateral_shared.index.embedded import EmbeddedIndex
from lateral_shared.index.opensearch import OpenSearchIndex
from lateral_shared.testing.engines import free_port

SECRET = "bench-only-secret-" + "x" * 40
MIN_QUERIES = 1_000  # measured per path and backend
ROUND = 200  # queries per path in each alternating round


@contextmanager
def started(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own process group (noida-db forks its server), ended on the way
    out: that group, the processes started here, and only those."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


async def _wait_http(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"nothing answered at {url}")


async def load(
    queries: list[dict[str, str]], search: Callable[[dict[str, str]], Awaitable[int]], users: int
) -> tuple[list[float], int]:
    """Latencies (ms) of every query, sent by `users` concurrent users; and results found."""
    pending = list(queries)
    latencies: list[float] = []
    found = 0

    async def user() -> None:
        nonlocal found
        while pending:
            criteria = pending.pop()
            t0 = time.perf_counter()
            total = await search(criteria)
            latencies.append((time.perf_counter() - t0) * 1000)
            found += total

    await asyncio.gather(*(user() for _ in range(users)))
    return latencies, found


def _query(criteria: dict[str, str]) -> PersonQuery:
    names = {"dob": "date_of_birth"}
    return PersonQuery.model_validate({names.get(k, k): v for k, v in criteria.items()})


PLACE = frozenset({"postcode", "address"})


async def index_search(index: SearchIndex, criteria: dict[str, str]) -> int:
    """The direct path: what the search-api asks of the index for `criteria`, straight to it.
    A search by place alone also finds addresses (`SearchRequest.to_address_query`), both at
    once as the search-api sends them; persons found, as the search-api's `total`."""
    query = _query(criteria)
    if criteria.keys() <= PLACE:
        found, _ = await asyncio.gather(
            index.search(query), index.search_addresses(AddressQuery.model_validate(criteria))
        )
        return found.total
    return (await index.search(query)).total


def check_place_rule(queries: list[dict[str, str]]) -> None:
    """`index_search`'s rule for a search by place agrees with the search-api's own."""
    for criteria in queries:
        request = SearchRequest.model_validate({**criteria, "reason": "bench: latency"})
        if (request.to_address_query() is not None) != (criteria.keys() <= PLACE):
            raise AssertionError(f"the search-api searches addresses differently: {criteria}")


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def measure(
    label: str,
    index: SearchIndex,
    api_url: str,
    queries: list[dict[str, str]],
    *,
    users: int,
    persons: int,
    min_queries: int = MIN_QUERIES,
    warm_up: int = 200,
) -> dict[str, Any]:
    """Direct and through-the-API latencies of the same queries, warm caches first.

    The HTTP client is aiohttp, not httpx: it shares the machine's cores with the server, and
    httpx spent more CPU on each request (3-4 ms on the 2-core bench machine) than the
    search-api did, which the search-api's figures then carried as if it were its own."""
    check_place_rule(queries)
    queries = queries * -(-min_queries // len(queries))  # a small run repeats its mix
    token = issue_token(SECRET, subject="bench", roles=["practitioner"])
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(
        base_url=api_url,
        headers=headers,
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=600),
    ) as client:

        async def direct(criteria: dict[str, str]) -> int:
            return await index_search(index, criteria)

        async def api(criteria: dict[str, str]) -> int:
            body = {**criteria, "reason": "bench: latency"}
            async with client.post("/v1/search", json=body) as response:
                response.raise_for_status()
                return int((await response.json())["total"])

        await load(queries[:warm_up], direct, users)  # warm-up, not measured
        await load(queries[:warm_up], api, users)
        paths = {"direct": direct, "api": api}
        latencies: dict[str, list[float]] = {name: [] for name in paths}
        found = dict.fromkeys(paths, 0)
        # In alternating rounds, so a swing in the machine's load falls on both paths alike.
        for start in range(0, len(queries), ROUND):
            for name, path in paths.items():
                ms, total = await load(queries[start : start + ROUND], path, users)
                latencies[name] += ms
                found[name] += total
    direct_ms, api_ms = latencies["direct"], latencies["api"]
    row: dict[str, Any] = {
        "backend": label,
        "persons": persons,
        "queries": len(queries),
        "direct_p50": _percentile(direct_ms, 50),
        "direct_p95": _percentile(direct_ms, 95),
        "api_p50": _percentile(api_ms, 50),
        "api_p95": _percentile(api_ms, 95),
        "found_same": found["direct"] == found["api"],
    }
    row["overhead_p50"] = row["api_p50"] / row["direct_p50"]
    row["overhead_p95"] = row["api_p95"] / row["direct_p95"]
    return row


def _server(index_url: str, data: Path, port: int) -> list[str]:
    return [
        sys.executable, str(Path(__file__).parent / "search_api_server.py"),
        "--index-url", index_url, "--port", str(port), "--secret", SECRET,
        "--data", str(data), "--parent", str(os.getpid()),
    ]  # fmt: skip


def _read_through(path: Path) -> None:
    """Read the index file once, so it starts in the OS's page cache for both paths alike: the
    warm-up queries touch only part of a 2 GB file, and the first measured round (the direct
    path's) otherwise paid for reading the rest from disk."""
    with path.open("rb") as file:
        while file.read(1 << 24):
            pass


async def run_embedded(count: int, users: int, work: Path) -> dict[str, Any] | None:
    path = embedded_path(count)
    queries_path = CACHE / f"queries-{count}.json"
    build_embedded(path, count, queries_path)
    if users == 0:
        return None
    queries = json.loads(queries_path.read_text())
    _read_through(path)
    port = free_port()
    with started(
        _server(f"embedded://{path}", work / "embedded-api", port), work / "api-embedded.log"
    ):
        await _wait_http(f"http://127.0.0.1:{port}/healthz")
        index = EmbeddedIndex(path)
        await index.start()
        try:
            return await measure(
                "embedded", index, f"http://127.0.0.1:{port}", queries, users=users, persons=count
            )
        finally:
            await index.close()


# noida-db scans every document on every search (no inverted index: ~20 us of engine CPU per
# person per search, so ~2-3 s a search at 100,000 persons; `search_opensearch.py` measures it), so
# the OpenSearch run sends fewer searches than the embedded one: still the same mix, each path.
OPENSEARCH_QUERIES = 200
OPENSEARCH_WARM_UP = 20


async def run_opensearch(count: int, users: int, work: Path) -> dict[str, Any] | None:
    """Load `count` persons into a fresh noida-db and measure in the same engine process.

    Not cached between runs: noida-db would reload its whole JSON snapshot on restart, and loading
    afresh is quick next to the searches. Its cost grows with the persons loaded: every search reads
    every document (see OPENSEARCH_QUERIES), which real OpenSearch does not."""
    queries = queries_for(count)
    engine_port, api_port = free_port(), free_port()
    noida = [str(Path(sys.executable).parent / "noida-db"), "start", "--only", "elasticsearch",
             "--elasticsearch-port", str(engine_port),
             "--data-dir", str(work / "noida")]  # fmt: skip
    url = f"http://127.0.0.1:{engine_port}"
    with started(noida, work / "noida.log"):
        await _wait_http(url)
        index = OpenSearchIndex(url, index_name="bench-persons", refresh="false", timeout_s=600)
        await index.start()
        try:
            await build_opensearch(index, work / "noida" / "bench.done", count)
            async with httpx.AsyncClient() as client:  # writes were not refreshed one by one
                (await client.post(f"{url}/bench-persons/_refresh", timeout=600)).raise_for_status()
            if users == 0:
                return None
            server = _server(url, work / "opensearch-api", api_port)
            server += ["--index-name", "bench-persons"]
            with started(server, work / "api-opensearch.log"):
                await _wait_http(f"http://127.0.0.1:{api_port}/healthz")
                return await measure(
                    "opensearch",
                    index,
                    f"http://127.0.0.1:{api_port}",
                    queries,
                    users=users,
                    persons=count,
                    min_queries=OPENSEARCH_QUERIES,
                    warm_up=OPENSEARCH_WARM_UP,
                )
        finally:
            await index.close()


def _print(row: dict[str, Any]) -> None:
    print(
        f"{row['backend']:>10}  {row['persons']:>9,} persons  {row['queries']:>5} queries  "
        f"direct p50 {row['direct_p50']:7.1f} ms  p95 {row['direct_p95']:7.1f} ms  |  "
        f"search-api p50 {row['api_p50']:7.1f} ms  p95 {row['api_p95']:7.1f} ms  |  "
        f"overhead p50 {row['overhead_p50']:.2f}x  p95 {row['overhead_p95']:.2f}x  "
        f"(same totals: {row['found_same']})",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument(
        "--opensearch-persons",
        type=int,
        default=20_000,
        help="persons in the OpenSearch run (noida-db scans every person on every search: "
        "~20 us each, so 1,000,000 would be ~20-40 s of engine CPU a search; see run_opensearch)",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--build-only", action="store_true", help="build the cached indexes only")
    parser.add_argument("--backends", default="embedded,opensearch")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    # As the search-api does once started (`runtime.serve`): the start-up objects stay out of
    # full garbage collections, so neither path's figures carry the other's collector pauses.
    gc.collect()
    gc.freeze()
    runners = {"embedded": run_embedded, "opensearch": run_opensearch}
    work = Path(tempfile.mkdtemp(prefix="lateral-search-bench-"))
    for backend in args.backends.split(","):
        count = args.persons
        if backend == "opensearch" and args.opensearch_persons:
            count = args.opensearch_persons
        users = 0 if args.build_only else args.users
        try:
            row = await runners[backend](count, users, work)
        except Exception:
            print(f"{backend} failed; the servers' logs are in {work}", file=sys.stderr)
            raise
        if row is not None:
            _print(row)
    shutil.rmtree(work)


if __name__ == "__main__":
    asyncio.run(main())
