"""The cached indexes and query mix of `search_latency.py`: 1,000,000 synthetic persons (see
`search_data`) bulk-loaded once into the embedded index and into the OpenSearch adapter, kept under
`bench/.cache/` between runs, and the searches drawn from the persons loaded.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from search_data import persons

from lateral_shared.index import PersonDocument
from lateral_shared.index import embedded_sql as sql
from lateral_shared.index.opensearch import OpenSearchIndex

CACHE = Path(__file__).parent / ".cache"
BATCH = 5_000
SAMPLE_EVERY = 500  # one person in this many seeds a query


def _misspell(rng: random.Random, word: str) -> str:
    """One edit: two inner letters swapped, or one replaced."""
    if len(word) >= 5 and rng.random() < 0.5:
        i = rng.randint(1, len(word) - 3)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    i = rng.randint(1, len(word) - 1)
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]


def query_for(rng: random.Random, doc: PersonDocument) -> dict[str, str]:
    """A realistic search that should find `doc` (criteria as the search-api takes them)."""
    name, home = doc.names[0], doc.addresses[0]
    surname, postcode = name.surname or "", home.postcode or ""
    kind = rng.choices(
        ["name_year", "name_area", "postcode", "nhs", "address"], [35, 15, 15, 15, 20]
    )[0]
    if kind == "name_year" or (kind == "nhs" and not doc.nhs_numbers):
        return {
            "name": f"{name.forename} {_misspell(rng, surname)}",
            "dob": (doc.date_of_birth or "")[:4],
        }
    if kind == "name_area":
        return {"name": _misspell(rng, surname), "postcode": postcode.split()[0]}
    if kind == "postcode":
        return {"postcode": postcode}
    if kind == "nhs":
        number = doc.nhs_numbers[0]
        return {"nhs_number": f"{number[:3]} {number[3:6]} {number[6:]}"}
    return {"address": home.lines[0]}


def _documents_and_queries(
    count: int,
) -> Iterator[tuple[list[PersonDocument], list[dict[str, str]]]]:
    rng = random.Random(11)  # noqa: S311 (synthetic data, not security)
    batch: list[PersonDocument] = []
    queries: list[dict[str, str]] = []
    for i, doc in enumerate(persons(count)):
        batch.append(doc)
        if i % SAMPLE_EVERY == 0:
            queries.append(query_for(rng, doc))
        if len(batch) == BATCH:
            yield batch, queries
            batch, queries = [], []
    if batch:
        yield batch, queries


def embedded_path(count: int) -> Path:
    """The cached embedded index of `count` persons, named for the key layout it holds. A file
    built by older code is taken over under the new name: the index brings it up to date when it
    starts (`embedded_sql.prepare`), far sooner than building 1,000,000 persons again."""
    path = CACHE / f"embedded-{count}-v{sql.SCHEMA_VERSION}.db"
    done = CACHE.glob(f"embedded-{count}-v*.done")
    older = sorted(
        (d for d in done if d != path.with_suffix(".done")), key=lambda d: d.stat().st_mtime
    )
    if not path.exists() and older:
        built = older[-1].with_suffix(".db")
        for suffix in (".db", ".done", ".db-wal", ".db-shm"):
            if built.with_suffix(suffix).exists():
                built.with_suffix(suffix).rename(path.with_suffix(suffix))
    return path


def build_embedded(path: Path, count: int, queries_path: Path) -> None:
    """The embedded index file of `count` persons, written straight through its SQL (no
    fsync per batch while building: a crash means building again)."""
    done = path.with_suffix(".done")
    if done.exists() and queries_path.exists():
        return
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    sql.prepare(conn)
    started, queries = time.perf_counter(), []
    for n, (batch, sampled) in enumerate(_documents_and_queries(count), start=1):
        sql.upsert(conn, batch)
        queries += sampled
        if n % 20 == 0:
            print(
                f"  embedded: {n * BATCH:,} persons, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    conn.execute("ANALYZE")
    conn.close()
    queries_path.write_text(json.dumps(queries))
    done.write_text(f"{count} persons in {time.perf_counter() - started:.0f} s\n")
    print(f"embedded index built: {done.read_text().strip()}", flush=True)


async def build_opensearch(index: OpenSearchIndex, marker: Path, count: int) -> None:
    """Bulk-load `count` persons into the OpenSearch adapter (no refresh per batch)."""
    if _is_built(marker):
        return
    started = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    for n, (batch, _) in enumerate(_documents_and_queries(count), start=1):
        if len(pending) >= 2:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        pending.add(asyncio.create_task(index.upsert_persons(batch)))
        if n % 20 == 0:
            print(
                f"  opensearch: {n * BATCH:,} persons, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    await asyncio.gather(*pending)
    note = f"{count} persons in {time.perf_counter() - started:.0f} s"
    _mark_built(marker, note)
    print(f"opensearch index built: {note}", flush=True)


def _is_built(marker: Path) -> bool:
    return marker.exists()


def _mark_built(marker: Path, note: str) -> None:
    marker.write_text(note + "\n")


def queries_for(count: int) -> list[dict[str, str]]:
    """The query mix for the first `count` persons: a prefix of any larger run's (the same
    generator and seeds), or drawn afresh without building an index."""
    for path in sorted(CACHE.glob("queries-*.json"), key=lambda p: int(p.stem.split("-")[1])):
        if int(path.stem.split("-")[1]) >= count:
            return list(json.loads(path.read_text()))[: -(-count // SAMPLE_EVERY)]
    return [q for _, sampled in _documents_and_queries(count) for q in sampled]
