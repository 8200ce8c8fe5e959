"""The review queue: practitioners' reports come in, data stewards decide, identity follows.

A steward's decision is one transaction: the blocking keys of the persons it touches are locked
as the linker locks a batch's (`adapters.locks`), the item is closed and the decision kept (so
replays and later records respect it), the persons are merged ("same") or the record is split out
("not same"), the attempt is audited, and the audit event saying the decision was made and the
`records.linked` events of the changed persons are staged in the outbox; then it commits. If the
attempt cannot be audited nothing is kept (fail closed). Only after the commit are the staged
events published: a decision that did not commit announces nothing (and the trail follows its
attempt with an error), and one whose events the bus did not take leaves them to the outbox relay
(`adapters.outbox`), so neither downstream nor the audit trail ever sees a change that did not
happen, nor misses one.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lateral_matcher.adapters import identity, outbox, reviews
from lateral_matcher.adapters.identity import IdentityChange
from lateral_matcher.adapters.locks import LOCK_ROUNDS, lock_persons, one_writer
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.reviews import Decision, ReviewItem
from lateral_matcher.domain.households import DEFAULT_WINDOW
from lateral_matcher.service_layer.audit import (
    AuditTrail,
    AuditUnavailable,
    decision_audit_message,
)
from lateral_matcher.service_layer.linking import linked_messages, utc_now
from lateral_matcher.service_layer.splitting import Moved, merge_pair, split_out
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.bus.port import OutgoingMessage
from lateral_shared.contracts import (
    AUDIT_EVENTS,
    RECORDS_LINKED,
    Event,
    LinkReported,
    RecordCleaned,
)
from lateral_shared.contracts.records import CleanRecord

log = logging.getLogger(__name__)

# Events published for a decision get IDs derived from the review item and the decision.
DECISION_NAMESPACE = uuid.UUID("d6a1f3e2-4b5c-5d7e-8f90-a1b2c3d4e5f6")
# The audit trail of a decision: the attempt (before the commit, fail closed), then the decision
# as made (staged with it, so published only once committed) or, if it did not commit, an error.
DECIDE_ATTEMPT = "decide_review_item_attempt"
DECIDE = "decide_review_item"


class ReviewItemNotFound(Exception):
    pass


class AlreadyDecided(Exception):
    pass


class PersonsBusy(Exception):
    """The persons under review kept gaining records while the decision waited for their locks;
    nothing was decided (the steward tries again in a moment)."""


class LinkReportHandler:
    """Batch handler for `links.reported`: each report becomes a review item (once)."""

    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    async def __call__(self, events: Sequence[Event]) -> None:
        reports = [event for event in events if isinstance(event, LinkReported)]
        if not reports:
            return
        async with one_writer(self._engine), self._engine.begin() as conn:
            for report in reports:
                await _raise_report(conn, report, now=self._clock())


async def _raise_report(conn: AsyncConnection, report: LinkReported, *, now: datetime) -> None:
    person_id = await identity.where_is(conn, report.person_id)
    stored = await MatcherRepository(conn).stored_records([report.record_key])
    if person_id is None or not stored:
        # Nothing to review (never here, or purged); no IDs in the log: they name a person.
        log.warning("a link report names an unknown record or person; ignored")
        return
    await reviews.raise_report(
        conn, record_key=report.record_key, person_id=person_id,
        reported_by=report.reported_by, reason=report.reason, now=now,
    )  # fmt: skip


@dataclass(frozen=True)
class ReviewDesk:
    """What a data steward's requests need: the store, the bus and the audit trail."""

    engine: AsyncEngine
    publisher: EventPublisher
    audit: AuditTrail
    clock: Callable[[], datetime] = utc_now
    household_window: timedelta = DEFAULT_WINDOW

    async def list_items(
        self, *, status: str | None, page: int, page_size: int, principal: Principal
    ) -> tuple[int, list[ReviewItem]]:
        """A page of the queue, returned only after the look is audited."""
        async with self.engine.connect() as conn:
            total, items = await reviews.list_items(
                conn, status=status, limit=page_size, offset=(page - 1) * page_size
            )
        await self.audit.record(
            principal, action="list_review_items", reason="review queue",
            criteria={"status": status or "any", "page": str(page)},
            result_ids=[item.review_id for item in items],
        )  # fmt: skip
        return total, items

    async def list_decided(
        self, *, page: int, page_size: int, principal: Principal
    ) -> tuple[int, list[ReviewItem]]:
        """A page of past decisions, newest first, returned only after the look is audited."""
        async with self.engine.connect() as conn:
            total, items = await reviews.list_decided(
                conn, limit=page_size, offset=(page - 1) * page_size
            )
        await self.audit.record(
            principal, action="list_decided_review_items", reason="review queue",
            criteria={"page": str(page)}, result_ids=[item.review_id for item in items],
        )  # fmt: skip
        return total, items

    async def view_item(self, review_id: str, *, principal: Principal) -> ReviewView | None:
        """One item with the record and the person's records, after the look is audited."""
        async with self.engine.connect() as conn:
            item = await reviews.get_item(conn, review_id)
            view = None if item is None else await _view(conn, item)
        await self.audit.record(
            principal, action="view_review_item", reason="review queue",
            criteria={"review_id": review_id},
            result_ids=[] if view is None else _people(view),
        )  # fmt: skip
        return view

    async def where_is(self, person_id: str, *, principal: Principal) -> IdentityView | None:
        """Where a person is now, and every merge and split it took part in (audited)."""
        async with self.engine.connect() as conn:
            current = await identity.where_is(conn, person_id)
            changes = [] if current is None else await identity.changes_of(conn, person_id)
        await self.audit.record(
            principal, action="view_identity", reason="person identity",
            criteria={"person_id": person_id}, result_ids=[current] if current else [],
        )  # fmt: skip
        return None if current is None else IdentityView(person_id, current, changes)

    async def decide(
        self, review_id: str, *, decision: Decision, reason: str, principal: Principal
    ) -> ReviewItem:
        """Apply a steward's decision on an open item; the item as decided."""
        criteria = {"review_id": review_id, "decision": decision}
        attempted: list[bool] = []  # set once the attempt is audited
        try:
            for _ in range(LOCK_ROUNDS):
                async with one_writer(self.engine), self.engine.begin() as conn:
                    done = await self._decide(conn, review_id, decision, reason, principal,
                                              attempted=attempted, now=self.clock())  # fmt: skip
                if done is not None:
                    break
            else:
                raise PersonsBusy
        except (ReviewItemNotFound, AlreadyDecided, AuditUnavailable):
            raise
        except Exception:
            if attempted:  # the trail says the attempt was not kept (best effort)
                with contextlib.suppress(AuditUnavailable):
                    await self.audit.record(
                        principal, action=DECIDE, reason=reason, outcome="error",
                        criteria=criteria, result_ids=[],
                    )  # fmt: skip
            raise
        decided, audit_ids, linked_ids = done
        await self._publish(audit_ids)
        await self._publish(linked_ids)
        return decided

    async def _decide(
        self, conn: AsyncConnection, review_id: str, decision: Decision, reason: str,
        principal: Principal, *, attempted: list[bool], now: datetime,
    ) -> tuple[ReviewItem, list[int], list[int]] | None:  # fmt: skip
        """The decision's transaction: locked, kept, applied, its attempt audited, and the audit
        event saying it was made and its `records.linked` events staged in the outbox. None if a
        concurrent batch changed the persons while it waited for their locks (nothing written)."""
        item = await reviews.get_item(conn, review_id, for_update=True)
        if item is None:
            raise ReviewItemNotFound
        if item.status != "open":
            raise AlreadyDecided
        if not await _lock(conn, item):
            return None
        await reviews.record_decision(
            conn, item, decision=decision, decided_by=principal.subject, reason=reason, now=now
        )
        outcomes = await _apply(conn, item, decision, reason=reason, actor=principal.subject,
                                now=now)  # fmt: skip
        criteria = {"review_id": review_id, "decision": decision}
        result_ids = sorted({o.person_id for _, o in outcomes if o.person_id})
        # Fail closed: no acknowledged attempt, no decision (the transaction is rolled back).
        await self.audit.record(principal, action=DECIDE_ATTEMPT, reason=reason,
                                criteria=criteria, result_ids=result_ids)  # fmt: skip
        attempted.append(True)
        made = decision_audit_message(principal, action=DECIDE, reason=reason,
                                      criteria=criteria, result_ids=result_ids)  # fmt: skip
        audit_ids = await outbox.stage(conn, AUDIT_EVENTS, [made], now=now)
        linked = await self._linked(conn, item, decision, outcomes)
        linked_ids = await outbox.stage(conn, RECORDS_LINKED, linked, now=now)
        decided = await reviews.get_item(conn, review_id)
        assert decided is not None
        return decided, audit_ids, linked_ids

    async def _publish(self, staged: list[int]) -> None:
        """Publish a committed decision's events now; if the bus fails, the relay will."""
        if not staged:
            return
        try:
            await outbox.relay(self.engine, self.publisher, only=staged)
        except Exception:  # the decision stands: its events wait in the outbox
            log.warning("a decision's events are left to the outbox relay", exc_info=True)

    async def _linked(
        self,
        conn: AsyncConnection,
        item: ReviewItem,
        decision: Decision,
        outcomes: list[Moved],
    ) -> list[OutgoingMessage]:
        """One `records.linked` event per changed person, on one of that person's records."""
        repo = MatcherRepository(conn)
        stored = await repo.stored_records([record_key for record_key, _ in outcomes])
        handled = [
            (
                RecordCleaned(
                    event_id=uuid.uuid5(DECISION_NAMESPACE, f"{item.review_id}|{decision}|{i}"),
                    batch_id=uuid.uuid5(DECISION_NAMESPACE, item.review_id),
                    record_key=record_key,
                    record=stored[record_key],
                ),
                outcome,
            )
            for i, (record_key, outcome) in enumerate(outcomes)
        ]
        return await linked_messages(repo, handled, window=self.household_window)


@dataclass(frozen=True)
class ReviewView:
    """A review item with what the steward needs to decide: the record and the person."""

    item: ReviewItem
    record: CleanRecord | None  # None if the record has since been withdrawn or purged
    current_person_id: str | None  # where the reviewed person is now (merges followed)
    person_records: list[CleanRecord]


@dataclass(frozen=True)
class IdentityView:
    person_id: str
    current_person_id: str
    changes: list[IdentityChange]


async def _view(conn: AsyncConnection, item: ReviewItem) -> ReviewView:
    repo = MatcherRepository(conn)
    current = await identity.where_is(conn, item.person_id)
    records = await repo.stored_records([item.record_key])
    person_records = (await repo.records_of_persons([current]))[current] if current else []
    return ReviewView(item, records.get(item.record_key), current, person_records)


async def _apply(
    conn: AsyncConnection,
    item: ReviewItem,
    decision: Decision,
    *,
    reason: str,
    actor: str,
    now: datetime,
) -> list[Moved]:
    """Merge or split as decided: (record key, outcome) for each person whose snapshot changed."""
    record_person = await identity.person_of_record(conn, item.record_key)
    reviewed_person = await identity.where_is(conn, item.person_id)
    if record_person is None or reviewed_person is None:
        return []
    if decision == "same" and record_person != reviewed_person:
        return await merge_pair(conn, item.record_key, record_person, reviewed_person,
                                reason=reason, actor=actor, now=now)  # fmt: skip
    if decision == "not_same" and record_person == reviewed_person:
        return await split_out(conn, item.record_key, record_person, reason=reason, actor=actor,
                               now=now, review_id=item.review_id)  # fmt: skip
    return []


async def _lock(conn: AsyncConnection, item: ReviewItem) -> bool:
    """Take the linker's locks on the blocking keys of the record's and the reviewed person's
    records (`locks.lock_persons`); False if they changed meanwhile (the caller tries again)."""
    record_person = await identity.person_of_record(conn, item.record_key)
    reviewed_person = await identity.where_is(conn, item.person_id)
    persons = [p for p in (record_person, reviewed_person) if p is not None]
    return await lock_persons(conn, persons, [item.record_key])


def _people(view: ReviewView) -> list[str]:
    return sorted(
        {view.item.person_id, *([view.current_person_id] if view.current_person_id else [])}
    )
