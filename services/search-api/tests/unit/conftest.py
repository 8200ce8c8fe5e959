"""A search-api wired to an in-memory bus and index and a tmp SQLite accounts database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from lateral_search_api.adapters.database import open_database
from lateral_search_api.bootstrap import bootstrap
from lateral_search_api.config import SearchApiSettings
from lateral_search_api.service_layer.users import ensure_user
from lateral_shared.auth import issue_token
from lateral_shared.bus.port import OutgoingMessage
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.contracts.records import AgencyKind, LeadProfessional, RecordStatus
from lateral_shared.contracts.topics import AUDIT_EVENTS, decode_event
from lateral_shared.db import session_factory
from lateral_shared.index.documents import (
    PersonAddress,
    PersonDocument,
    PersonName,
    RecordSummary,
)
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus, InMemoryIndex

SECRET = "unit-test-secret-not-for-production-0123456789"  # noqa: S105 (a test-only signing key)
PASSWORD = "a long demo password"  # noqa: S105 (a test-only account)


class GatedBus(InMemoryBus):
    """An in-memory bus whose acknowledgement can be held back, to see what waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.publishing = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        self.publishing.set()
        await self.release.wait()
        await super().publish(topic, messages)


@dataclass
class SearchApi:
    client: httpx.AsyncClient
    bus: GatedBus
    index: InMemoryIndex

    password: str = PASSWORD

    @staticmethod
    def token(*roles: str, subject: str = "pat") -> dict[str, str]:
        """Headers with a bearer token for `subject` holding `roles`."""
        bearer = issue_token(SECRET, subject=subject, roles=list(roles))
        return {"Authorization": f"Bearer {bearer}"}

    def audit_events(self) -> list[AuditEvent]:
        events = [decode_event(AUDIT_EVENTS, value) for value in self.bus.values(AUDIT_EVENTS)]
        return [e for e in events if isinstance(e, AuditEvent)]


def ada() -> PersonDocument:
    """A synthetic child with an open children's social care case (NHS number in the 9xx range)."""
    return PersonDocument(
        person_id="person-ada", version=1,
        names=[PersonName(forename="Ada", surname="Testwood")], date_of_birth="2012-03-04",
        gender="female", nhs_numbers=["9434765919"], postcodes=["LS6 1AA"],
        addresses=[PersonAddress(lines=["1 Example Street"], postcode="LS6 1AA",
                                 last_seen=date(2025, 1, 10))],
        agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE], has_open_case=True,
        records=[RecordSummary(
            record_key="csc-feed/C-1", partner_id="council", feed_id="csc-feed",
            source_record_id="C-1", agency_kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
            event_type="child_in_need", event_date=date(2025, 1, 10), status=RecordStatus.OPEN,
            lead_professional=LeadProfessional(name="Sam Worker", phone="0113 496 0000"))],
        updated_at=datetime(2025, 1, 10, tzinfo=UTC),
    )  # fmt: skip


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[SearchApi]:
    settings = SearchApiSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/search-api.db",
        secret_key=SECRET,
        environment="test",  # type: ignore[arg-type]
    )
    engine = await open_database(settings.database_url)
    async with session_factory(engine)() as session:
        await ensure_user(session, username="pat", password=PASSWORD, roles=["practitioner"])
    await engine.dispose()
    bus, index = GatedBus(), InMemoryIndex()
    await index.upsert_persons([ada()])
    service = await bootstrap(settings, bus=bus, index=index)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield SearchApi(client, bus, index)
    for hook in service.on_stop:
        await hook()
