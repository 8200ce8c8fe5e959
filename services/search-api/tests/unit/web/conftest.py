"""The web pages' test client: the search-api (parent conftest's `api`) with a synthetic child,
her household and their address in the index, and the steps a practitioner takes in a browser
(sign in, give a reason) as methods, so each test reads as what a user does."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_search_api.adapters import web_sessions
from lateral_search_api.adapters.database import open_database
from lateral_search_api.entrypoints.web.sessions import COOKIE, SessionCookies, WebSession
from lateral_search_api.service_layer.users import ensure_user
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.contracts.records import AgencyKind, LeadProfessional, RecordStatus
from lateral_shared.db import session_factory
from lateral_shared.index import (
    AddressDocument,
    AddressResident,
    PersonAddress,
    PersonDocument,
    PersonName,
    RecordLink,
    RecordSummary,
)

PASSWORD = "a long demo password"  # noqa: S105 (the parent conftest's test-only account)
SECRET = "unit-test-secret-not-for-production-0123456789"  # noqa: S105 (the parent's key)
HOME = "uprn:100023336956"
TODAY = date.today()


def _record(key: str, kind: AgencyKind, event: str, days_ago: int, **extra: Any) -> RecordSummary:
    feed, source = key.split("/")
    return RecordSummary(
        record_key=key, partner_id="p", feed_id=feed, source_record_id=source, agency_kind=kind,
        event_type=event, event_date=TODAY - timedelta(days=days_ago),
        status=extra.pop("status", RecordStatus.CLOSED), **extra,
    )  # fmt: skip


def cara() -> PersonDocument:
    """A synthetic child (9xx NHS number) with a social worker and an A&E attendance."""
    social_worker = LeadProfessional(
        name="Sam Worker", team="Leeds North CIN team", phone="0113 496 0000",
        email="sam.worker@example.org",
    )  # fmt: skip
    return PersonDocument(
        person_id="person-cara", version=1,
        names=[PersonName(forename="Cara", surname="Lindqvist")], aliases=["Kara Lindqvist"],
        date_of_birth="2013-06-02", gender="female", nhs_numbers=["9434765919"],
        addresses=[
            PersonAddress(address_key=HOME, lines=["7 Orchard Row", "Leeds"],
                          postcode="LS6 2AB", uprn="100023336956", last_seen=TODAY),
            PersonAddress(address_key="addr:old", lines=["2 Old Lane", "Leeds"],
                          postcode="LS7 1AA", last_seen=TODAY - timedelta(days=300)),
        ],
        postcodes=["LS6 2AB", "LS7 1AA"],
        agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.HEALTH], has_open_case=True,
        records=[
            _record("csc/C-9", AgencyKind.CHILDRENS_SOCIAL_CARE, "child_in_need", 20,
                    status=RecordStatus.OPEN, lead_professional=social_worker),
            _record("ed/E-4", AgencyKind.HEALTH, "emergency_attendance", 45),
        ],
        links=[RecordLink(record_key="ed/E-4", rule="nhs_number", score=0.99,
                          summary="Same NHS number; surname the same; born the same day.")],
        updated_at=datetime.now(UTC),
    )  # fmt: skip


def home_address() -> AddressDocument:
    """Cara's home: her mother lives there too; the police attended a call with no named person."""
    return AddressDocument(
        address_key=HOME, version=1, uprn="100023336956", lines=["7 Orchard Row", "Leeds"],
        postcode="LS6 2AB",
        residents=[
            AddressResident(person_id="person-cara", names=[PersonName(forename="Cara",
                            surname="Lindqvist")], date_of_birth="2013-06-02",
                            agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE], current=True),
            AddressResident(person_id="person-dana", names=[PersonName(forename="Dana",
                            surname="Lindqvist")], date_of_birth="1988",
                            agencies=[AgencyKind.ADULT_SOCIAL_CARE], has_open_case=True,
                            current=True),
            AddressResident(person_id="person-eli", names=[PersonName(forename="Eli",
                            surname="Moss")], date_of_birth="1979", current=False,
                            last_seen=TODAY - timedelta(days=200)),
        ],
        records=[_record("police/P-77", AgencyKind.POLICE, "concern_for_welfare", 10)],
        agencies=[AgencyKind.POLICE], updated_at=datetime.now(UTC),
    )  # fmt: skip


@dataclass
class WebClient:
    """The search-api's web pages, driven as a browser would, plus what the tests inspect."""

    api: Any  # the parent conftest's `SearchApi`
    tmp_path: Path

    @property
    def client(self) -> httpx.AsyncClient:
        return self.api.client  # type: ignore[no-any-return]

    @staticmethod
    def csrf_of(page: httpx.Response) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, "the page has a form with a CSRF token"
        return match.group(1)

    async def sign_in(self, username: str = "pat") -> str:
        """Sign in through the form; the CSRF token of the signed-in session."""
        form = await self.client.get("/sign-in")
        done = await self.client.post("/sign-in", data={
            "csrf_token": self.csrf_of(form), "username": username, "password": PASSWORD,
        })  # fmt: skip
        assert done.status_code == 303, done.text
        return self.csrf_of(await self.client.get("/reason"))

    async def give_reason(self, csrf: str, reference: str = "CIN-2024-0012") -> None:
        chosen = await self.client.post(
            "/reason", data={"csrf_token": csrf, "choice": "case", "case_reference": reference}
        )
        assert (chosen.status_code, chosen.headers["location"]) == (303, "/search")

    async def signed_in_with_reason(self) -> str:
        csrf = await self.sign_in()
        await self.give_reason(csrf)
        return csrf

    async def add_user(self, username: str, *roles: str) -> None:
        """An account with `roles`, in the accounts database the `api` fixture made."""
        async with self.accounts() as session:
            await ensure_user(session, username=username, password=PASSWORD, roles=list(roles))

    @contextlib.asynccontextmanager
    async def accounts(self) -> AsyncIterator[AsyncSession]:
        """A session on the accounts database the `api` fixture made (the search-api's own)."""
        engine = await open_database(f"sqlite+aiosqlite:///{self.tmp_path}/search-api.db")
        try:
            async with session_factory(engine)() as session:
                yield session
        finally:
            await engine.dispose()

    async def use_session(
        self, session: WebSession, *, last_active: int, secret: str = SECRET
    ) -> None:
        """Replace the browser's cookie with `session`, signed with `secret`, as if last used
        at `last_active` (for time-outs, and for roles the sign-in form cannot give); a signed-in
        session is recorded server-side, as signing in does."""
        if session.subject is not None:
            session = replace(session, sid=secrets.token_urlsafe(16))
            async with self.accounts() as db:
                await web_sessions.start(db, session.sid or "", subject=session.subject,
                                         now=datetime.now(UTC))  # fmt: skip
                await db.commit()
        response = Response()
        SessionCookies(secret, async_sessionmaker(), idle_s=1800, max_age_s=36000,
                       secure=False).save(response, session, now=last_active)  # fmt: skip
        match = re.search(f"{COOKIE}=([^;]+)", response.headers["set-cookie"])
        assert match
        self.client.cookies.clear()
        self.client.cookies.set(COOKIE, match.group(1))

    def audit(self, action: str) -> list[AuditEvent]:
        return [e for e in self.api.audit_events() if e.action == action]


@pytest.fixture
async def web(api: Any, tmp_path: Path) -> WebClient:
    await api.index.upsert_persons([cara()])
    await api.index.upsert_addresses([home_address()])
    return WebClient(api, tmp_path)
