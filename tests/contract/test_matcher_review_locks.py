"""A steward's decision and the matcher linking a record of the same person at the same moment, on
PostgreSQL with two real connections: the decision takes the blocking-key locks the linker takes,
so one waits for the other's commit and neither undoes the other."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lateral_matcher.adapters import identity, reviews
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.tables import records
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.domain.batch import BatchChanges, KnownState
from lateral_matcher.domain.resolution import default_resolver, new_person_id
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.linking import RecordLinker, link_batch
from lateral_matcher.service_layer.reviewing import ReviewDesk
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RecordCleaned
from lateral_shared.contracts.records import AgencyKind, CleanPerson, CleanRecord, RecordStatus
from lateral_shared.db import create_engine
from lateral_shared.testing.engines import PostgresDatabase
from lateral_shared.testing.fakes import InMemoryBus

pytestmark = pytest.mark.postgres

STEWARD = Principal(subject="steward-1", roles=frozenset({"data_steward"}))
KAI = {"forename": "Kai", "surname": "Brennan", "date_of_birth": "2014-09-30",
       "dob_precision": "day", "nhs_number": "9000000009"}  # fmt: skip
REPORTED = "health/H1"


def _record(
    source_id: str, agency: AgencyKind, *, version: str = "1", person: dict[str, str] = KAI
) -> CleanRecord:
    return CleanRecord(
        record_key=f"{agency.value}/{source_id}", partner_id=agency.value, feed_id=agency.value,
        source_record_id=source_id, agency_kind=agency, event_type="attendance",
        event_date=date(2025, 4, 2), status=RecordStatus.OPEN, person=CleanPerson(**person),
        content_hash=hashlib.sha256(f"{source_id}/{version}".encode()).hexdigest(),
    )  # fmt: skip


class PausedBeforeWrite(MatcherRepository):
    """The linker's repository, stopped after it has locked and read, before it writes."""

    def __init__(self, conn: AsyncConnection, reached: asyncio.Event, go: asyncio.Event) -> None:
        super().__init__(conn)
        self._reached, self._go = reached, go

    async def write(self, changes: BatchChanges, known: KnownState, *, now: datetime) -> Any:
        self._reached.set()
        await self._go.wait()
        return await super().write(changes, known, now=now)


async def _link_pausing(
    engine: AsyncEngine, record: CleanRecord, reached: asyncio.Event, go: asyncio.Event
) -> None:
    """Link `record` in a batch of its own that stops once it holds its locks and has read
    (`reached`), until `go`."""
    async with engine.begin() as conn:
        repo = PausedBeforeWrite(conn, reached, go)
        await link_batch(repo, [RecordCleaned(batch_id=uuid.uuid4(), record=record)],
                         default_resolver(), now=datetime.now(UTC))  # fmt: skip


@pytest.fixture
async def engine(postgres_db: PostgresDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_db.url)
    await migrate_database(engine)
    yield engine
    await engine.dispose()


async def _kai_with_a_report(engine: AsyncEngine, publisher: EventPublisher) -> tuple[str, str]:
    """Kai's three records in one person, and a practitioner's report on one: (item, person)."""
    records = [_record("C1", AgencyKind.CHILDRENS_SOCIAL_CARE), _record("H1", AgencyKind.HEALTH),
               _record("H2", AgencyKind.HEALTH)]  # fmt: skip
    await RecordLinker(engine, publisher)([RecordCleaned(batch_id=uuid.uuid4(), record=r)
                                           for r in records])  # fmt: skip
    kai = new_person_id(records[0].record_key)
    async with engine.begin() as conn:
        rid = await reviews.raise_report(conn, record_key=REPORTED, person_id=kai,
                                         reported_by="sw-2", reason="not him",
                                         now=datetime.now(UTC))  # fmt: skip
    return rid, kai


# The partner's correction of the reported record shares no blocking key with what it replaces:
# another name, date of birth and NHS number.
REWRITTEN = {"forename": "Lena", "surname": "Okafor", "date_of_birth": "2011-03-12",
             "dob_precision": "day", "nhs_number": "9434765919"}  # fmt: skip


@pytest.mark.parametrize(
    "corrected", [KAI, REWRITTEN], ids=["same keys", "every blocking key changed"]
)
async def test_a_split_is_not_undone_by_an_update_linked_at_the_same_moment(
    engine: AsyncEngine, corrected: dict[str, str]
) -> None:
    """The partner corrects the reported record while the steward splits it out: whichever
    commits first, the record ends up split out (the update keeps the person it finds). The
    linker locks the keys the record had as well as its new ones, so the two meet even when the
    correction changes every blocking key."""
    publisher = EventPublisher(InMemoryBus(), service="matcher")
    rid, kai = await _kai_with_a_report(engine, publisher)
    reached, go = asyncio.Event(), asyncio.Event()
    update = _record("H1", AgencyKind.HEALTH, version="2", person=corrected)
    linking = asyncio.create_task(_link_pausing(engine, update, reached, go))
    await asyncio.wait_for(reached.wait(), 30)  # the linker holds its locks and has read
    desk = ReviewDesk(engine, publisher, matcher_audit_trail(publisher))
    deciding = asyncio.create_task(
        desk.decide(rid, decision="not_same", reason="his cousin", principal=STEWARD)
    )
    done, _ = await asyncio.wait({deciding}, timeout=1.0)
    waited = not done  # the decision waits for the linker's commit
    go.set()
    await asyncio.wait_for(linking, 30)
    await asyncio.wait_for(deciding, 30)
    async with engine.connect() as conn:
        person = await identity.person_of_record(conn, REPORTED)
        rest = {
            await identity.person_of_record(conn, key)
            for key in ("health/H2", "childrens_social_care/C1")
        }
    assert person not in (kai, None)  # the steward's split stands
    assert rest == {kai}
    assert waited


async def test_a_decision_and_new_records_of_the_person_never_deadlock(
    engine: AsyncEngine,
) -> None:
    """Several decisions and batches on one person's keys at once all finish."""
    publisher = EventPublisher(InMemoryBus(), service="matcher")
    rid, kai = await _kai_with_a_report(engine, publisher)
    linker = RecordLinker(engine, publisher)
    desk = ReviewDesk(engine, publisher, matcher_audit_trail(publisher))
    batches = [
        linker([RecordCleaned(batch_id=uuid.uuid4(), record=_record(f"H{n}", AgencyKind.HEALTH))])
        for n in range(3, 9)
    ]
    decision = desk.decide(rid, decision="not_same", reason="his cousin", principal=STEWARD)
    await asyncio.wait_for(asyncio.gather(decision, *batches), 60)
    async with engine.connect() as conn:
        assert await identity.person_of_record(conn, REPORTED) not in (kai, None)
        for n in range(3, 9):  # every batch committed its record
            assert await identity.person_of_record(conn, f"health/H{n}") is not None


async def test_a_batch_whose_record_was_re_keyed_while_it_waited_locks_again_and_lands(
    engine: AsyncEngine,
) -> None:
    """Two corrections of one record, each changing every blocking key (the second puts back
    what the first replaced): the second waits for the first, finds the record's keys changed
    under it, tries again with the new keys' locks too, and its version is the one stored."""
    publisher = EventPublisher(InMemoryBus(), service="matcher")
    await _kai_with_a_report(engine, publisher)
    reached, go = asyncio.Event(), asyncio.Event()
    update = _record("H1", AgencyKind.HEALTH, version="2", person=REWRITTEN)
    first = asyncio.create_task(_link_pausing(engine, update, reached, go))
    await asyncio.wait_for(reached.wait(), 30)
    second = _record("H1", AgencyKind.HEALTH, version="3", person=KAI)
    linking = asyncio.create_task(
        RecordLinker(engine, publisher)([RecordCleaned(batch_id=uuid.uuid4(), record=second)])
    )
    done, _ = await asyncio.wait({linking}, timeout=1.0)
    waited = not done
    go.set()
    await asyncio.wait_for(asyncio.gather(first, linking), 30)
    async with engine.connect() as conn:
        stored = await conn.scalar(
            select(records.c.content_hash).where(records.c.record_key == REPORTED)
        )
    assert stored == second.content_hash
    assert waited
