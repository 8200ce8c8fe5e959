"""The matcher's database engine: the shared one, with SQLite tuned for the matcher's work.

Each batch reads the candidates and snapshots of ~500 records scattered over the whole file and
dirties a few thousand pages. SQLite's default page cache (2 MB) is re-read from the OS again and
again, and the default WAL checkpoint (every 1,000 pages) copies the WAL back into the database
at nearly every commit. A 64 MiB cache per connection and a checkpoint every 8,000 pages (32 MB of
WAL) measured ~7% less CPU per record (`bench/matcher_throughput.py`); durability is unchanged
(WAL, synchronous=NORMAL, set by `lateral_shared.db`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_shared.db import create_engine

SQLITE_PRAGMAS = (
    "PRAGMA cache_size=-65536",  # KiB: 64 MiB, allocated only as pages are read
    "PRAGMA wal_autocheckpoint=8000",
    "PRAGMA temp_store=MEMORY",
)


def matcher_engine(url: str) -> AsyncEngine:
    """An engine for the matcher's store at `url` (SQLite or PostgreSQL)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
