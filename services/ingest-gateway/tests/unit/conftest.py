"""A gateway on a temporary SQLite database and the in-memory bus, reached through its real
FastAPI app, with two partners (each with a feed) registered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lateral_ingest_gateway.bootstrap import bootstrap, open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.service_layer.partners import ensure_feed, ensure_partner
from lateral_shared.contracts import RECORDS_RAW, AgencyKind
from lateral_shared.db import session_factory
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus

HEALTH_TOKEN = "health-token-0123456789abcdef"  # noqa: S105 (a test token)
POLICE_TOKEN = "police-token-0123456789abcdef"  # noqa: S105 (a test token)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    bus: InMemoryBus
    database_url: str
    health: dict[str, str]  # headers of the health trust, owner of feed "trust-ed"
    police: dict[str, str]  # headers of the police, owner of feed "police-cc"

    def published(self) -> list[bytes]:
        return self.bus.values(RECORDS_RAW)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _register(database_url: str) -> None:
    engine = await open_database(database_url)
    async with session_factory(engine)() as session:
        await ensure_partner(session, partner_id="trust", name="City Trust", token=HEALTH_TOKEN)
        await ensure_feed(
            session, feed_id="trust-ed", partner_id="trust", agency_kind=AgencyKind.HEALTH
        )
        await ensure_partner(session, partner_id="police", name="Police", token=POLICE_TOKEN)
        await ensure_feed(
            session, feed_id="police-cc", partner_id="police", agency_kind=AgencyKind.POLICE
        )
    await engine.dispose()


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    settings = GatewaySettings(
        database_url=database_url, max_request_bytes=64 * 1024, max_records=50
    )
    bus = InMemoryBus()
    service = await bootstrap(settings, bus=bus)
    await _register(database_url)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Gateway(client, bus, database_url, auth(HEALTH_TOKEN), auth(POLICE_TOKEN))
    for hook in service.on_stop:
        await hook()
