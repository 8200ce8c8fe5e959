"""Fixtures for the matcher's unit tests: record factories and a handler on a tmp SQLite file."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

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
        content_hash=hashlib.sha256(f"{feed}/{source_id}/{version}".encode()).hexdigest(),
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


async def start_harness(database_url: str) -> MatcherHarness:
    engine = create_engine(database_url)
    await migrate_database(engine)
    bus = InMemoryBus()
    return MatcherHarness(engine, bus, RecordLinker(engine, EventPublisher(bus, service="matcher")))


@pytest.fixture
async def open_matcher(tmp_path: Path) -> AsyncIterator[Callable[[str], Any]]:
    """Open matchers on further empty SQLite files (for replay tests); all disposed at the end."""
    opened: list[MatcherHarness] = []

    async def open_one(name: str) -> MatcherHarness:
        opened.append(await start_harness(f"sqlite+aiosqlite:///{tmp_path / name}"))
        return opened[-1]

    yield open_one
    for harness in opened:
        await harness.engine.dispose()


@pytest.fixture
async def matcher(open_matcher: Callable[[str], Any]) -> MatcherHarness:
    harness: MatcherHarness = await open_matcher("matcher.db")
    return harness
