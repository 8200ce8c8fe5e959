"""A batch's candidates: the live person records filed under its blocking keys.

A very common key (a large care home's UPRN, a common surname's sound and birth year) meets only
its most recent `CANDIDATES_PER_KEY` records (the resolver's module docstring says why that is
safe). Ranking by a window function costs a sort of every record filed under every key, though
almost every key has a handful of records: so the keys are read plainly, and only a key found
with more than the limit is read again, ranked. Such a key is remembered (in this process) and
read ranked straight away in later batches; a key remembered wrongly (its records since
withdrawn, or another database) is only read the slower way, with the same answer.

The (key, record) pairs come from the keys' index alone (a withdrawn record among them is dropped
when the records are read), and each distinct record is read after, once: a candidate is filed
under ~3 of a batch's keys. What is read of it is its stored profile (`records.profile`), not its
record: the resolver compares profiles, and parsing whole records was, at region scale, most of
the matcher's time. A record stored without one (before the column, or in an older format) is
read and profiled as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters.chunks import chunked
from lateral_matcher.adapters.tables import blocking_keys, records
from lateral_matcher.domain.profile import cached_profile, stored_profile
from lateral_matcher.domain.resolution import CandidateRecord
from lateral_shared.contracts.records import CleanRecord

CANDIDATES_PER_KEY = 200
_BIG_KEYS: set[str] = set()  # keys seen with more than CANDIDATES_PER_KEY live records
_BIG_KEYS_KEPT = 100_000

Filed = dict[str, set[str]]  # blocking key -> record keys
Parse = Callable[[str, str], CleanRecord]  # (record key, stored JSON) -> the record


async def load_candidates(
    conn: AsyncConnection, keys: Sequence[str], parse: Parse
) -> tuple[dict[str, CandidateRecord], Filed]:
    """Live person records filed under any of `keys` (the most recent `CANDIDATES_PER_KEY` of
    each), and which keys each is filed under.

    The (key, record) pairs are read first and each distinct record's profile after, once (a
    candidate is filed under ~3 of a batch's keys). A candidate read from its stored profile
    carries no record (`CandidateRecord.record` is None)."""
    filed: Filed = {}
    wanted: dict[str, None] = {}  # the records, in the order first met
    ranked = [key for key in keys if key in _BIG_KEYS]
    pairs: dict[str, list[str]] = {}
    for key, record_key in await _plain(conn, [k for k in keys if k not in _BIG_KEYS]):
        pairs.setdefault(key, []).append(record_key)
    for key, found in pairs.items():
        if len(found) > CANDIDATES_PER_KEY:
            _remember_big(key)
            ranked.append(key)
            continue
        filed.setdefault(key, set()).update(found)
        wanted.update(dict.fromkeys(found))
    for key, record_key in await _ranked(conn, ranked):
        filed.setdefault(key, set()).add(record_key)
        wanted[record_key] = None
    stored = await _profiles(conn, list(wanted))
    unprofiled = [k for k, (_, text) in stored.items() if text is None]
    profiles = {k: stored_profile(k, text) for k, (_, text) in stored.items() if text is not None}
    unprofiled += [k for k, profile in profiles.items() if profile is None]
    records_found = await _records(conn, unprofiled) if unprofiled else {}
    candidates: dict[str, CandidateRecord] = {}
    for record_key in wanted:
        if (profile := profiles.get(record_key)) is not None:
            candidates[record_key] = CandidateRecord(stored[record_key][0], None, profile)
        elif (row := records_found.get(record_key)) is not None:
            # Stored before profiles were (or in another format): profiled once here.
            record = parse(record_key, row[1])
            candidates[record_key] = CandidateRecord(row[0], record, cached_profile(record))
    gone = wanted.keys() - stored.keys()  # withdrawn (or, on PostgreSQL, moved meanwhile)
    if gone:
        filed = {key: found - gone for key, found in filed.items()}
        filed = {key: found for key, found in filed.items() if found}
    return candidates, filed


def _remember_big(key: str) -> None:
    if len(_BIG_KEYS) >= _BIG_KEYS_KEPT:
        _BIG_KEYS.clear()  # forgetting costs a second read of a big key, nothing else
    _BIG_KEYS.add(key)


async def _plain(conn: AsyncConnection, keys: Sequence[str]) -> list[tuple[str, str]]:
    """(key, record key) of every record filed under `keys`, from the keys' index alone: a
    withdrawn record among them is dropped when the records are read (`_records`), and only
    makes its key look common sooner (read ranked: the same records)."""
    bk = blocking_keys.c
    found: list[tuple[str, str]] = []
    for chunk in chunked(keys):
        stmt = select(bk.key, bk.record_key).where(bk.key.in_(chunk))
        found += [(key, record_key) for key, record_key in await conn.execute(stmt)]
    return found


async def _ranked(conn: AsyncConnection, keys: Sequence[str]) -> list[tuple[str, str]]:
    """The same, but only the most recent `CANDIDATES_PER_KEY` records of each key."""
    bk, r = blocking_keys.c, records.c
    found: list[tuple[str, str]] = []
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
        stmt = select(ranked.c.key, ranked.c.record_key).where(
            ranked.c.recent <= CANDIDATES_PER_KEY
        )
        found += [(key, record_key) for key, record_key in await conn.execute(stmt)]
    return found


async def _profiles(
    conn: AsyncConnection, record_keys: Sequence[str]
) -> dict[str, tuple[str, str | None]]:
    """(person ID, stored profile) of each of `record_keys` still a live person record."""
    r = records.c
    found: dict[str, tuple[str, str | None]] = {}
    for chunk in chunked(record_keys):
        stmt = select(r.record_key, r.person_id, r.profile).where(
            r.record_key.in_(chunk), r.withdrawn_at.is_(None), r.person_id.is_not(None)
        )
        for record_key, person_id, text in await conn.execute(stmt):
            found[record_key] = (person_id, text)
    return found


async def _records(conn: AsyncConnection, record_keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(person ID, record JSON) of each of `record_keys` still a live person record."""
    r = records.c
    found: dict[str, tuple[str, str]] = {}
    for chunk in chunked(record_keys):
        stmt = select(r.record_key, r.person_id, cast(r.record, Text)).where(
            r.record_key.in_(chunk), r.withdrawn_at.is_(None), r.person_id.is_not(None)
        )
        for record_key, person_id, text in await conn.execute(stmt):
            found[record_key] = (person_id, text)
    return found
