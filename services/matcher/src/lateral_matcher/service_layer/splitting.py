"""A data steward's decision applied to identity: merge two persons, or split a record out.

"Same": the record's person merges into the reviewed person. "Not same" on a
record linked to the person: the record leaves it for a person of its own, and every person its
arrival merged in is restored with the records it brought. Each step is in the identity log.

A split keeps the decisions it implies, so that a steward is not asked again what the split
answered (by a later record, or when the topic is replayed): each of the person's remaining records
is not the split-out record's person, and neither is any record a steward had kept apart from the
person while the split-out record was part of it.

The record a person was created from (its founding record: the person's ID is derived from it)
needs more kept for replays: reprocessing the topic, it arrives first and would found the person
again. So the split also keeps that each of the person's remaining records is the person: on a
replay the founding record takes the split's ID, and the first remaining record to arrive takes
the person's ID back (`StewardDecisions.founds`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_matcher.adapters import identity, reviews
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.tables import links, records
from lateral_matcher.domain.batch import RecordOutcome
from lateral_matcher.domain.merging import Merge, split_person_id
from lateral_matcher.domain.resolution import new_person_id
from lateral_shared.contracts.events import LinkExplanation

# (a record of the person, the outcome naming the person) for each person that changed
Moved = tuple[str, RecordOutcome]
STEWARD_MODEL = "steward"


def steward_explanation(same: bool) -> LinkExplanation:
    summary = (
        "A data steward decided this record is about this person."
        if same
        else "A data steward decided this record is not about the person it was linked to."
    )
    return LinkExplanation(
        rule="steward" if same else "steward_split", model_version=STEWARD_MODEL,
        score=1.0 if same else 0.0, fields=[], summary=summary,
    )  # fmt: skip


async def merge_pair(
    conn: AsyncConnection,
    record_key: str,
    record_person: str,
    reviewed_person: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
) -> list[Moved]:
    """Merge the record's person into the reviewed person; the survivor's outcome.

    The reviewed person survives: on a replay the decision links the record straight to it.
    """
    survivor, absorbed = reviewed_person, record_person
    why = f"a data steward decided record {record_key} is the same person: {reason}"
    await identity.apply_merges(conn, [Merge(survivor, absorbed, record_key, why, actor)], now=now)
    await MatcherRepository(conn).bump_persons({survivor: 1, absorbed: 1}, now=now)
    explanation = steward_explanation(same=True)
    await _explain(conn, record_key, explanation, now=now)
    outcome = await _outcome(conn, record_key, survivor, explanation, merged=(absorbed,))
    return [(record_key, outcome)]


async def split_out(
    conn: AsyncConnection,
    record_key: str,
    person_id: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
    review_id: str,
) -> list[Moved]:
    """Split the record (and the persons its arrival merged in) out of `person_id`."""
    why = f"a data steward decided record {record_key} is not this person: {reason}"
    restored = await _undo_merges(conn, record_key, person_id, why=why, actor=actor, now=now)
    own = await identity.person_of_record(conn, record_key)
    if own == person_id:  # not given back to a restored person: it takes one of its own
        own = new_person_id(record_key)
        if own == person_id or await identity.exists(conn, own):
            own = split_person_id(record_key, person_id)
        await identity.create_person(conn, own, now=now)
        moved = await identity.move_records(conn, person_id, own, now=now, only=[record_key])
        await identity.log_change(conn, "split", person_id, own, moved, cause=record_key,
                                  reason=why, actor=actor, now=now)  # fmt: skip
        await _keep_split(conn, record_key, person_id, own, review_id=review_id, now=now)
    assert own is not None
    await MatcherRepository(conn).bump_persons({person_id: 1}, now=now)
    explanation = steward_explanation(same=False)
    await _explain(conn, record_key, explanation, now=now)
    changed = [(k, await _outcome(conn, k, p)) for k, p in restored if k != record_key]
    changed.append((record_key, await _outcome(conn, record_key, own, explanation)))
    remaining = await identity.a_record_of(conn, person_id) or record_key
    changed.append((remaining, await _outcome(conn, remaining, person_id)))
    return changed


async def _keep_split(
    conn: AsyncConnection, record_key: str, person_id: str, own: str, *, review_id: str,
    now: datetime,
) -> None:  # fmt: skip
    """Keep what the split implies, so that neither later records nor a replay ask a steward
    again what the split answered: each of the person's remaining records is not `own` (the
    steward said the record is not the person, and they are the person), and neither is any
    record a steward kept apart from the person while it still held the record. For the
    person's founding record, also what a replay needs to rebuild the same clusters."""
    remaining = sorted(
        (
            await conn.execute(select(records.c.record_key).where(records.c.person_id == person_id))
        ).scalars()
    )
    apart = await reviews.kept_apart(conn, person_id)
    kept: list[tuple[str, str, reviews.Decision]] = [
        (key, own, "not_same") for key in sorted({*remaining, *apart} - {record_key})
    ]
    if new_person_id(record_key) == person_id:
        kept.append((record_key, person_id, "not_same"))
        kept += [(key, person_id, "same") for key in remaining]
    await reviews.keep_decisions(conn, kept, review_id=review_id, now=now)


async def _undo_merges(
    conn: AsyncConnection, record_key: str, person_id: str, *, why: str, actor: str, now: datetime
) -> list[tuple[str, str]]:
    """Restore the persons `record_key`'s arrival merged into `person_id`, with the records they
    brought; (one of its records, person) for each restored person."""
    restored: list[tuple[str, str]] = []
    for merge in await identity.merges_caused_by(conn, record_key, person_id):
        back = await identity.move_records(
            conn, person_id, merge.other_person_id, now=now, only=merge.record_keys
        )
        await identity.restore_person(conn, merge.other_person_id, now=now)
        await identity.log_change(conn, "split", person_id, merge.other_person_id, back,
                                  cause=record_key, reason=why, actor=actor, now=now)  # fmt: skip
        if back:
            restored.append((back[0], merge.other_person_id))
    return restored


async def _explain(
    conn: AsyncConnection, record_key: str, explanation: LinkExplanation, *, now: datetime
) -> None:
    await conn.execute(
        update(links).where(links.c.record_key == record_key)
        .values(explanation=explanation.model_dump(mode="json"), updated_at=now)
    )  # fmt: skip


async def _outcome(
    conn: AsyncConnection,
    record_key: str,
    person_id: str,
    explanation: LinkExplanation | None = None,
    *,
    merged: tuple[str, ...] = (),
) -> RecordOutcome:
    """The outcome to publish for a person whose records changed, on one of its records."""
    row = (
        await conn.execute(select(records.c.address_key).where(records.c.record_key == record_key))
    ).first()
    return RecordOutcome(
        "unchanged", person_id, row.address_key if row else None, explanation, merged
    )
