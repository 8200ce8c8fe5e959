"""A steward's decision announces only what committed, and never loses it: its `records.linked`
events go through the outbox, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters import reviews
from lateral_matcher.adapters.outbox import OutboxRelay, pending, relay
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_matcher.service_layer.reviewing import ReviewDesk
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher, OutgoingMessage
from lateral_shared.bus.kafka import KafkaBus
from lateral_shared.bus.port import Consumer
from lateral_shared.contracts import (
    AUDIT_EVENTS,
    RECORDS_LINKED,
    AuditEvent,
    RecordCleaned,
    RecordLinked,
    decode_event,
)
from lateral_shared.contracts.records import AgencyKind, CleanPerson, CleanRecord, RecordStatus
from lateral_shared.db import create_engine
from lateral_shared.testing.engines import EngineProcess, PostgresDatabase
from lateral_shared.testing.fakes import InMemoryBus

STEWARD = Principal(subject="steward-1", roles=frozenset({"data_steward"}))
ZOE = {"forename": "Zoë", "surname": "O'Neill", "date_of_birth": "2015-07-01",
       "dob_precision": "day"}  # fmt: skip
# One letter of the surname and only the birth month: the deployed model is unsure.
ZOE_DOUBTFUL = {**ZOE, "surname": "O'Neil", "date_of_birth": "2015-07", "dob_precision": "month"}


class LinkedTopicDown(InMemoryBus):
    """A bus that takes audit events but not `records.linked` while `linked_down` is set (a
    crash between the decision's commit and its publish looks the same to the matcher)."""

    linked_down = False

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        if topic == RECORDS_LINKED and self.linked_down:
            raise ConnectionError("records.linked unavailable")
        await super().publish(topic, messages)


def _record(source_id: str, person: dict[str, str], agency: AgencyKind) -> CleanRecord:
    return CleanRecord(
        record_key=f"{agency.value}/{source_id}", partner_id=agency.value, feed_id=agency.value,
        source_record_id=source_id, agency_kind=agency, event_type="attendance",
        event_date=date(2025, 3, 1), status=RecordStatus.OPEN, person=CleanPerson(**person),
        content_hash=hashlib.sha256(f"{source_id}/{person}".encode()).hexdigest(),
    )  # fmt: skip


@dataclass
class Desk:
    engine: AsyncEngine
    bus: LinkedTopicDown
    desk: ReviewDesk

    def linked(self) -> list[RecordLinked]:
        return [decode_event(RECORDS_LINKED, m.value) for m in self.bus.topics[RECORDS_LINKED]]  # type: ignore[misc]

    def audited(self) -> list[tuple[str, str]]:
        events = [decode_event(AUDIT_EVENTS, m.value) for m in self.bus.topics[AUDIT_EVENTS]]
        return [(e.action, e.outcome) for e in events if isinstance(e, AuditEvent)]

    async def staged(self) -> int:
        return await pending(self.engine)

    async def open_item(self) -> reviews.ReviewItem:
        async with self.engine.connect() as conn:
            _, [item] = await reviews.list_items(conn, status="open", limit=5, offset=0)
        return item


@pytest.fixture
async def desk(database_url: str) -> AsyncIterator[Desk]:
    ready = await _open_desk(database_url)
    yield ready
    await ready.engine.dispose()


async def _open_desk(database_url: str) -> Desk:
    """Zoë, then a doubtful record of hers: one open review item; `records.linked` emptied."""
    engine = create_engine(database_url)
    await migrate_database(engine)
    bus = LinkedTopicDown()
    publisher = EventPublisher(bus, service="matcher")
    linker = RecordLinker(engine, publisher)
    for record in (_record("H1", ZOE, AgencyKind.HEALTH),
                   _record("C1", ZOE_DOUBTFUL, AgencyKind.CHILDRENS_SOCIAL_CARE)):  # fmt: skip
        await linker([RecordCleaned(batch_id=uuid.uuid4(), record=record)])
    bus.topics[RECORDS_LINKED].clear()
    return Desk(engine, bus, ReviewDesk(engine, publisher, matcher_audit_trail(publisher)))


async def test_a_decision_whose_events_the_bus_refused_is_kept_and_relayed(desk: Desk) -> None:
    item = await desk.open_item()
    desk.bus.linked_down = True
    decided = await desk.desk.decide(
        item.review_id, decision="same", reason="same GP", principal=STEWARD
    )
    assert decided.status == "same"  # the decision stands: it committed
    assert desk.linked() == [] and await desk.staged() == 1
    desk.bus.linked_down = False
    stopping = asyncio.Event()
    job = asyncio.create_task(OutboxRelay(desk.engine, desk.desk.publisher, every_s=0.05)(stopping))
    for _ in range(200):
        if desk.linked():
            break
        await asyncio.sleep(0.05)
    stopping.set()
    await job
    [linked] = desk.linked()
    assert linked.person is not None and linked.person.person_id == item.person_id
    assert {r.record_key for r in linked.person.records} == {"health/H1",
                                                            "childrens_social_care/C1"}  # fmt: skip
    assert await desk.staged() == 0
    assert await relay(desk.engine, desk.desk.publisher) == 0  # published once, then forgotten


async def test_a_decision_that_does_not_commit_announces_nothing(desk: Desk) -> None:
    item = await desk.open_item()

    def refuse_commit(*_: Any) -> None:
        raise RuntimeError("the database went away at commit")

    event.listen(desk.engine.sync_engine, "commit", refuse_commit)
    try:
        with pytest.raises(RuntimeError):
            await desk.desk.decide(
                item.review_id, decision="same", reason="same GP", principal=STEWARD
            )
    finally:
        event.remove(desk.engine.sync_engine, "commit", refuse_commit)
    assert (await desk.open_item()).review_id == item.review_id  # still open: nothing kept
    assert await desk.staged() == 0
    assert await relay(desk.engine, desk.desk.publisher) == 0
    assert desk.linked() == []
    # The attempt audited before the commit (no audit, no decision), then that it was not kept;
    # never that it was made.
    assert desk.audited() == [
        ("decide_review_item_attempt", "success"), ("decide_review_item", "error")
    ]  # fmt: skip


class DecisionsCheckedAtAudit(LinkedTopicDown):
    """Notes, as each audit event reaches the bus, the review item's status in the store (from
    another connection: what is committed); refuses audit events after the first while
    `audit_down_after_first` is set."""

    engine: AsyncEngine
    audit_down_after_first = False
    seen: list[tuple[str, str, str]]

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        if topic == AUDIT_EVENTS:
            if self.audit_down_after_first and self.topics[AUDIT_EVENTS]:
                raise ConnectionError("audit.events unavailable")
            for message in messages:
                event = decode_event(AUDIT_EVENTS, message.value)
                assert isinstance(event, AuditEvent)
                async with self.engine.connect() as conn:
                    item = await reviews.get_item(conn, event.criteria["review_id"])
                assert item is not None
                self.seen.append((event.action, event.outcome, item.status))
        await super().publish(topic, messages)


async def _checked_desk(database_url: str) -> tuple[Desk, DecisionsCheckedAtAudit]:
    opened = await _open_desk(database_url)
    bus = DecisionsCheckedAtAudit()
    bus.engine, bus.seen = opened.engine, []
    publisher = EventPublisher(bus, service="matcher")
    return Desk(opened.engine, bus, ReviewDesk(opened.engine, publisher,
                                               matcher_audit_trail(publisher))), bus  # fmt: skip


async def test_the_audit_trail_says_a_decision_was_made_only_once_it_has_committed(
    database_url: str,
) -> None:
    desk, bus = await _checked_desk(database_url)
    try:
        item = await desk.open_item()
        await desk.desk.decide(item.review_id, decision="same", reason="same GP",
                               principal=STEWARD)  # fmt: skip
        assert bus.seen == [
            ("decide_review_item_attempt", "success", "open"),  # before the commit
            ("decide_review_item", "success", "same"),  # after it
        ]
        assert await desk.staged() == 0
    finally:
        await desk.engine.dispose()


async def test_a_committed_decisions_audit_event_is_never_lost(database_url: str) -> None:
    """The audit bus takes the attempt, then goes down before the decision's own event: the
    decision stands and its audit event waits in the outbox until the relay publishes it."""
    desk, bus = await _checked_desk(database_url)
    try:
        item = await desk.open_item()
        bus.audit_down_after_first = True
        decided = await desk.desk.decide(item.review_id, decision="not_same", reason="twins",
                                         principal=STEWARD)  # fmt: skip
        assert decided.status == "not_same"
        assert desk.audited() == [("decide_review_item_attempt", "success")]
        assert await desk.staged() == 1
        bus.audit_down_after_first = False
        assert await relay(desk.engine, desk.desk.publisher) == 1
        assert desk.audited() == [
            ("decide_review_item_attempt", "success"), ("decide_review_item", "success")
        ]  # fmt: skip
        assert bus.seen[-1] == ("decide_review_item", "success", "not_same")
    finally:
        await desk.engine.dispose()


async def test_a_decision_publishes_its_events_at_once_when_the_bus_is_up(desk: Desk) -> None:
    item = await desk.open_item()
    await desk.desk.decide(item.review_id, decision="same", reason="same GP", principal=STEWARD)
    [linked] = desk.linked()
    assert linked.person is not None and linked.person.person_id == item.person_id
    assert await desk.staged() == 0


@pytest.mark.kafka
@pytest.mark.postgres
async def test_the_relay_publishes_to_kafka_what_a_decision_left_behind(
    tansu: EngineProcess, postgres_db: PostgresDatabase
) -> None:
    """On PostgreSQL and Kafka (Tansu): the decision's events, refused at first, reach the topic
    once the relay runs, and the relay forgets them."""
    desk = await _open_desk(postgres_db.url)
    try:
        item = await desk.open_item()
        desk.bus.linked_down = True
        await desk.desk.decide(item.review_id, decision="same", reason="same GP",
                               principal=STEWARD)  # fmt: skip
        kafka = KafkaBus(tansu.url.removeprefix("kafka://"), enable_idempotence=False,
                         session_timeout_ms=2000, heartbeat_interval_ms=200,
                         rebalance_timeout_ms=1000, assignment_timeout_s=15)  # fmt: skip
        await kafka.start()
        try:
            await kafka.ensure_topics([RECORDS_LINKED], partitions=1)
            assert await relay(desk.engine, EventPublisher(kafka, service="matcher")) == 1
            reader = kafka.consumer(f"outbox-test-{uuid.uuid4().hex[:8]}", [RECORDS_LINKED])
            await reader.start()
            found = await _linked_about(reader, item.person_id)
            await reader.stop()
        finally:
            await kafka.close()
        [linked] = found
        assert linked.person is not None and len(linked.person.records) == 2
        assert await desk.staged() == 0
    finally:
        await desk.engine.dispose()


async def _linked_about(reader: Consumer, person_id: str) -> list[RecordLinked]:
    """The `records.linked` events about `person_id` on the topic (others' tests share it)."""
    for _ in range(30):
        messages = await reader.fetch(timeout_s=0.5)
        events = [decode_event(RECORDS_LINKED, m.value) for m in messages]
        found = [e for e in events if isinstance(e, RecordLinked) and e.person is not None
                 and e.person.person_id == person_id]  # fmt: skip
        if found:
            return found
    return []
