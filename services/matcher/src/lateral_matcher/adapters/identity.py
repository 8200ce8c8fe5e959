"""Person identity in the store: live persons, redirects of merged IDs, and the merge/split log.

A merge first marks the absorbed person (taking its row lock, so a concurrent batch linking a
record to it waits, then sees the redirect: `late_redirects`), then moves its records and links to
the survivor, and records the merge with the record keys that moved.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters.chunks import chunked
from lateral_matcher.adapters.tables import identity_changes, links, persons, records
from lateral_matcher.domain.merging import Merge

ChangeKind = Literal["merge", "split"]


@dataclass(frozen=True, slots=True)
class IdentityChange:
    change_id: str
    kind: str
    person_id: str
    other_person_id: str
    record_keys: list[str]
    cause_record_key: str | None
    reason: str
    actor: str
    occurred_at: datetime


async def load_persons(
    conn: AsyncConnection, person_ids: Sequence[str]
) -> tuple[set[str], dict[str, str]]:
    """The live persons among `person_ids`, and where each merged one is now."""
    live: set[str] = set()
    redirects: dict[str, str] = {}
    wanted = sorted(set(person_ids))
    for chunk in chunked(wanted):
        stmt = select(persons.c.person_id, persons.c.merged_into).where(
            persons.c.person_id.in_(chunk)
        )
        for person_id, merged_into in await conn.execute(stmt):
            if merged_into is None:
                live.add(person_id)
            else:
                redirects[person_id] = merged_into
    return live, redirects


async def where_is(conn: AsyncConnection, person_id: str) -> str | None:
    """The person's current ID (its survivor if merged), or None if there never was one."""
    stmt = select(persons.c.merged_into).where(persons.c.person_id == person_id)
    row = (await conn.execute(stmt)).first()
    return None if row is None else (row.merged_into or person_id)


async def person_of_record(conn: AsyncConnection, record_key: str) -> str | None:
    """The person a live record is linked to now (None: address-only, withdrawn or unknown)."""
    stmt = select(records.c.person_id).where(
        records.c.record_key == record_key, records.c.withdrawn_at.is_(None)
    )
    row = (await conn.execute(stmt)).first()
    return None if row is None else row.person_id


async def apply_merges(conn: AsyncConnection, merges: Sequence[Merge], *, now: datetime) -> None:
    """Apply merges in order; each leaves its absorbed person redirecting to the survivor."""
    for merge in merges:
        await conn.execute(
            update(persons)
            .where(or_(persons.c.person_id == merge.absorbed,
                       persons.c.merged_into == merge.absorbed))
            .values(merged_into=merge.survivor, updated_at=now)
        )  # fmt: skip
        moved = await move_records(conn, merge.absorbed, merge.survivor, now=now)
        await log_change(conn, "merge", merge.survivor, merge.absorbed, moved,
                         cause=merge.cause_record_key, reason=merge.reason, actor=merge.actor,
                         now=now)  # fmt: skip


async def move_records(
    conn: AsyncConnection,
    from_person: str,
    to_person: str,
    *,
    now: datetime,
    only: Sequence[str] | None = None,
) -> list[str]:
    """Move a person's records (or just `only` of them) to another; the keys that moved."""
    where = [records.c.person_id == from_person]
    if only is not None:
        where.append(records.c.record_key.in_(list(only)))
    moved = sorted((await conn.execute(select(records.c.record_key).where(*where))).scalars())
    if moved:
        for chunk in chunked(moved):
            await conn.execute(
                update(records).where(records.c.record_key.in_(chunk))
                .values(person_id=to_person, updated_at=now)
            )  # fmt: skip
            await conn.execute(
                update(links).where(links.c.record_key.in_(chunk))
                .values(person_id=to_person, updated_at=now)
            )  # fmt: skip
    return moved


async def log_change(
    conn: AsyncConnection,
    kind: ChangeKind,
    person_id: str,
    other_person_id: str,
    record_keys: list[str],
    *,
    cause: str | None,
    reason: str,
    actor: str,
    now: datetime,
) -> None:
    """Record one merge or split, with who did it and why."""
    change_id = uuid.uuid4()
    await conn.execute(
        identity_changes.insert(),
        [{"change_id": str(change_id), "kind": kind, "person_id": person_id,
          "other_person_id": other_person_id, "record_keys": record_keys,
          "cause_record_key": cause, "reason": reason[:2000], "actor": actor[:200],
          "occurred_at": now}],
    )  # fmt: skip


async def create_person(conn: AsyncConnection, person_id: str, *, now: datetime) -> None:
    await conn.execute(
        persons.insert(),
        [{"person_id": person_id, "version": 1, "created_at": now, "updated_at": now,
          "merged_into": None}],
    )  # fmt: skip


async def restore_person(conn: AsyncConnection, person_id: str, *, now: datetime) -> None:
    """Undo a merge: the absorbed person is a person of its own again."""
    await conn.execute(
        update(persons).where(persons.c.person_id == person_id)
        .values(merged_into=None, version=persons.c.version + 1, updated_at=now)
    )  # fmt: skip


async def exists(conn: AsyncConnection, person_id: str) -> bool:
    stmt = select(persons.c.person_id).where(persons.c.person_id == person_id)
    return (await conn.execute(stmt)).first() is not None


async def a_record_of(conn: AsyncConnection, person_id: str) -> str | None:
    """One live record of the person (the first by key), or None if it has none."""
    stmt = (
        select(records.c.record_key)
        .where(records.c.person_id == person_id, records.c.withdrawn_at.is_(None))
        .order_by(records.c.record_key)
        .limit(1)
    )
    return (await conn.execute(stmt)).scalar_one_or_none()


async def late_redirects(conn: AsyncConnection, person_ids: Sequence[str]) -> dict[str, str]:
    """Persons among `person_ids` merged away by another matcher since this batch read them."""
    _, redirects = await load_persons(conn, person_ids)
    return redirects


async def changes_of(conn: AsyncConnection, person_id: str) -> list[IdentityChange]:
    """Every merge and split a person took part in, oldest first."""
    c = identity_changes.c
    stmt = (
        select(identity_changes)
        .where(or_(c.person_id == person_id, c.other_person_id == person_id))
        .order_by(c.occurred_at, c.change_id)
    )
    return [
        IdentityChange(row.change_id, row.kind, row.person_id, row.other_person_id,
                       list(row.record_keys), row.cause_record_key, row.reason, row.actor,
                       row.occurred_at)
        for row in await conn.execute(stmt)
    ]  # fmt: skip


async def merges_caused_by(
    conn: AsyncConnection, record_key: str, survivor: str
) -> list[IdentityChange]:
    """The merges into `survivor` that `record_key`'s arrival caused, newest first."""
    c = identity_changes.c
    stmt = (
        select(identity_changes)
        .where(c.kind == "merge", c.cause_record_key == record_key, c.person_id == survivor)
        .order_by(c.occurred_at.desc(), c.change_id)
    )
    return [
        IdentityChange(row.change_id, row.kind, row.person_id, row.other_person_id,
                       list(row.record_keys), row.cause_record_key, row.reason, row.actor,
                       row.occurred_at)
        for row in await conn.execute(stmt)
    ]  # fmt: skip
