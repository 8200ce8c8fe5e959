"""The matcher's store and handler against both databases: SQLite and PostgreSQL.

The same cases run on a tmp SQLite file and on a fresh database of the local PostgreSQL server,
so the migration, the JSON columns and the look-ups behave the same on both.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.service_layer.linking import RecordLinker
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
from lateral_shared.testing.fakes import InMemoryBus

NHS = "9000000009"
HOME = "300000000042"


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
