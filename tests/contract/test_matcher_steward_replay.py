"""A data steward's split of a person's founding record holds when `records.clean` is reprocessed
from the start, on SQLite and on PostgreSQL (the decisions are read back through a join on the
persons table, which the replay empties)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters import reviews
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.tables import records
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.domain.resolution import new_person_id
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_matcher.service_layer.reviewing import ReviewDesk
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RecordCleaned
from lateral_shared.contracts.records import AgencyKind, CleanPerson, CleanRecord, RecordStatus
from lateral_shared.db import create_engine
from lateral_shared.testing.fakes import InMemoryBus

STEWARD = Principal(subject="steward-1", roles=frozenset({"data_steward"}))
KAI = {"forename": "Kai", "surname": "Brennan", "date_of_birth": "2014-09-30",
       "dob_precision": "day", "nhs_number": "9000000009"}  # fmt: skip


def _record(source_id: str, agency: AgencyKind, **person: str | None) -> CleanRecord:
    return CleanRecord(
        record_key=f"{agency.value}/{source_id}", partner_id=agency.value, feed_id=agency.value,
        source_record_id=source_id, agency_kind=agency, event_type="attendance",
        event_date=date(2025, 4, 2), status=RecordStatus.OPEN,
        person=CleanPerson(**{**KAI, **person}),
        content_hash=hashlib.sha256(f"{source_id}/{person}".encode()).hexdigest(),
    )  # fmt: skip


# The first record founds Kai's person; the others link to it on his NHS number.
RECORDS = [
    _record("C1", AgencyKind.CHILDRENS_SOCIAL_CARE),
    _record("H1", AgencyKind.HEALTH),
    _record("H2", AgencyKind.HEALTH),
]
FOUNDER = RECORDS[0].record_key


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate_database(engine)
    yield engine
    await engine.dispose()


async def _clusters(engine: AsyncEngine) -> dict[str, str | None]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(records.c.record_key, records.c.person_id))
        return {key: person for key, person in rows}


async def _process(
    linker: RecordLinker, *, one_by_one: bool, records: list[CleanRecord] = RECORDS
) -> None:
    batches = [[r] for r in records] if one_by_one else [records]
    for batch in batches:
        await linker([RecordCleaned(batch_id=uuid.uuid4(), record=r) for r in batch])


@pytest.mark.parametrize("one_by_one", [False, True], ids=["one-batch", "one-by-one"])
async def test_splitting_out_the_founding_record_survives_a_replay(
    engine: AsyncEngine, one_by_one: bool
) -> None:
    publisher = EventPublisher(InMemoryBus(), service="matcher")
    linker = RecordLinker(engine, publisher)
    await _process(linker, one_by_one=False)
    kai = new_person_id(FOUNDER)
    assert set((await _clusters(engine)).values()) == {kai}
    async with engine.begin() as conn:
        rid = await reviews.raise_report(conn, record_key=FOUNDER, person_id=kai,
                                         reported_by="sw-2", reason="his brother",
                                         now=datetime.now(UTC))  # fmt: skip
    desk = ReviewDesk(engine, publisher, matcher_audit_trail(publisher))
    await desk.decide(rid, decision="not_same", reason="twin brother", principal=STEWARD)
    decided = await _clusters(engine)
    assert decided[FOUNDER] != kai and {decided["health/H1"], decided["health/H2"]} == {kai}
    async with engine.begin() as conn:
        await MatcherRepository(conn).clear_links()
    await _process(linker, one_by_one=one_by_one)
    assert await _clusters(engine) == decided


# Kai again: the founding record; a health record of his sharing only his NHS number with it (a
# year of birth off by one); and a police record with no NHS number that shares only his name and
# date of birth with the founding record.
BRIDGED = [
    _record("C1", AgencyKind.CHILDRENS_SOCIAL_CARE, gender="male"),
    _record("H1", AgencyKind.HEALTH, gender="male", date_of_birth="2015-09-30"),
    _record("P1", AgencyKind.POLICE, gender="male", nhs_number=None),
]


@pytest.mark.parametrize("one_by_one", [False, True], ids=["one-batch", "one-by-one"])
async def test_a_record_that_met_its_person_only_through_the_split_out_record_rejoins_it(
    engine: AsyncEngine, one_by_one: bool
) -> None:
    """After the founding record is split out, the police record still belongs with the rest of
    Kai (the split keeps that it is him); replayed, it meets him through that decision, not
    through a key it shares with his records: it must not found a person of its own."""
    publisher = EventPublisher(InMemoryBus(), service="matcher")
    linker = RecordLinker(engine, publisher)
    await _process(linker, one_by_one=True, records=BRIDGED)
    kai = new_person_id(BRIDGED[0].record_key)
    assert set((await _clusters(engine)).values()) == {kai}
    async with engine.begin() as conn:
        rid = await reviews.raise_report(conn, record_key=BRIDGED[0].record_key, person_id=kai,
                                         reported_by="sw-2", reason="his brother",
                                         now=datetime.now(UTC))  # fmt: skip
    desk = ReviewDesk(engine, publisher, matcher_audit_trail(publisher))
    await desk.decide(rid, decision="not_same", reason="twin brother", principal=STEWARD)
    decided = await _clusters(engine)
    assert decided["health/H1"] == decided["police/P1"] == kai
    async with engine.begin() as conn:
        await MatcherRepository(conn).clear_links()
    await _process(linker, one_by_one=one_by_one, records=BRIDGED)
    assert await _clusters(engine) == decided
