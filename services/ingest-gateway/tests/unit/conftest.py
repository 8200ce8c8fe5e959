"""A gateway on a temporary SQLite database and the in-memory bus, reached through its real
FastAPI app, with two partners (each with a feed) registered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from lateral_ingest_gateway.bootstrap import bootstrap, open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.service_layer.partners import ensure_feed, ensure_partner
from lateral_shared.contracts import RECORDS_RAW, AgencyKind
from lateral_shared.db import session_factory
from lateral_shared.runtime import Service, create_app
from lateral_shared.testing.fakes import InMemoryBus

HEALTH_SECRET = "health-client-secret-0123456789abcdef"  # noqa: S105 (a test secret)
POLICE_SECRET = "police-client-secret-0123456789abcdef"  # noqa: S105 (a test secret)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    bus: InMemoryBus
    database_url: str
    health: dict[str, str]  # headers of the health trust, owner of feed "trust-ed"
    police: dict[str, str]  # headers of the police, owner of feed "police-cc"
    service: Service
    settings: GatewaySettings

    def published(self) -> list[bytes]:
        return self.bus.values(RECORDS_RAW)


async def auth(client: httpx.AsyncClient, client_id: str, secret: str) -> dict[str, str]:
    """Bearer headers with an access token from the gateway's token endpoint."""
    response = await client.post(
        "/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _register(database_url: str) -> None:
    engine = await open_database(database_url)
    async with session_factory(engine)() as session:
        await ensure_partner(
            session, partner_id="trust", name="City Trust", client_secret=HEALTH_SECRET
        )
        await ensure_feed(
            session, feed_id="trust-ed", partner_id="trust", agency_kind=AgencyKind.HEALTH
        )
        await ensure_partner(
            session, partner_id="police", name="Police", client_secret=POLICE_SECRET
        )
        await ensure_feed(
            session, feed_id="police-cc", partner_id="police", agency_kind=AgencyKind.POLICE
        )
    await engine.dispose()


@pytest.fixture
def gateway_settings() -> dict[str, Any]:
    """More settings for the `gateway` fixture: a test module overrides this to change them."""
    return {}


@pytest.fixture
async def gateway(tmp_path: Path, gateway_settings: dict[str, Any]) -> AsyncIterator[Gateway]:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    settings = GatewaySettings(
        **{"database_url": database_url, "max_request_bytes": 64 * 1024, "max_records": 50,
           **gateway_settings}
    )  # fmt: skip
    bus = InMemoryBus()
    service = await bootstrap(settings, bus=bus)
    await _register(database_url)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        health = await auth(client, "trust", HEALTH_SECRET)
        police = await auth(client, "police", POLICE_SECRET)
        yield Gateway(client, bus, database_url, health, police, service, settings)
    for hook in service.on_stop:
        await hook()
