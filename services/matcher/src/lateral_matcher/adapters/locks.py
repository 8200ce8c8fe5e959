"""Serialising concurrent matchers: transaction-scoped locks on a batch's blocking keys.

Two replicas resolving records of one new individual at once would each miss the other's
uncommitted records and make two persons. Before reading candidates, each batch takes a
PostgreSQL advisory transaction lock on every blocking key it has, in sorted order (so two batches
never wait on each other in a cycle); a batch sharing a key waits until the other commits, then
sees its records.

A record updated by its partner may come with none of the blocking keys it had (another name,
date of birth and NHS number), so a batch also locks the keys its records have in the store
(`lock_batch`): whoever holds a record's old keys (a steward's decision on its person) and the
batch then wait for each other.

A data steward's decision moves records between persons, so it takes the same locks, on the
blocking keys of every record of the persons it touches (`lock_persons`), before it reads them:
a batch linking a record of one of those persons waits for the decision, and the other way round.

On SQLite (embedded mode: one process) the driver begins a transaction only at the first write,
so a batch's reads would not be isolated from another's writes: writers to one database file take
turns on an in-process lock instead (`one_writer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lateral_matcher.adapters.tables import blocking_keys, records

# Tries at a transaction whose locked keys others keep changing while it waits (a batch, a
# steward's decision) before giving up: each try takes its locks in one sorted round.
LOCK_ROUNDS = 5

_sqlite_writers: dict[tuple[str, int], asyncio.Lock] = {}

# Sorted in a subquery and aggregated, so the locks are taken in that order.
_LOCK_SORTED = text(
    "SELECT count(pg_advisory_xact_lock(k)) "
    "FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS sorted_keys"
)


def lock_id(key: str) -> int:
    """A stable signed 64-bit lock ID for a blocking key (the same in every replica)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_blocking_keys(connection: AsyncConnection, keys: Iterable[str]) -> None:
    """Hold a lock on each key until the transaction ends (PostgreSQL; nothing on SQLite)."""
    if connection.dialect.name != "postgresql":
        return
    ids = sorted({lock_id(key) for key in keys})
    if ids:
        await connection.execute(_LOCK_SORTED, {"keys": ids})


async def lock_batch(
    connection: AsyncConnection, keys: Iterable[str], record_keys: Sequence[str]
) -> bool:
    """Lock `keys` (a batch's blocking keys) and the keys the store holds for `record_keys` (the
    batch's records as they were), in one sorted round (PostgreSQL; nothing on SQLite).

    False if another batch changed those records' keys while this waited, with a key not locked:
    the caller rolls back and tries again (more locks now would break the sorted order).
    """
    if connection.dialect.name != "postgresql":
        return True
    return await _lock_stored_keys(connection, [], sorted(set(record_keys)), also=keys)


async def lock_persons(
    connection: AsyncConnection, person_ids: Iterable[str], record_keys: Iterable[str] = ()
) -> bool:
    """Lock the blocking keys of every record of `person_ids` (and of `record_keys`), as a batch
    linking one of those records would (PostgreSQL; nothing on SQLite).

    False if a batch added a record to those persons while this waited, with a key not locked:
    the caller rolls back and tries again (more locks now would break the sorted order).
    """
    if connection.dialect.name != "postgresql":
        return True
    return await _lock_stored_keys(connection, sorted(set(person_ids)), sorted(set(record_keys)))


async def _lock_stored_keys(
    connection: AsyncConnection, persons: list[str], keys: list[str], also: Iterable[str] = ()
) -> bool:
    """Lock the stored blocking keys of the persons' and the records' records (and `also`) in
    one sorted round; False if they gained a key meanwhile (not locked)."""
    wanted = {*also, *await _keys_of(connection, persons, keys)}
    await lock_blocking_keys(connection, wanted)
    return await _keys_of(connection, persons, keys) <= wanted


async def _keys_of(connection: AsyncConnection, persons: list[str], keys: list[str]) -> set[str]:
    b, r = blocking_keys.c, records.c
    stmt = (
        select(b.key).distinct()
        .select_from(blocking_keys.join(records, r.record_key == b.record_key))
        .where(or_(r.person_id.in_(persons), r.record_key.in_(keys)))
    )  # fmt: skip
    return set((await connection.execute(stmt)).scalars())


@contextlib.asynccontextmanager
async def one_writer(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold the database's writer turn (SQLite); nothing to hold on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        yield
        return
    key = (str(engine.url), id(asyncio.get_running_loop()))
    lock = _sqlite_writers.setdefault(key, asyncio.Lock())
    async with lock:
        yield
