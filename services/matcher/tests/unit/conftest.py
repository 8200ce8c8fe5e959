"""Fixtures for the matcher's unit tests: record factories and a handler on a tmp SQLite file."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.domain.batch import PersonResolver
from lateral_matcher.domain.resolution import (
    CandidateRecord,
    Outcome,
    PersonMatch,
    Resolution,
    StewardDecisions,
    new_person_id,
)
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_LINKED, RecordCleaned, RecordLinked, decode_event
from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import (
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    RecordStatus,
)
from lateral_shared.db import create_engine
from lateral_shared.testing.fakes import InMemoryBus

MakeRecord = Callable[..., CleanRecord]


def _record(
    source_id: str,
    *,
    feed: str = "csc-leeds",
    agency: AgencyKind = AgencyKind.CHILDRENS_SOCIAL_CARE,
    status: RecordStatus = RecordStatus.OPEN,
    event_date: date = date(2025, 1, 10),
    person: dict[str, Any] | None = None,
    address_key: str | None = None,
    postcode: str | None = "LS6 1AA",
    version: str = "1",
) -> CleanRecord:
    """A cleansed record; `version` changes the content hash as a partner's correction would."""
    address = None
    if address_key is not None:
        address = CleanAddress(
            lines=["1 Test Street", "Leeds"],
            postcode=postcode,
            outward_code=(postcode or "").split(" ")[0] or None,
            uprn=address_key if address_key.isdigit() else None,
            address_key=address_key,
        )
    return CleanRecord(
        record_key=f"{feed}/{source_id}",
        partner_id=feed.split("-", maxsplit=1)[0],
        feed_id=feed,
        source_record_id=source_id,
        agency_kind=agency,
        event_type="referral",
        event_date=event_date,
        status=status,
        person=CleanPerson(**person) if person is not None else None,
        address=address,
        # Derived from the content, as the cleanser's is: caches key on (record key, hash).
        content_hash=hashlib.sha256(
            f"{feed}/{source_id}/{version}/{agency}/{status}/{event_date}/{person}/"
            f"{address_key}/{postcode}".encode()
        ).hexdigest(),
    )


@pytest.fixture
def make_record() -> MakeRecord:
    return _record


@dataclass
class MatcherHarness:
    """The matcher's handler on an in-memory bus and a real (tmp) SQLite database."""

    engine: AsyncEngine
    bus: InMemoryBus
    linker: RecordLinker

    async def send(self, *records: CleanRecord) -> list[RecordLinked]:
        """Handle one batch; return the events it published."""
        before = len(self.bus.topics[RECORDS_LINKED])
        batch = uuid.uuid4()
        await self.linker([RecordCleaned(batch_id=batch, record=r) for r in records])
        published = self.bus.topics[RECORDS_LINKED][before:]
        return [decode_event(RECORDS_LINKED, m.value) for m in published]  # type: ignore[misc]

    async def withdraw(self, *record_keys: str) -> list[RecordLinked]:
        """Handle one batch of withdrawals; return the events it published."""
        before = len(self.bus.topics[RECORDS_LINKED])
        batch = uuid.uuid4()
        await self.linker(
            [RecordCleaned(batch_id=batch, action="withdraw", record_key=k) for k in record_keys]
        )
        published = self.bus.topics[RECORDS_LINKED][before:]
        return [decode_event(RECORDS_LINKED, m.value) for m in published]  # type: ignore[misc]

    def keys(self) -> list[str]:
        return [m.key for m in self.bus.topics[RECORDS_LINKED]]

    async def count(self, table: str) -> int:
        async with self.engine.connect() as conn:
            return await MatcherRepository(conn).count(table)


async def start_harness(
    database_url: str, resolver: PersonResolver | None = None
) -> MatcherHarness:
    engine = create_engine(database_url)
    await migrate_database(engine)
    bus = InMemoryBus()
    linker = RecordLinker(engine, EventPublisher(bus, service="matcher"), resolver=resolver)
    return MatcherHarness(engine, bus, linker)


def _explained(rule: str) -> LinkExplanation:
    return LinkExplanation(rule=rule, model_version="scripted", score=0.0, summary=rule)


class ScriptedResolver:
    """A resolver whose answers a test writes down (the service's mechanics, not the model's):
    `links[record_key]` / `reviews[record_key]` name the candidate records whose persons the record
    links to / is doubtful about; anything else is a new person. Stewards' decisions win."""

    def __init__(self) -> None:
        self.links: dict[str, set[str]] = {}
        self.reviews: dict[str, set[str]] = {}

    def resolve(
        self,
        record: CleanRecord,
        candidates: Sequence[CandidateRecord],
        decisions: StewardDecisions,
    ) -> Resolution:
        key = record.record_key
        if record.person is None:
            return Resolution(Outcome.ADDRESS_ONLY, None, _explained("address_only"))

        def persons(wanted: set[str]) -> list[str]:
            found = {c.person_id for c in candidates if c.record_key in wanted}
            found |= {p for k, p in decisions.same if k == key}
            return sorted(p for p in found if (key, p) not in decisions.not_same)

        def matches(ids: list[str]) -> tuple[PersonMatch, ...]:
            return tuple(PersonMatch(p, 10.0, 0.99, _explained("scripted")) for p in ids)

        linked = persons(self.links.get(key, set()))
        doubtful = [p for p in persons(self.reviews.get(key, set())) if p not in linked]
        if linked:
            return Resolution(Outcome.LINK, linked[0], _explained("scripted"), matches(linked),
                              matches(doubtful))  # fmt: skip
        if doubtful:
            return Resolution(Outcome.REVIEW, new_person_id(key), _explained("review"),
                              reviews=matches(doubtful))  # fmt: skip
        return Resolution(Outcome.NEW_PERSON, new_person_id(key), _explained("new_person"))


@pytest.fixture
def scripted() -> ScriptedResolver:
    return ScriptedResolver()


@pytest.fixture
async def open_matcher(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Open matchers on further empty SQLite files (for replay tests); all disposed at the end."""
    opened: list[MatcherHarness] = []

    async def open_one(name: str, resolver: PersonResolver | None = None) -> MatcherHarness:
        opened.append(await start_harness(f"sqlite+aiosqlite:///{tmp_path / name}", resolver))
        return opened[-1]

    yield open_one
    for harness in opened:
        await harness.engine.dispose()


@pytest.fixture
async def matcher(open_matcher: Callable[[str], Any]) -> MatcherHarness:
    harness: MatcherHarness = await open_matcher("matcher.db")
    return harness
