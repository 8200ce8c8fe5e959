"""The matcher's store and handler against both databases: SQLite and PostgreSQL.

The same cases run on a tmp SQLite file and on a fresh database of the local PostgreSQL server,
so the migration, the JSON columns and the look-ups behave the same on both.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters import identity, reviews
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.tables import blocking_keys, persons, records
from lateral_matcher.bootstrap import MIGRATIONS, VERSION_TABLE, migrate_database
from lateral_matcher.domain.merging import Merge
from lateral_matcher.domain.resolution import default_resolver
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.linking import RecordLinker, link_batch
from lateral_matcher.service_layer.reviewing import ReviewDesk
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_LINKED, RecordCleaned, RecordLinked, decode_event
from lateral_shared.contracts.records import (
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    RecordStatus,
)
from lateral_shared.db import create_engine
from lateral_shared.db.migrations import _config
from lateral_shared.testing.fakes import InMemoryBus

NHS = "9000000009"
HOME = "300000000042"
STEWARD = Principal(subject="steward-1", roles=frozenset({"data_steward"}))


def _record(
    source_id: str,
    *,
    agency: AgencyKind = AgencyKind.HEALTH,
    person: bool = True,
    version: str = "1",
    status: RecordStatus = RecordStatus.OPEN,
) -> CleanRecord:
    person_fields = CleanPerson(
        forename="Zoë",
        surname="O'Neill",
        date_of_birth="2015-07-01",
        dob_precision="day",
        nhs_number=NHS,
    )
    return CleanRecord(
        record_key=f"{agency.value}/{source_id}",
        partner_id=agency.value,
        feed_id=agency.value,
        source_record_id=source_id,
        agency_kind=agency,
        event_type="attendance",
        event_date=date(2025, 3, 1),
        status=status,
        person=person_fields if person else None,
        address=CleanAddress(
            lines=["Flat 2", "9 Test Road"],
            postcode="LS6 2BB",
            outward_code="LS6",
            uprn=HOME,
            address_key=HOME,
        ),
        content_hash=hashlib.sha256(f"{source_id}/{version}".encode()).hexdigest(),
    )


@dataclass
class Store:
    engine: AsyncEngine
    bus: InMemoryBus
    linker: RecordLinker

    async def send(self, *records: CleanRecord) -> list[RecordLinked]:
        before = len(self.bus.topics[RECORDS_LINKED])
        await self.linker([RecordCleaned(batch_id=uuid.uuid4(), record=r) for r in records])
        return [
            decode_event(RECORDS_LINKED, m.value)  # type: ignore[misc]
            for m in self.bus.topics[RECORDS_LINKED][before:]
        ]

    async def count(self, table: str) -> int:
        async with self.engine.connect() as conn:
            return await MatcherRepository(conn).count(table)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    url = database_url
    engine = create_engine(url)
    await migrate_database(engine)
    await migrate_database(engine)  # applying migrations again is a no-op
    bus = InMemoryBus()
    yield Store(engine, bus, RecordLinker(engine, EventPublisher(bus, service="matcher")))
    await engine.dispose()


async def test_records_of_one_person_link_and_keep_their_content(store: Store) -> None:
    health = _record("H1")
    csc = _record("C1", agency=AgencyKind.CHILDRENS_SOCIAL_CARE)
    [first] = await store.send(health)
    [second] = await store.send(csc)
    assert second.person is not None and first.person is not None
    assert second.person.person_id == first.person.person_id
    assert second.person.version == 2
    assert second.link is not None and second.link.rule == "nhs_number"
    stored = {r.record_key: r for r in second.person.records}
    assert stored == {health.record_key: health, csc.record_key: csc}  # JSON round trip intact


async def test_resend_is_unchanged_and_update_bumps_the_version(store: Store) -> None:
    await store.send(_record("H1"))
    [again] = await store.send(_record("H1"))
    [updated] = await store.send(_record("H1", version="2", status=RecordStatus.CLOSED))
    assert again.change == "unchanged"
    assert again.person is not None and again.person.version == 1
    assert updated.change == "updated"
    assert updated.person is not None and updated.person.version == 2
    assert await store.count("records") == 1
    assert await store.count("persons") == 1


async def test_address_lists_residents_and_address_only_records(store: Store) -> None:
    await store.send(_record("C1", agency=AgencyKind.CHILDRENS_SOCIAL_CARE))
    [police] = await store.send(_record("P1", agency=AgencyKind.POLICE, person=False))
    assert police.person is None
    assert police.address is not None
    assert police.address.postcode == "LS6 2BB"
    assert police.address.lines == ["Flat 2", "9 Test Road"]
    [resident] = police.address.residents
    assert resident.date_of_birth == "2015-07-01"
    assert resident.open_agency_kinds == [AgencyKind.CHILDRENS_SOCIAL_CARE]
    assert sorted(police.address.record_keys) == ["childrens_social_care/C1", "police/P1"]
    assert store.bus.topics[RECORDS_LINKED][-1].key == HOME
    assert await store.count("addresses") == 1


def _zoe(source_id: str, *, agency: AgencyKind, doubtful: bool = False) -> CleanRecord:
    """Zoë with no NHS number and no address (so only names and birth date compare); the
    doubtful one has a one-letter surname difference and only the birth month."""
    record = _record(source_id, agency=agency)
    assert record.person is not None
    changes = {"surname": "O'Neil", "date_of_birth": "2015-07"} if doubtful else {}
    person = record.person.model_copy(update={"nhs_number": None, **changes})
    content = hashlib.sha256(f"{source_id}/{doubtful}".encode()).hexdigest()
    return record.model_copy(update={"person": person, "address": None, "content_hash": content})


async def _person_of(store: Store, record_key: str) -> str | None:
    async with store.engine.connect() as conn:
        return await identity.person_of_record(conn, record_key)


async def test_a_steward_merges_then_splits_with_ids_redirected(store: Store) -> None:
    [full] = await store.send(_zoe("H1", agency=AgencyKind.HEALTH))
    [partial] = await store.send(_zoe("C1", agency=AgencyKind.CHILDRENS_SOCIAL_CARE, doubtful=True))
    assert full.person is not None and partial.person is not None
    zoe, doubtful = full.person.person_id, partial.person.person_id
    assert zoe != doubtful, "the deployed model should find this pair doubtful, not link it"
    publisher = EventPublisher(store.bus, service="matcher")
    desk = ReviewDesk(store.engine, publisher, matcher_audit_trail(publisher))
    async with store.engine.connect() as conn:
        _, [item] = await reviews.list_items(conn, status="open", limit=5, offset=0)
    await desk.decide(item.review_id, decision="same", reason="same GP", principal=STEWARD)
    assert await _person_of(store, "childrens_social_care/C1") == zoe
    async with store.engine.connect() as conn:
        assert await identity.where_is(conn, doubtful) == zoe
        rid = await reviews.raise_report(conn, record_key="childrens_social_care/C1",
                                         person_id=zoe, reported_by="sw-1",
                                         reason="a cousin", now=full.occurred_at)  # fmt: skip
        await conn.commit()
    await desk.decide(rid, decision="not_same", reason="a cousin", principal=STEWARD)
    assert await _person_of(store, "childrens_social_care/C1") == doubtful  # its own ID again
    async with store.engine.connect() as conn:
        assert await identity.where_is(conn, doubtful) == doubtful
        kinds = [c.kind for c in await identity.changes_of(conn, doubtful)]
    assert kinds == ["merge", "split"]
    async with store.engine.connect() as conn:
        decisions = await reviews.load_decisions(conn, ["childrens_social_care/C1"])
    assert decisions.not_same == {("childrens_social_care/C1", zoe)}  # the later decision holds
    assert decisions.same == frozenset()


async def test_concurrent_batches_of_one_new_person_make_one_person(store: Store) -> None:
    """Two matchers (two connections) at once; on PostgreSQL the blocking-key locks serialise
    them, on SQLite its single writer does."""
    first = Store(store.engine, InMemoryBus(), RecordLinker(store.engine, EventPublisher(
        InMemoryBus(), service="matcher")))  # fmt: skip
    records = [_record(f"H{i}") for i in range(8)]
    await asyncio.gather(
        *(linker.send(r) for linker, r in zip([first, store] * 4, records, strict=True))
    )
    assert await store.count("persons") == 1


async def test_a_record_linked_to_a_person_merged_meanwhile_moves_to_the_survivor(
    store: Store,
) -> None:
    [first] = await store.send(_record("H1"))
    other = _record("C1", agency=AgencyKind.CHILDRENS_SOCIAL_CARE)
    assert other.person is not None
    other = other.model_copy(
        update={
            "person": other.person.model_copy(
                update={
                    "nhs_number": "9434765919",
                    "forename": "Kwame",
                    "date_of_birth": "1979-02-11",
                }
            )
        }
    )
    [second] = await store.send(other)
    assert first.person is not None and second.person is not None
    absorbed, survivor = first.person.person_id, second.person.person_id
    assert absorbed != survivor

    class MergedMeanwhile(MatcherRepository):
        """Another matcher merges the person after this batch read it, before it writes."""

        async def write(self, changes: Any, known: Any, *, now: datetime) -> dict[str, str]:
            async with store.engine.begin() as conn:
                merge = Merge(survivor, absorbed, None, "another matcher", "matcher")
                await identity.apply_merges(conn, [merge], now=now)
            return await super().write(changes, known, now=now)

    record = _record("H2")
    event = RecordCleaned(batch_id=uuid.uuid4(), record_key=record.record_key, record=record)
    async with store.engine.begin() as conn:
        [(_, outcome)] = await link_batch(
            MergedMeanwhile(conn), [event], default_resolver(), now=datetime.now(UTC)
        )
    assert outcome.person_id == survivor
    assert await _person_of(store, "health/H2") == survivor


async def test_records_stored_before_blocking_keys_are_found_after_the_upgrade(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    config = _config(MIGRATIONS, VERSION_TABLE)

    def upgrade_to_0002(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")

    old = _record("H1")
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_to_0002)
        await conn.execute(
            persons.insert(),
            [{"person_id": "p-old", "version": 1, "created_at": now, "updated_at": now}],
        )
        await conn.execute(records.insert(), [
            {"record_key": old.record_key, "person_id": "p-old", "address_key": None,
             "content_hash": old.content_hash, "record": old.model_dump(mode="json"),
             "updated_at": now}])  # fmt: skip
    await migrate_database(engine)
    bus = InMemoryBus()
    store = Store(engine, bus, RecordLinker(engine, EventPublisher(bus, service="matcher")))
    try:
        [linked] = await store.send(_record("H2"))
        assert linked.person is not None and linked.person.person_id == "p-old"
    finally:
        await engine.dispose()


async def test_blocking_keys_survive_the_without_rowid_upgrade_and_its_downgrade(
    database_url: str,
) -> None:
    """Migration 0006 rebuilds `blocking_keys` on SQLite (kept in key order, no rowid): every
    filed key is copied, both ways, and a record filed before it is still found as a candidate
    (on PostgreSQL the migration changes nothing, and the same holds). The records are stored at
    the newest revision and taken down to 0005 and back: 0007's downgrade drops their stored
    profiles, so the candidate is also one stored without a profile, profiled from its record."""
    engine = create_engine(database_url)
    config = _config(MIGRATIONS, VERSION_TABLE)

    def migrate_to(revision: str, *, down: bool = False) -> Any:
        def run(connection: Any) -> None:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

        return run

    async def filed() -> list[tuple[str, str]]:
        async with engine.connect() as conn:
            stmt = select(blocking_keys.c.key, blocking_keys.c.record_key)
            return sorted((key, record_key) for key, record_key in await conn.execute(stmt))

    async def without_rowid() -> bool:
        async with engine.connect() as conn:
            if conn.dialect.name != "sqlite":
                return False
            # A WITHOUT ROWID table has no rowid column to select.
            try:
                await conn.execute(text("SELECT rowid FROM blocking_keys LIMIT 1"))
            except Exception:
                return True
            return False

    try:
        await migrate_database(engine)
        bus = InMemoryBus()
        store = Store(engine, bus, RecordLinker(engine, EventPublisher(bus, service="matcher")))
        await store.send(_record("H1"), _record("H2", agency=AgencyKind.POLICE))
        before = await filed()
        assert before and await without_rowid() is (engine.dialect.name == "sqlite")
        async with engine.begin() as conn:
            await conn.run_sync(migrate_to("0005", down=True))
        assert await filed() == before and not await without_rowid()
        async with engine.begin() as conn:
            await conn.run_sync(migrate_to("0006"))
        assert await filed() == before
        assert await without_rowid() is (engine.dialect.name == "sqlite")
        await migrate_database(engine)
        [linked] = await store.send(_record("H3"))
        assert linked.person is not None
        assert linked.person.person_id == await _person_of(store, "health/H1")
    finally:
        await engine.dispose()
