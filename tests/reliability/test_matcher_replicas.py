"""Several matcher replicas at once, on real Kafka (Tansu) and PostgreSQL: one person per
individual however the records are spread over the replicas, and reprocessing the topic from the
start (one replica, a new database) reproduces the same clusters.

Each replica has its own bus client, its own database engine and its own consumer in one group,
as separate processes would. The topic is this test's own, so other tests' events stay apart.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from datetime import date

import pytest
from sqlalchemy import text

from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_shared.bus import EventConsumer, EventPublisher, OutgoingMessage, Subscription
from lateral_shared.bus.kafka import KafkaBus
from lateral_shared.contracts import topics as topic_registry
from lateral_shared.contracts.events import RecordCleaned
from lateral_shared.contracts.records import AgencyKind, CleanPerson, CleanRecord, RecordStatus
from lateral_shared.contracts.topics import RECORDS_CLEAN, encode_event
from lateral_shared.db import create_engine
from lateral_shared.testing.engines import EngineProcess, PostgresDatabase, create_postgres_database

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

INDIVIDUALS = 30
RECORDS_EACH = 4
AGENCIES = [AgencyKind.HEALTH, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE,
            AgencyKind.ADULT_SOCIAL_CARE]  # fmt: skip
FORENAMES = ["Amara", "Bilal", "Chloe", "Dylan", "Elif", "Femi", "Grace", "Harvey", "Isla", "Jonah"]
SURNAMES = ["Achterberg", "Brzezinski", "Castellanos"]


def nhs_number(serial: int) -> str:
    """A valid NHS number in the never-issued 9xx range (Modulus 11)."""
    while True:
        digits = f"9{serial:08d}"
        check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            return digits + "0"
        if check != 10:
            return digits + str(check)
        serial += 1


def individual_records(individual: int) -> list[CleanRecord]:
    """One synthetic individual's records, one per agency, each with their NHS number."""
    person = CleanPerson(
        forename=FORENAMES[individual % 10], surname=SURNAMES[individual // 10],
        date_of_birth=f"{1990 + individual % 20}-0{1 + individual % 9}-1{individual % 10}",
        dob_precision="day", nhs_number=nhs_number(10_000 + individual * 37),
    )  # fmt: skip
    return [
        CleanRecord(
            record_key=f"{agency.value}/R{individual}-{n}",
            partner_id=agency.value,
            feed_id=agency.value,
            source_record_id=f"R{individual}-{n}",
            agency_kind=agency,
            event_type="contact",
            event_date=date(2025, 1 + n, 1),
            status=RecordStatus.OPEN,
            person=person,
            content_hash=hashlib.sha256(f"{individual}/{n}".encode()).hexdigest(),
        )
        for n, agency in enumerate(AGENCIES[:RECORDS_EACH])
    ]


def the_records() -> list[CleanRecord]:
    """Every individual's records, one individual after another: their records, spread over the
    partitions, reach the replicas at the same moment."""
    return [record for i in range(INDIVIDUALS) for record in individual_records(i)]


def kafka_bus(tansu: EngineProcess) -> KafkaBus:
    return KafkaBus(
        tansu.url.removeprefix("kafka://"), enable_idempotence=False,  # Tansu: no InitProducerId
        session_timeout_ms=2000, heartbeat_interval_ms=200, rebalance_timeout_ms=1000,
        assignment_timeout_s=15,
    )  # fmt: skip


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch) -> str:
    """A `records.clean` topic of this test's own."""
    name = f"reliability-clean-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(topic_registry.EVENT_TYPES, name, topic_registry.EVENT_TYPES[RECORDS_CLEAN])
    return name


@pytest.fixture
def second_db() -> Iterator[PostgresDatabase]:
    db = create_postgres_database()
    yield db
    db.drop()


async def publish(tansu: EngineProcess, topic: str, records: list[CleanRecord]) -> None:
    bus = kafka_bus(tansu)
    await bus.start()
    try:
        batch = uuid.uuid4()
        await bus.publish(topic, [
            OutgoingMessage(r.record_key, encode_event(
                RecordCleaned(batch_id=batch, record_key=r.record_key, record=r)))
            for r in records
        ])  # fmt: skip
    finally:
        await bus.close()


async def run_replicas(
    tansu: EngineProcess, topic: str, database_url: str, *, replicas: int, publish_first: bool
) -> None:
    """Run `replicas` matchers in one group until the database holds every record.

    Unless `publish_first`, the records are published once every replica has joined the group,
    so they arrive at all replicas at once (the race the blocking-key locks are for).
    """
    records = the_records()
    if publish_first:
        await publish(tansu, topic, records)
    engines = [create_engine(database_url) for _ in range(replicas)]
    await migrate_database(engines[0])
    buses = [kafka_bus(tansu) for _ in range(replicas)]
    group = f"matcher-{uuid.uuid4().hex[:8]}"
    consumers = []
    for bus, engine in zip(buses, engines, strict=True):
        await bus.start()
        await bus.ensure_topics([topic], partitions=6)
        linker = RecordLinker(engine, EventPublisher(bus, service="matcher"))
        subscription = Subscription(group_id=group, topic=topic, handler=linker)
        consumers.append(EventConsumer(bus, subscription, service="matcher", batch_size=2))
    tasks = [asyncio.create_task(c.run()) for c in consumers]
    try:
        if not publish_first:
            await asyncio.sleep(5)  # every replica joins and the group settles
            await publish(tansu, topic, records)
        await wait_for_records(engines[0], len(records), tasks)
    finally:
        for consumer in consumers:
            consumer.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        for bus, engine in zip(buses, engines, strict=True):
            await bus.close()
            await engine.dispose()


async def wait_for_records(
    engine: object, expected: int, tasks: Sequence[asyncio.Task[None]]
) -> None:
    async with asyncio.timeout(90):
        while await count_records(engine) < expected:
            assert not any(t.done() for t in tasks), "a replica stopped"
            await asyncio.sleep(0.2)


async def count_records(engine: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return int((await conn.execute(text("SELECT count(*) FROM records"))).scalar_one())


async def clusters(database_url: str) -> tuple[set[frozenset[str]], int]:
    """The records grouped by person, and how many persons are live (not merged away)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT record_key, person_id FROM records"))).all()
            live_persons = text("SELECT count(*) FROM persons WHERE merged_into IS NULL")
            live = (await conn.execute(live_persons)).scalar_one()
    finally:
        await engine.dispose()
    by_person: dict[str, set[str]] = {}
    for record_key, person_id in rows:
        by_person.setdefault(person_id, set()).add(record_key)
    return {frozenset(keys) for keys in by_person.values()}, int(live)


async def test_concurrent_replicas_make_one_person_per_individual_and_replay_agrees(
    tansu: EngineProcess,
    postgres_db: PostgresDatabase,
    second_db: PostgresDatabase,
    topic: str,
) -> None:
    await run_replicas(tansu, topic, postgres_db.url, replicas=3, publish_first=False)
    found, live = await clusters(postgres_db.url)
    truth = {frozenset(r.record_key for r in individual_records(i)) for i in range(INDIVIDUALS)}
    assert live == INDIVIDUALS
    assert found == truth
    await run_replicas(tansu, topic, second_db.url, replicas=1, publish_first=False)
    assert await clusters(second_db.url) == (found, live)
