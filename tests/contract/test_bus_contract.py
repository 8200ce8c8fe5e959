"""The EventBus contract: the same cases on the embedded SQLite log and on Kafka (a Tansu broker).

Each test uses its own topics and groups, so tests sharing the session's broker never see each
other's messages. Kafka group timings are shortened so a member joins in about a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from lateral_shared.bus import EventConsumer, Subscription
from lateral_shared.bus.embedded import EmbeddedLog
from lateral_shared.bus.kafka import KafkaBus
from lateral_shared.bus.port import Consumer, EventBus, Message, OutgoingMessage
from lateral_shared.contracts import topics as topic_registry
from lateral_shared.contracts.events import Event, RecordReceived
from lateral_shared.contracts.records import AgencyKind, PartnerRecord, PersonFields, RecordStatus
from lateral_shared.contracts.topics import RECORDS_RAW, dlq_topic, encode_event
from lateral_shared.testing.engines import EngineProcess

Bus = EmbeddedLog | KafkaBus


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Bus]:
    adapter: Bus
    if request.param == "embedded":
        adapter = EmbeddedLog(tmp_path / "bus.db")
    else:
        broker = request.getfixturevalue("tansu")
        adapter = KafkaBus(
            broker.url.removeprefix("kafka://"),
            enable_idempotence=False,  # Tansu has no InitProducerId
            session_timeout_ms=2000,
            heartbeat_interval_ms=200,
            rebalance_timeout_ms=1000,
            assignment_timeout_s=15,
        )
    await adapter.start()
    yield adapter
    await adapter.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def new_topic(bus: EventBus, partitions: int) -> str:
    topic = unique("contract")
    await bus.ensure_topics([topic], partitions=partitions)
    return topic


def outgoing(key: str, value: str) -> OutgoingMessage:
    return OutgoingMessage(key=key, value=value.encode(), headers={"origin": "contract-test"})


async def drain(consumer: Consumer, count: int, timeout_s: float = 15) -> list[Message]:
    """Fetch until `count` messages have arrived, then check that nothing more comes."""
    got: list[Message] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while len(got) < count and loop.time() < deadline:
        got += await consumer.fetch(max_messages=count - len(got), timeout_s=0.5)
    got += await consumer.fetch(timeout_s=0.3)
    return got


async def drain_members(members: Sequence[Consumer], count: int) -> list[list[Message]]:
    """Fetch from every member at once until `count` messages have arrived, then check that
    nothing more comes; what each member received."""
    got: list[list[Message]] = [[] for _ in members]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while sum(map(len, got)) < count and loop.time() < deadline:
        batches = await asyncio.gather(*(m.fetch(timeout_s=0.2) for m in members))
        for mine, batch in zip(got, batches, strict=True):
            mine.extend(batch)
    for mine, member in zip(got, members, strict=True):
        mine.extend(await member.fetch(timeout_s=0.3))
    return got


async def started(bus: EventBus, group: str, topic: str) -> Consumer:
    consumer = bus.consumer(group, [topic])
    await consumer.start()
    return consumer


async def read(bus: EventBus, group: str, topic: str, count: int) -> list[Message]:
    """What a new member of `group` receives: `count` messages and then nothing more."""
    consumer = await started(bus, group, topic)
    try:
        return await drain(consumer, count)
    finally:
        await consumer.stop()


def values(messages: Sequence[Message]) -> list[str]:
    return [m.value.decode() for m in messages]


async def test_messages_with_one_key_arrive_in_publish_order(bus: Bus) -> None:
    topic = await new_topic(bus, partitions=3)
    keys = ["household-a", "household-b", "household-c"]
    for round_ in range(3):
        await bus.publish(topic, [outgoing(k, f"{k}:{round_}:{i}") for i in range(4) for k in keys])
    consumer = await started(bus, unique("group"), topic)
    got = await drain(consumer, 36)
    await consumer.stop()

    assert len(got) == 36
    for key in keys:
        mine = [m for m in got if m.key == key]
        assert values(mine) == [f"{key}:{r}:{i}" for r in range(3) for i in range(4)]
        assert len({m.partition for m in mine}) == 1
    assert all(m.headers == {"origin": "contract-test"} for m in got)


async def test_a_publish_bigger_than_a_record_batch_arrives_whole_and_in_order(bus: Bus) -> None:
    """Thousands of messages, some bigger than a Kafka record batch (16 KiB) on their own."""
    topic = await new_topic(bus, partitions=4)
    keys = [f"feed/record-{n}" for n in range(40)]
    big = "x" * 40_000
    sent = [outgoing(k, f"{k}:{i}:{big if i % 25 == 0 else ''}") for i in range(75) for k in keys]
    await bus.publish(topic, sent)
    got = await read(bus, unique("group"), topic, len(sent))

    assert len(got) == len(sent)
    for key in keys:
        mine = [m for m in got if m.key == key]
        assert values(mine) == [m.value.decode() for m in sent if m.key == key]
        assert len({m.partition for m in mine}) == 1


@pytest.mark.kafka
async def test_kafka_puts_a_key_where_a_plain_kafka_producer_puts_it(
    tansu: EngineProcess,
) -> None:
    """Other Kafka clients (a partner's, a connector) find a record's events by its key."""
    servers = tansu.url.removeprefix("kafka://")
    bus = KafkaBus(servers, enable_idempotence=False)
    await bus.start()
    plain = AIOKafkaProducer(bootstrap_servers=servers)
    await plain.start()
    try:
        topic = await new_topic(bus, partitions=5)
        keys = [f"trust-ed/ED-{n:05d}" for n in range(60)]
        await bus.publish(topic, [outgoing(k, "bus") for k in keys])
        await asyncio.gather(*[await plain.send(topic, b"plain", key=k.encode()) for k in keys])
        got = await read(bus, unique("group"), topic, 2 * len(keys))
    finally:
        await plain.stop()
        await bus.close()

    assert len(got) == 2 * len(keys)
    for key in keys:
        assert len({m.partition for m in got if m.key == key}) == 1
    assert len({m.partition for m in got}) > 1


async def test_two_members_split_the_partitions_and_see_each_message_once(bus: Bus) -> None:
    topic = await new_topic(bus, partitions=4)
    published = [f"event-{i}" for i in range(40)]
    await bus.publish(topic, [outgoing(f"key-{i}", v) for i, v in enumerate(published)])
    group = unique("group")
    first = await started(bus, group, topic)
    second = await started(bus, group, topic)  # joining deals the partitions again

    got_first, got_second = await drain_members([first, second], 40)
    await asyncio.gather(first.stop(), second.stop())

    assert sorted(values(got_first + got_second)) == sorted(published)
    partitions_first = {m.partition for m in got_first}
    partitions_second = {m.partition for m in got_second}
    assert partitions_first and partitions_second
    assert not partitions_first & partitions_second


async def test_a_new_member_resumes_from_the_committed_offsets(bus: Bus) -> None:
    topic = await new_topic(bus, partitions=3)
    group = unique("group")
    await bus.publish(topic, [outgoing(f"key-{i}", f"old-{i}") for i in range(12)])
    first = await started(bus, group, topic)
    await first.commit(await drain(first, 12))
    await bus.publish(topic, [outgoing(f"key-{i}", f"new-{i}") for i in range(6)])
    await first.stop()

    got = await read(bus, group, topic, 6)

    assert sorted(values(got)) == sorted(f"new-{i}" for i in range(6))


async def test_what_a_stopped_member_did_not_commit_goes_to_the_member_left(bus: Bus) -> None:
    topic = await new_topic(bus, partitions=2)
    group = unique("group")
    await bus.publish(topic, [outgoing(f"key-{i}", f"event-{i}") for i in range(20)])
    survivor = await started(bus, group, topic)
    doomed = await started(bus, group, topic)
    kept, fetched = await drain_members([survivor, doomed], 20)
    await survivor.commit(kept)
    await doomed.commit(fetched[:3])  # handled three, then died before committing the rest
    await doomed.stop()  # the survivor is dealt the doomed member's partition

    redelivered = await drain(survivor, len(fetched) - 3)
    await survivor.stop()

    assert len({m.partition for m in fetched}) == 1
    assert len(fetched) > 3
    assert values(redelivered) == values(fetched[3:])
    assert [m.offset for m in redelivered] == [m.offset for m in fetched[3:]]


async def test_a_new_group_replays_the_topic_from_the_beginning(bus: Bus) -> None:
    topic = await new_topic(bus, partitions=2)
    published = [f"event-{i}" for i in range(15)]
    await bus.publish(topic, [outgoing(f"key-{i % 4}", v) for i, v in enumerate(published)])
    first_group = await started(bus, unique("group"), topic)
    await first_group.commit(await drain(first_group, 15))
    await first_group.stop()

    got = await read(bus, unique("replay"), topic, 15)

    assert sorted(values(got)) == sorted(published)


async def test_ensure_topics_is_idempotent_and_creates_the_dead_letter_topic(bus: Bus) -> None:
    topic = await new_topic(bus, partitions=3)
    await bus.publish(topic, [outgoing("key", "kept")])
    await bus.ensure_topics([topic], partitions=5)  # again, even with another count

    assert await bus.partition_count(topic) == 3
    assert await bus.partition_count(dlq_topic(topic)) == 3
    assert values(await read(bus, unique("group"), topic, 1)) == ["kept"]


# --- The consumer loop (EventConsumer) on each adapter, with real events -----------------------


def record_received(row: int) -> RecordReceived:
    record = PartnerRecord(
        source_record_id=f"ref-{row}",
        agency_kind=AgencyKind.POLICE,
        event_type="concern_for_welfare",
        event_date=date(2024, 5, 1),
        status=RecordStatus.OPEN,
        person=PersonFields(nhs_number="9434765919"),
    )
    return RecordReceived(
        batch_id=uuid.uuid4(),
        partner_id="force-1",
        feed_id="incidents",
        row_number=row,
        record=record,
    )


@pytest.fixture
def event_topic(monkeypatch: pytest.MonkeyPatch) -> str:
    """A topic of its own that carries `records.raw` events (the shared broker's real
    `records.raw` belongs to the end-to-end tests)."""
    topic = unique("raw")
    monkeypatch.setitem(topic_registry.EVENT_TYPES, topic, topic_registry.EVENT_TYPES[RECORDS_RAW])
    return topic


class Recorder:
    """A batch handler that remembers what it handled and can be told to fail or wait."""

    def __init__(self, fails_for: set[uuid.UUID] | None = None) -> None:
        self.handled: list[Event] = []
        self.calls: list[list[uuid.UUID]] = []
        self.fails_for = fails_for or set()
        self.entered = asyncio.Event()
        self.release: asyncio.Event | None = None

    async def __call__(self, events: Sequence[Event]) -> None:
        self.calls.append([e.event_id for e in events])
        self.entered.set()
        if self.release is not None:
            await self.release.wait()
        if any(e.event_id in self.fails_for for e in events):
            raise ValueError("cannot handle this event")
        self.handled += events


async def eventually(check: Callable[[], bool], timeout_s: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running(
    bus: EventBus, topic: str, handler: Recorder, *, group: str | None = None
) -> AsyncIterator[EventConsumer]:
    """An EventConsumer running in the background; stopped (and awaited) on leaving."""
    subscription = Subscription(group or unique("service"), topic, handler)
    consumer = EventConsumer(
        bus, subscription, service="contract-test", max_attempts=3, retry_backoff_s=0.01
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 15)


async def test_unknown_schema_version_is_dead_lettered_and_the_rest_handled(
    bus: Bus, event_topic: str
) -> None:
    await bus.ensure_topics([event_topic], partitions=1)
    good = [record_received(1), record_received(2)]
    future = encode_event(record_received(3)).replace(b'"schema_version":1', b'"schema_version":7')
    batch = [
        OutgoingMessage("k", encode_event(good[0])),
        OutgoingMessage("k", future, {"event_type": "RecordReceived"}),
        OutgoingMessage("k", encode_event(good[1])),
    ]
    await bus.publish(event_topic, batch)
    handler = Recorder()

    async with running(bus, event_topic, handler):
        await eventually(lambda: len(handler.handled) == 2)
    dead = await read(bus, unique("dlq-reader"), dlq_topic(event_topic), 1)

    assert handler.calls == [[e.event_id for e in good]]  # one batch, the bad event left out
    assert [m.value for m in dead] == [future]
    assert "unknown schema version 7" in dead[0].headers["dlq_reason"]
    assert dead[0].headers["event_type"] == "RecordReceived"
    assert dead[0].headers["dlq_source_topic"] == event_topic


async def test_an_event_that_keeps_failing_is_dead_lettered_after_max_attempts(
    bus: Bus, event_topic: str
) -> None:
    await bus.ensure_topics([event_topic], partitions=2)
    events = [record_received(i) for i in range(5)]
    poison = events[2]
    keyed = [OutgoingMessage(f"k{i}", encode_event(e)) for i, e in enumerate(events)]
    await bus.publish(event_topic, keyed)
    handler = Recorder(fails_for={poison.event_id})

    async with running(bus, event_topic, handler):
        await eventually(lambda: len(handler.handled) == 4)
    dead = await read(bus, unique("dlq-reader"), dlq_topic(event_topic), 1)

    assert {e.event_id for e in handler.handled} == {e.event_id for e in events} - {poison.event_id}
    assert sum(poison.event_id in ids for ids in handler.calls) == 3
    assert [m.value for m in dead] == [encode_event(poison)]
    assert dead[0].headers["dlq_attempts"] == "3"
    assert dead[0].headers["dlq_reason"] == "handler failed 3 times (last error: ValueError)"


async def test_stop_lets_the_batch_in_hand_finish_and_commit(bus: Bus, event_topic: str) -> None:
    await bus.ensure_topics([event_topic], partitions=1)
    events = [record_received(i) for i in range(4)]
    await bus.publish(event_topic, [OutgoingMessage("k", encode_event(e)) for e in events])
    handler = Recorder()
    handler.release = asyncio.Event()
    group = unique("service")

    async with running(bus, event_topic, handler, group=group) as consumer:
        await asyncio.wait_for(handler.entered.wait(), 15)
        consumer.stop()  # asked to stop while the handler is still working
        handler.release.set()
    late = record_received(99)
    await bus.publish(event_topic, [OutgoingMessage("k", encode_event(late))])
    after_restart = await read(bus, group, event_topic, 1)

    assert [e.event_id for e in handler.handled] == [e.event_id for e in events]
    assert [m.value for m in after_restart] == [encode_event(late)]


# --- Embedded only ----------------------------------------------------------------------------


async def test_embedded_log_keeps_data_and_offsets_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "bus.db"
    before = EmbeddedLog(path)
    await before.start()
    await before.ensure_topics(["records"], partitions=1)
    await before.publish("records", [outgoing("k", f"event-{i}") for i in range(8)])
    consumer = await started(before, "indexer", "records")
    await consumer.commit((await drain(consumer, 8))[:5])
    await consumer.stop()
    await before.close()

    after = EmbeddedLog(path)
    await after.start()
    resumed = await read(after, "indexer", "records", 3)
    replayed = await read(after, "newcomer", "records", 8)
    await after.close()

    assert values(resumed) == ["event-5", "event-6", "event-7"]
    assert values(replayed) == [f"event-{i}" for i in range(8)]
    assert replayed[0].headers == {"origin": "contract-test"}


async def test_embedded_fetch_wakes_for_a_publish_in_this_or_another_process(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bus.db"
    here, elsewhere = EmbeddedLog(path), EmbeddedLog(path)  # `elsewhere` stands for another process
    await here.start()
    await elsewhere.start()
    await here.ensure_topics(["records"], partitions=2)
    consumer = await started(here, "indexer", "records")
    loop = asyncio.get_running_loop()

    async def publish_soon(log: EmbeddedLog, value: str) -> None:
        await asyncio.sleep(0.1)
        await log.publish("records", [outgoing("k", value)])

    waits = []
    for log, value in ((here, "local"), (elsewhere, "remote")):
        began = loop.time()
        fetched, _ = await asyncio.gather(consumer.fetch(timeout_s=10), publish_soon(log, value))
        waits.append(loop.time() - began)
        assert values(fetched) == [value]
    await consumer.stop()
    await here.close()
    await elsewhere.close()

    # Well before the 10 s fetch timeout: woken by the publish, not by giving up.
    assert max(waits) < 2


async def test_embedded_writers_in_two_processes_never_lose_or_reorder_a_message(
    tmp_path: Path,
) -> None:
    """Two processes publishing to one partition at once (each log its own connection and
    thread, as two processes have): every message is kept once, each writer's in its order."""
    path = tmp_path / "bus.db"
    first, second = EmbeddedLog(path), EmbeddedLog(path)
    for log in (first, second):
        await log.start()
    await first.ensure_topics(["audit.events"], partitions=1)

    async def publish_many(log: EmbeddedLog, writer: str) -> None:
        for n in range(150):
            batch = [outgoing("k", f"{writer}-{n}-{i}") for i in range(3)]
            await log.publish("audit.events", batch)

    await asyncio.gather(publish_many(first, "a"), publish_many(second, "b"))
    kept = await read(first, "audit", "audit.events", 900)
    for log in (first, second):
        await log.close()

    assert [m.offset for m in kept] == list(range(900))
    assert values(kept)[:450] != [f"a-{n}-{i}" for n in range(150) for i in range(3)]  # at once
    for writer in ("a", "b"):
        mine = [v for v in values(kept) if v.startswith(writer)]
        assert mine == [f"{writer}-{n}-{i}" for n in range(150) for i in range(3)]
