"""A search-api wired to an in-memory bus and index and a tmp SQLite accounts database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
    AddressDocument,
    AddressResident,
    PersonAddress,
    PersonDocument,
    PersonName,
    RecordLink,
    RecordSummary,
)
from lateral_shared.index.embedded import EmbeddedIndex
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


# --- A family on the real embedded index, for the search and view tests (test_search_api_search,
# test_search_api_http_views): misspellings, nicknames and address elements need the real index.

TODAY = date.today()


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def _record(source: str, agency: AgencyKind, when: date, status: RecordStatus) -> RecordSummary:
    return RecordSummary(
        record_key=f"{agency.value}-feed/{source}", partner_id=agency.value,
        feed_id=f"{agency.value}-feed", source_record_id=source, agency_kind=agency,
        event_type="contact", event_date=when, status=status,
        lead_professional=LeadProfessional(name="Sam Worker", team="MASH", phone="0113 496 0000"),
    )  # fmt: skip


HIGH_STREET = PersonAddress(
    address_key="100000000012", uprn="100000000012", postcode="LS6 1AA",
    lines=["12 High Street", "Headingley", "Leeds"], last_seen=_ago(10),
)  # fmt: skip
CSC = _record("C-1", AgencyKind.CHILDRENS_SOCIAL_CARE, _ago(10), RecordStatus.OPEN)
HEALTH = _record("H-1", AgencyKind.HEALTH, _ago(200), RecordStatus.CLOSED)
ASC = _record("A-1", AgencyKind.ADULT_SOCIAL_CARE, _ago(40), RecordStatus.CLOSED)
FIRE = _record("F-1", AgencyKind.FIRE, _ago(70), RecordStatus.CLOSED)  # address only
POLICE = _record("POL-77", AgencyKind.POLICE, _ago(400), RecordStatus.CLOSED)  # out of window


def _family() -> tuple[list[PersonDocument], list[AddressDocument]]:
    stamp = datetime(2025, 1, 10, tzinfo=UTC)
    ada = PersonDocument(
        person_id="person-ada", version=1, names=[PersonName(forename="Ada", surname="Testwood")],
        aliases=["Addy Testwood"], date_of_birth="2012-03-04", gender="female",
        nhs_numbers=["9434765919"], postcodes=["LS6 1AA", "LS6 2BB"],
        addresses=[HIGH_STREET, PersonAddress(address_key="A-LOW", postcode="LS6 2BB",
                                              lines=["4 Low Lane", "Leeds"], last_seen=_ago(200))],
        agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.HEALTH], has_open_case=True,
        records=[CSC, HEALTH],
        links=[RecordLink(record_key=HEALTH.record_key, rule="nhs_number", score=0.99,
                          summary="same NHS number")],
        updated_at=stamp,
    )  # fmt: skip
    jane = PersonDocument(
        person_id="person-jane", version=1,
        names=[PersonName(forename="Jane", surname="Testwood")], date_of_birth="1985-07",
        gender="female", postcodes=["LS6 1AA"], addresses=[HIGH_STREET],
        agencies=[AgencyKind.ADULT_SOCIAL_CARE], records=[ASC], updated_at=stamp,
    )  # fmt: skip
    bill = PersonDocument(
        person_id="person-bill", version=1,
        names=[PersonName(forename="William", surname="Brown")], date_of_birth="1980-05-06",
        gender="male", postcodes=["BD1 1AA"],
        addresses=[PersonAddress(address_key="A-MILL", postcode="BD1 1AA",
                                 lines=["7 Mill Road", "Bradford"], last_seen=_ago(400))],
        agencies=[AgencyKind.POLICE], records=[POLICE], updated_at=stamp,
    )  # fmt: skip
    home = AddressDocument(
        address_key="100000000012", version=1, uprn="100000000012", postcode="LS6 1AA",
        lines=["12 High Street", "Headingley", "Leeds"],
        residents=[
            AddressResident(person_id="person-ada", names=ada.names, date_of_birth="2012-03-04",
                            agencies=ada.agencies, has_open_case=True, last_seen=_ago(10)),
            AddressResident(person_id="person-jane", names=jane.names, date_of_birth="1985-07",
                            agencies=jane.agencies, last_seen=_ago(40)),
            AddressResident(person_id="person-old", date_of_birth="1950", current=False,
                            last_seen=_ago(300)),
        ],
        records=[CSC, ASC, FIRE], has_open_case=True,
        agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE, AgencyKind.FIRE],
        updated_at=stamp,
    )  # fmt: skip
    mill = AddressDocument(
        address_key="A-MILL", version=1, postcode="BD1 1AA", lines=["7 Mill Road", "Bradford"],
        residents=[AddressResident(person_id="person-bill", names=bill.names)],
        records=[POLICE], agencies=[AgencyKind.POLICE], updated_at=stamp,
    )  # fmt: skip
    return [ada, jane, bill], [home, mill]


@dataclass
class FamilyApi:
    client: httpx.AsyncClient
    bus: GatedBus
    index: EmbeddedIndex
    token = staticmethod(SearchApi.token)
    audit_events = SearchApi.audit_events


@pytest.fixture
async def family(tmp_path: Path) -> AsyncIterator[FamilyApi]:
    """The search-api over a real embedded index holding the Testwood family and Bill Brown."""
    settings = SearchApiSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/search-api.db",
        secret_key=SECRET,
        environment="test",  # type: ignore[arg-type]
    )
    index = EmbeddedIndex(tmp_path / "index.db")
    await index.start()
    people, places = _family()
    await index.upsert_persons(people)
    await index.upsert_addresses(places)
    bus = GatedBus()
    service = await bootstrap(settings, bus=bus, index=index)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield FamilyApi(client, bus, index)
    for hook in service.on_stop:
        await hook()
    await index.close()
