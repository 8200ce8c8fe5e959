"""The embedded search index for the single-process mode: one SQLite file, same query contract
as OpenSearch (`PersonQuery`), checked by the same contract tests.

SQLite work runs in threads so the event loop never blocks: one writer thread (SQLite allows one
writer at a time) and a few reader threads, each with its own connection; WAL journaling lets the
readers search while a write is in progress, and a committed write is visible to the next search.
A search (its matches and its page of documents) is one hop to a reader thread, in one snapshot.

How it scales: see `embedded_match` (each search is driven by its most selective criterion).
Measured with `bench/search_latency.py` on 1,000,000 synthetic persons (2.2 GB file): one search
at a time costs 1.7 ms of CPU on average over the bench's mix (3 ms a house number and street,
the dearest; 1.3 ms a misspelt name with an outward code); with 20 users at once the machine's
two cores queue them (figures in the bench).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from . import embedded_sql as sql
from .documents import (
    AddressDocument,
    AddressHit,
    AddressQuery,
    AddressResult,
    PersonDocument,
    PersonQuery,
    SearchHit,
    SearchResult,
    as_address_id,
)
from .embedded_match import matches
from .port import SearchIndex
from .terms import address_query_keys, query_keys

T = TypeVar("T")

READER_THREADS = 4


class EmbeddedIndex(SearchIndex):
    """A `SearchIndex` stored in the SQLite file at `path` (created with its tables on start)."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._writer: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()

    async def start(self) -> None:
        if self._writer is not None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="lateral-index-write")
        self._readers = ThreadPoolExecutor(READER_THREADS, thread_name_prefix="lateral-index-read")
        await self._write(sql.prepare)

    async def close(self) -> None:
        for pool in (self._writer, self._readers):
            if pool is not None:
                await asyncio.to_thread(pool.shutdown, wait=True)
        self._writer = self._readers = None
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    async def upsert_persons(self, documents: Sequence[PersonDocument]) -> None:
        if documents:
            await self._write(functools.partial(sql.upsert, documents=documents))

    async def delete_persons(self, person_ids: Sequence[str]) -> None:
        if person_ids:
            await self._write(functools.partial(sql.delete, ids=person_ids))

    async def get_persons(self, person_ids: Sequence[str]) -> dict[str, PersonDocument]:
        if not person_ids:
            return {}
        return await self._read(functools.partial(sql.load, person_ids=person_ids))

    async def search(self, query: PersonQuery) -> SearchResult:
        return await self._read(functools.partial(_search, query=query))

    async def upsert_addresses(self, documents: Sequence[AddressDocument]) -> None:
        if documents:
            await self._write(functools.partial(sql.upsert_addresses, documents=documents))

    async def delete_addresses(self, addresses: Sequence[str]) -> None:
        if addresses:
            ids = [as_address_id(a) for a in addresses]
            await self._write(functools.partial(sql.delete, ids=ids, where=sql.ADDRESSES))

    async def get_addresses(self, addresses: Sequence[str]) -> dict[str, AddressDocument]:
        if not addresses:
            return {}
        ids = [as_address_id(a) for a in addresses]
        return await self._read(functools.partial(sql.load_addresses, ids=ids))

    async def search_addresses(self, query: AddressQuery) -> AddressResult:
        return await self._read(functools.partial(_search_addresses, query=query))

    async def ping(self) -> None:
        await self._read(lambda conn: conn.execute("SELECT 1 FROM persons LIMIT 1").fetchall())

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(self._writer, work)

    async def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(self._readers, work)

    async def _run(
        self, pool: ThreadPoolExecutor | None, work: Callable[[sqlite3.Connection], T]
    ) -> T:
        if pool is None:
            raise RuntimeError("the embedded index is not started: call start() first")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, lambda: work(self._connection()))

    def _connection(self) -> sqlite3.Connection:
        """This thread's own connection to the index file, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            # The indexer commits its offset once a write returns, so a committed write must
            # survive a power cut, not only a crash: sync the log on every commit.
            conn.execute("PRAGMA synchronous = FULL")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn


def _search(conn: sqlite3.Connection, query: PersonQuery) -> SearchResult:
    """One page of persons matching `query` (in one reader thread, one read transaction: a
    search and its documents are read in one hop from the event loop)."""
    with _read_transaction(conn):
        ranked = matches(conn, sql.PERSONS, query_keys(query))
        page = _page(ranked, query.page, query.page_size)
        docs = sql.load(conn, [pid for pid, _ in page])
    hits = [SearchHit(person=docs[pid], score=score) for pid, score in page if pid in docs]
    return SearchResult(total=len(ranked), hits=hits)


def _search_addresses(conn: sqlite3.Connection, query: AddressQuery) -> AddressResult:
    """One page of addresses matching `query`, in address-key order (as `_search`)."""
    with _read_transaction(conn):
        found = matches(conn, sql.ADDRESSES, address_query_keys(query))
        ordered = sql.by_address_key(conn, [doc_id for doc_id, _ in found])
        page = _page([(doc_id, 0.0) for doc_id in ordered], query.page, query.page_size)
        docs = sql.load_addresses(conn, [doc_id for doc_id, _ in page])
    hits = [AddressHit(address=docs[i], score=score) for i, score in page if i in docs]
    return AddressResult(total=len(ordered), hits=hits)


@contextlib.contextmanager
def _read_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One snapshot for several reads: what a search counted is what it then loads."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def _page(ranked: list[tuple[str, float]], page: int, size: int) -> list[tuple[str, float]]:
    start = (page - 1) * size
    return ranked[start : start + size]
