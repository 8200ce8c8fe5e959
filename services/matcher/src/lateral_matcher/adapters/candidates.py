"""A batch's candidates: the live person records filed under its blocking keys.

A very common key (a large care home's UPRN, a common surname's sound and birth year) meets only
its most recent `CANDIDATES_PER_KEY` records (the resolver's module docstring says why that is
safe). Ranking by a window function costs a sort of every record filed under every key, though
almost every key has a handful of records: so the keys are read with a plain join, and only a
key found with more than the limit is read again, ranked. Such a key is remembered (in this
process) and read ranked straight away in later batches; a key remembered wrongly (its records
since withdrawn, or another database) is only read the slower way, with the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters.chunks import chunked
from lateral_matcher.adapters.tables import blocking_keys, records
from lateral_matcher.domain.resolution import CandidateRecord
from lateral_shared.contracts.records import CleanRecord

CANDIDATES_PER_KEY = 200
_BIG_KEYS: set[str] = set()  # keys seen with more than CANDIDATES_PER_KEY live records
_BIG_KEYS_KEPT = 100_000

Filed = dict[str, set[str]]  # blocking key -> record keys
Parse = Callable[[str], CleanRecord]


async def load_candidates(
    conn: AsyncConnection, keys: Sequence[str], parse: Parse
) -> tuple[dict[str, CandidateRecord], Filed]:
    """Live person records filed under any of `keys` (the most recent `CANDIDATES_PER_KEY` of
    each), and which keys each is filed under."""
    candidates: dict[str, CandidateRecord] = {}
    filed: Filed = {}
    ranked = [key for key in keys if key in _BIG_KEYS]
    rows: dict[str, list[tuple[str, str, str]]] = {}
    for key, record_key, person_id, text in await _plain(
        conn, [k for k in keys if k not in _BIG_KEYS]
    ):
        rows.setdefault(key, []).append((record_key, person_id, text))
    for key, found in rows.items():
        if len(found) > CANDIDATES_PER_KEY:
            _remember_big(key)
            ranked.append(key)
            continue
        _add(candidates, filed, key, found, parse)
    for key, record_key, person_id, text in await _ranked(conn, ranked):
        _add(candidates, filed, key, [(record_key, person_id, text)], parse)
    return candidates, filed


def _add(
    candidates: dict[str, CandidateRecord],
    filed: Filed,
    key: str,
    found: list[tuple[str, str, str]],
    parse: Parse,
) -> None:
    keyed = filed.setdefault(key, set())
    for record_key, person_id, text in found:
        keyed.add(record_key)
        if record_key not in candidates:
            candidates[record_key] = CandidateRecord(person_id, parse(text))


def _remember_big(key: str) -> None:
    if len(_BIG_KEYS) >= _BIG_KEYS_KEPT:
        _BIG_KEYS.clear()  # forgetting costs a second read of a big key, nothing else
    _BIG_KEYS.add(key)


async def _plain(conn: AsyncConnection, keys: Sequence[str]) -> list[tuple[str, str, str, str]]:
    """(key, record key, person ID, record JSON) of every live person record under `keys`."""
    bk, r = blocking_keys.c, records.c
    found: list[tuple[str, str, str, str]] = []
    for chunk in chunked(keys):
        stmt = (
            select(bk.key, r.record_key, r.person_id, cast(r.record, Text))
            .join(records, r.record_key == bk.record_key)
            .where(bk.key.in_(chunk), r.withdrawn_at.is_(None), r.person_id.is_not(None))
        )
        found += [tuple(row) for row in await conn.execute(stmt)]
    return found


async def _ranked(conn: AsyncConnection, keys: Sequence[str]) -> list[tuple[str, str, str, str]]:
    """The same, but only the most recent `CANDIDATES_PER_KEY` records of each key."""
    bk, r = blocking_keys.c, records.c
    found: list[tuple[str, str, str, str]] = []
    for chunk in chunked(keys):
        recent = func.row_number().over(
            partition_by=bk.key, order_by=(r.updated_at.desc(), r.record_key)
        )
        ranked = (
            select(bk.key, bk.record_key, recent.label("recent"))
            .join(records, r.record_key == bk.record_key)
            .where(bk.key.in_(chunk), r.withdrawn_at.is_(None), r.person_id.is_not(None))
            .subquery()
        )
        stmt = (
            select(ranked.c.key, r.record_key, r.person_id, cast(r.record, Text))
            .join(records, r.record_key == ranked.c.record_key)
            .where(ranked.c.recent <= CANDIDATES_PER_KEY)
        )
        found += [tuple(row) for row in await conn.execute(stmt)]
    return found
