"""The review queue in the store: doubtful pairs, practitioners' reports, stewards' decisions.

A review item's ID is derived from its source, record and person, so the same doubt raised again
(a redelivered batch, a replay, a practitioner reporting twice) is one item, not several.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters.chunks import CHUNK, chunked
from lateral_matcher.adapters.tables import persons, review_items, steward_decisions
from lateral_matcher.domain.batch import ReviewRequest
from lateral_matcher.domain.resolution import StewardDecisions

REVIEW_NAMESPACE = uuid.UUID("5c8d2e61-7a4b-5f1e-8c3d-2b1a0f9e8d7c")
Source = Literal["matcher", "practitioner"]
Decision = Literal["same", "not_same"]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    review_id: str
    record_key: str
    person_id: str
    source: str
    match_weight: float | None
    probability: float | None
    explanation: dict[str, Any] | None
    reported_by: str | None
    report_reason: str | None
    status: str
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None
    created_at: datetime


def review_id(source: Source, record_key: str, person_id: str) -> str:
    return str(uuid.uuid5(REVIEW_NAMESPACE, f"{source}|{record_key}|{person_id}"))


async def raise_items(
    conn: AsyncConnection,
    requests: Sequence[ReviewRequest],
    current: Callable[[str | None], str | None],
    *,
    now: datetime,
) -> None:
    """Store the matcher's doubtful pairs (each once), against the persons as they are now."""
    rows: dict[str, dict[str, Any]] = {}
    for request in requests:
        person_id = current(request.match.person_id) or request.match.person_id
        rid = review_id("matcher", request.record_key, person_id)
        rows[rid] = {
            "review_id": rid, "record_key": request.record_key, "person_id": person_id,
            "source": "matcher", "match_weight": request.match.match_weight,
            "probability": request.match.probability,
            "explanation": request.match.explanation.model_dump(mode="json"),
            "reported_by": None, "report_reason": None, "status": "open", "created_at": now,
        }  # fmt: skip
    await _insert_new(conn, rows)


async def raise_report(
    conn: AsyncConnection,
    *,
    record_key: str,
    person_id: str,
    reported_by: str,
    reason: str,
    now: datetime,
) -> str:
    """Store a practitioner's "not the same person" report; the review item's ID."""
    rid = review_id("practitioner", record_key, person_id)
    row = {
        "review_id": rid, "record_key": record_key, "person_id": person_id,
        "source": "practitioner", "match_weight": None, "probability": None,
        "explanation": None, "reported_by": reported_by[:200], "report_reason": reason[:2000],
        "status": "open", "created_at": now,
    }  # fmt: skip
    await _insert_new(conn, {rid: row})
    return rid


async def _insert_new(conn: AsyncConnection, rows: dict[str, dict[str, Any]]) -> None:
    if not rows:
        return
    existing: set[str] = set()
    for chunk in chunked(sorted(rows)):
        stmt = select(review_items.c.review_id).where(review_items.c.review_id.in_(chunk))
        existing |= set((await conn.execute(stmt)).scalars())
    new = [row for rid, row in rows.items() if rid not in existing]
    if new:
        await conn.execute(review_items.insert(), new)


async def load_decisions(conn: AsyncConnection, record_keys: Sequence[str]) -> StewardDecisions:
    """The stewards' decisions about `record_keys`, against the persons as they are now."""
    same: set[tuple[str, str]] = set()
    not_same: set[tuple[str, str]] = set()
    founds: set[tuple[str, str]] = set()  # "same" as a person not (yet) stored: the record makes it
    d = steward_decisions.c
    current = func.coalesce(persons.c.merged_into, d.person_id)
    for chunk in chunked(record_keys):
        stmt = (
            select(d.record_key, current, d.decision, persons.c.person_id.is_(None))
            .select_from(steward_decisions.outerjoin(persons, persons.c.person_id == d.person_id))
            .where(d.record_key.in_(chunk))
        )
        for record_key, person_id, decision, missing in await conn.execute(stmt):
            (same if decision == "same" else not_same).add((record_key, person_id))
            if decision == "same" and missing:
                founds.add((record_key, person_id))
    return StewardDecisions(
        not_same=frozenset(not_same), same=frozenset(same), founds=frozenset(founds)
    )


async def kept_apart(conn: AsyncConnection, person_id: str) -> list[str]:
    """The records a data steward decided are not `person_id` (or a person merged into it)."""
    d = steward_decisions.c
    merged = select(persons.c.person_id).where(persons.c.merged_into == person_id)
    stmt = (
        select(d.record_key)
        .distinct()
        .where(d.decision == "not_same", or_(d.person_id == person_id, d.person_id.in_(merged)))
    )
    return sorted((await conn.execute(stmt)).scalars())


async def keep_decisions(
    conn: AsyncConnection,
    decisions: Sequence[tuple[str, str, Decision]],
    *,
    review_id: str,
    now: datetime,
) -> None:
    """Keep (record key, person ID, decision)s that follow from a steward's decision (replacing
    any earlier decision about the same pair; the last one about a pair wins), for replays and
    later records. The earlier decisions go in one statement (a few for thousands of pairs)."""
    kept = {(record_key, person_id): decision for record_key, person_id, decision in decisions}
    pairs = sorted(kept)
    d = steward_decisions.c
    for chunk in chunked(pairs, CHUNK // 2):  # two bound parameters a pair
        await conn.execute(
            steward_decisions.delete().where(tuple_(d.record_key, d.person_id).in_(chunk))
        )
    if kept:
        await conn.execute(steward_decisions.insert(), [
            {"record_key": k, "person_id": p, "decision": decision, "review_id": review_id,
             "decided_at": now} for (k, p), decision in kept.items()
        ])  # fmt: skip


async def list_items(
    conn: AsyncConnection, *, status: str | None, limit: int, offset: int
) -> tuple[int, list[ReviewItem]]:
    """A page of review items, oldest first, and how many there are in all."""
    c = review_items.c
    where = [] if status is None else [c.status == status]
    total = await conn.execute(select(func.count()).select_from(review_items).where(*where))
    stmt = (
        select(review_items).where(*where).order_by(c.created_at, c.review_id)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return int(total.scalar_one()), [_item(row) for row in await conn.execute(stmt)]


async def list_decided(
    conn: AsyncConnection, *, limit: int, offset: int
) -> tuple[int, list[ReviewItem]]:
    """A page of decided review items, newest decision first, and how many there are in all."""
    c = review_items.c
    decided = c.status != "open"
    total = await conn.execute(select(func.count()).select_from(review_items).where(decided))
    stmt = (
        select(review_items).where(decided).order_by(c.decided_at.desc(), c.review_id)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return int(total.scalar_one()), [_item(row) for row in await conn.execute(stmt)]


async def get_item(
    conn: AsyncConnection, rid: str, *, for_update: bool = False
) -> ReviewItem | None:
    stmt = select(review_items).where(review_items.c.review_id == rid)
    if for_update and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = (await conn.execute(stmt)).first()
    return None if row is None else _item(row)


async def record_decision(
    conn: AsyncConnection,
    item: ReviewItem,
    *,
    decision: Decision,
    decided_by: str,
    reason: str,
    now: datetime,
) -> None:
    """Close the item with the decision, and keep the decision for replays and later records."""
    await conn.execute(
        update(review_items).where(review_items.c.review_id == item.review_id)
        .values(status=decision, decided_by=decided_by[:200], decision_reason=reason[:2000],
                decided_at=now)
    )  # fmt: skip
    d = steward_decisions.c
    await conn.execute(
        steward_decisions.delete().where(
            d.record_key == item.record_key, d.person_id == item.person_id
        )
    )
    await conn.execute(
        steward_decisions.insert(),
        [{"record_key": item.record_key, "person_id": item.person_id, "decision": decision,
          "review_id": item.review_id, "decided_at": now}],
    )  # fmt: skip


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        row.review_id, row.record_key, row.person_id, row.source, row.match_weight,
        row.probability, row.explanation, row.reported_by, row.report_reason, row.status,
        row.decided_by, row.decision_reason, row.decided_at, row.created_at,
    )  # fmt: skip
