"""The consumer loop on the in-memory bus: batch first, then one by one; dead letters with their
reasons; offsets committed only after the handler returned and dead letters were published."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import date

import pytest

from lateral_shared.bus import EventConsumer, OutgoingMessage, Subscription
from lateral_shared.bus.port import Message
from lateral_shared.contracts.events import Event, RecordReceived
from lateral_shared.contracts.records import AgencyKind, PartnerRecord, PersonFields, RecordStatus
from lateral_shared.contracts.topics import RECORDS_RAW, dlq_topic, encode_event
from lateral_shared.testing.fakes import InMemoryBus

GROUP = "matcher"
DLQ = dlq_topic(RECORDS_RAW)


def received(row: int, date_of_birth: str = "2012-03-04") -> RecordReceived:
    record = PartnerRecord(
        source_record_id=f"ref-{row}",
        agency_kind=AgencyKind.FIRE,
        event_type="home_fire_safety_visit",
        event_date=date(2024, 6, 1),
        status=RecordStatus.CLOSED,
        person=PersonFields(date_of_birth=date_of_birth, nhs_number="9000000009"),
    )
    return RecordReceived(
        batch_id=uuid.uuid4(), partner_id="fire-1", feed_id="visits", row_number=row, record=record
    )


class Handler:
    """Remembers each call; fails for chosen events, `times` times each (forever if None)."""

    def __init__(self, bus: InMemoryBus, fails: dict[uuid.UUID, int | None] | None = None) -> None:
        self.bus = bus
        self.fails = dict(fails or {})
        self.calls: list[list[uuid.UUID]] = []
        self.handled: list[uuid.UUID] = []
        self.committed_while_handling: list[int | None] = []

    async def __call__(self, events: Sequence[Event]) -> None:
        self.calls.append([e.event_id for e in events])
        self.committed_while_handling.append(self.bus.committed.get((GROUP, RECORDS_RAW)))
        for event in events:
            left = self.fails.get(event.event_id, 0)
            if left is None or left > 0:
                self.fails[event.event_id] = None if left is None else left - 1
                raise RuntimeError("storage unavailable")
        self.handled += [e.event_id for e in events]


async def publish(bus: InMemoryBus, payloads: Sequence[bytes]) -> None:
    await bus.ensure_topics([RECORDS_RAW, DLQ], partitions=1)
    headers = {"event_type": "RecordReceived"}
    await bus.publish(
        RECORDS_RAW, [OutgoingMessage(f"k{i}", p, headers) for i, p in enumerate(payloads)]
    )


async def process_all(bus: InMemoryBus, handler: Handler, max_attempts: int = 3) -> None:
    loop = EventConsumer(
        bus,
        Subscription(GROUP, RECORDS_RAW, handler),
        service="matcher",
        max_attempts=max_attempts,
        retry_backoff_s=0,
    )
    consumer = bus.consumer(GROUP, [RECORDS_RAW])
    await consumer.start()
    await loop.process(consumer, await consumer.fetch())


def dead_letters(bus: InMemoryBus) -> list[Message]:
    return list(bus.topics[DLQ])


async def test_a_batch_that_succeeds_is_handled_whole_then_committed() -> None:
    bus = InMemoryBus()
    events = [received(i) for i in range(3)]
    await publish(bus, [encode_event(e) for e in events])
    handler = Handler(bus)

    await process_all(bus, handler)

    assert handler.calls == [[e.event_id for e in events]]
    assert handler.committed_while_handling == [None]
    assert bus.committed[(GROUP, RECORDS_RAW)] == 3
    assert dead_letters(bus) == []


async def test_a_failing_batch_falls_back_to_one_by_one_and_dead_letters_the_poison() -> None:
    bus = InMemoryBus()
    events = [received(i) for i in range(3)]
    poison = events[1]
    await publish(bus, [encode_event(e) for e in events])
    handler = Handler(bus, fails={poison.event_id: None})

    await process_all(bus, handler, max_attempts=3)

    assert handler.calls[0] == [e.event_id for e in events]
    assert handler.calls.count([poison.event_id]) == 2  # attempts 2 and 3, on its own
    assert handler.handled == [events[0].event_id, events[2].event_id]
    (dead,) = dead_letters(bus)
    assert dead.value == encode_event(poison)
    assert dead.key == "k1"
    assert dead.headers == {
        "event_type": "RecordReceived",
        "dlq_reason": "handler failed 3 times (last error: RuntimeError)",
        "dlq_source_topic": RECORDS_RAW,
        "dlq_source_partition": "0",
        "dlq_source_offset": "1",
        "dlq_consumer_group": GROUP,
        "dlq_attempts": "3",
    }
    assert bus.committed[(GROUP, RECORDS_RAW)] == 3


async def test_an_event_that_fails_once_is_retried_and_not_dead_lettered() -> None:
    bus = InMemoryBus()
    events = [received(i) for i in range(2)]
    await publish(bus, [encode_event(e) for e in events])
    handler = Handler(bus, fails={events[0].event_id: 1})

    await process_all(bus, handler)

    assert sorted(map(str, handler.handled)) == sorted(str(e.event_id) for e in events)
    assert dead_letters(bus) == []


async def test_an_invalid_event_is_dead_lettered_naming_the_field_not_the_value() -> None:
    bus = InMemoryBus()
    good = received(1)
    bad = json.loads(encode_event(received(2)))
    bad["record"]["person"]["date_of_birth"] = "31/12/2011"
    await publish(bus, [json.dumps(bad).encode(), encode_event(good)])
    handler = Handler(bus)

    await process_all(bus, handler)

    assert handler.calls == [[good.event_id]]
    (dead,) = dead_letters(bus)
    assert "record.person.date_of_birth" in dead.headers["dlq_reason"]
    assert "31/12/2011" not in json.dumps(dict(dead.headers))
    assert dead.headers["dlq_attempts"] == "0"
    assert bus.committed[(GROUP, RECORDS_RAW)] == 2


async def test_nothing_is_committed_when_a_dead_letter_cannot_be_published() -> None:
    bus = InMemoryBus()
    await publish(bus, [b'{"schema_version": 9}', encode_event(received(1))])
    bus.fail_publish = True

    with pytest.raises(ConnectionError):
        await process_all(bus, Handler(bus))

    assert (GROUP, RECORDS_RAW) not in bus.committed  # so both are delivered again
    bus.fail_publish = False
    handler = Handler(bus)
    await process_all(bus, handler)
    assert len(handler.handled) == 1
    assert len(dead_letters(bus)) == 1


async def test_stop_lets_the_batch_in_hand_finish_and_commit() -> None:
    bus = InMemoryBus()
    events = [received(i) for i in range(3)]
    await publish(bus, [encode_event(e) for e in events])
    entered, release = asyncio.Event(), asyncio.Event()
    handled: list[Event] = []

    async def slow_handler(batch: Sequence[Event]) -> None:
        entered.set()
        await release.wait()
        handled.extend(batch)

    loop = EventConsumer(bus, Subscription(GROUP, RECORDS_RAW, slow_handler), service="matcher")
    task = asyncio.create_task(loop.run())
    await asyncio.wait_for(entered.wait(), 5)
    loop.stop()
    release.set()
    await asyncio.wait_for(task, 5)

    assert [e.event_id for e in handled] == [e.event_id for e in events]
    assert bus.committed[(GROUP, RECORDS_RAW)] == 3


async def test_with_one_attempt_the_reason_names_the_batch_failure() -> None:
    bus = InMemoryBus()
    event = received(1)
    await publish(bus, [encode_event(event)])

    await process_all(bus, Handler(bus, fails={event.event_id: None}), max_attempts=1)

    (dead,) = dead_letters(bus)
    assert dead.headers["dlq_reason"] == "handler failed 1 times (last error: RuntimeError)"
