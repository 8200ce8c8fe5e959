"""Tokens from an external identity provider, checked against its JWKS served on 127.0.0.1.

The provider is played by a tiny HTTP server publishing the public half of RS256 keys generated
here; the gateway runs on a temporary SQLite file and the in-memory bus.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from lateral_ingest_gateway.adapters.jwks import MIN_REFRESH_S, JwksCache, KeySetUnavailable
from lateral_ingest_gateway.bootstrap import bootstrap, open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.service_layer import partners
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import session_factory
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus

ISSUER = "https://idp.example/tenant-1/v2.0"
AUDIENCE = "api://lateral-partner-api"
APP_ID = "7d1c1f5e-0000-4000-8000-000000000001"  # the partner's app registration at the provider


@dataclass
class Provider:
    """The identity provider's published key set, and how often it was fetched."""

    keys: list[RSAKey]
    fetches: int = 0
    broken: bool = False
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def jwks(self) -> bytes:
        with self._lock:
            self.fetches += 1
        return json.dumps({"keys": [key.as_dict(private=False) for key in self.keys]}).encode()

    def token(self, key: RSAKey | None = None, **claims: Any) -> str:
        key = key or self.keys[0]
        now = int(time.time())
        base = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "azp": APP_ID,
            "roles": ["records:write", "batches:read"],
            "iat": now,
            "exp": now + 600,
        }
        return jwt.encode({"alg": "RS256", "kid": key.kid}, {**base, **claims}, key)


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider(keys=[rsa_key("key-1")])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if state.broken:
                self.send_error(500)
                return
            body = state.jwks()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/discovery/v2.0/keys"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
async def client(tmp_path: Path, provider: Provider) -> AsyncIterator[httpx.AsyncClient]:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    settings = GatewaySettings(
        database_url=database_url,
        partner_jwks_url=provider.url,
        partner_token_issuer=ISSUER,
        partner_token_audience=AUDIENCE,
        partner_client_id_claim="azp",
        partner_scope_claim="roles",
    )
    service = await bootstrap(settings, bus=InMemoryBus())
    engine = await open_database(database_url)
    async with session_factory(engine)() as session:
        await partners.ensure_partner(
            session, partner_id="trust", name="City Trust", client_id=APP_ID, client_secret="x" * 32
        )
        await partners.ensure_feed(
            session, feed_id="trust-ed", partner_id="trust", agency_kind=AgencyKind.HEALTH
        )
    await engine.dispose()
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http
    for hook in service.on_stop:
        await hook()


async def read_batch(client: httpx.AsyncClient, token: str) -> int:
    """Reading a batch nobody has: 404 once authentication and scope have passed."""
    headers = {"Authorization": f"Bearer {token}"}
    return (await client.get(f"/v1/batches/{uuid.uuid4()}", headers=headers)).status_code


async def test_the_providers_tokens_are_accepted_and_its_key_set_is_cached(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    for _ in range(3):
        assert await read_batch(client, provider.token()) == 404
    assert provider.fetches == 1


async def test_tokens_the_provider_did_not_issue_for_us_are_refused(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    now = int(time.time())
    refused = [
        provider.token(aud="api://some-other-api"),
        provider.token(iss="https://idp.example/another-tenant/v2.0"),
        provider.token(iat=now - 1200, exp=now - 600),
        provider.token(azp="an-app-lateral-does-not-know"),
        provider.token(key=rsa_key("key-1")),  # right key ID, wrong key: a forgery
    ]
    for token in refused:
        assert await read_batch(client, token) == 401


async def test_the_gateways_own_token_endpoint_is_off(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(APP_ID, "x" * 32)
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "identity provider" in response.json()["error_description"]


async def test_scopes_come_from_the_providers_claim_and_the_partners_own_feeds(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    reader = provider.token(roles=["batches:read"])
    record = {"source_record_id": "ED-1", "agency_kind": "health"}
    pushed = await client.post(
        "/v1/feeds/trust-ed/records",
        json={"records": [record]},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert pushed.status_code == 403
    assert await read_batch(client, provider.token(roles=["records:write"])) == 403


async def test_a_disabled_partner_is_refused_even_with_a_valid_provider_token(
    client: httpx.AsyncClient, provider: Provider, tmp_path: Path
) -> None:
    engine = await open_database(f"sqlite+aiosqlite:///{tmp_path}/gateway.db")
    async with session_factory(engine)() as session:
        await partners.disable_partner(session, partner_id="trust")
    await engine.dispose()
    assert await read_batch(client, provider.token()) == 401


async def test_an_unreachable_provider_is_503_not_a_silent_pass(
    client: httpx.AsyncClient, provider: Provider
) -> None:
    provider.broken = True
    response = await client.get(
        f"/v1/batches/{uuid.uuid4()}", headers={"Authorization": f"Bearer {provider.token()}"}
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_cache_refreshes_when_stale_or_for_a_new_key_but_not_on_every_request(
    provider: Provider,
) -> None:
    clock = Clock()
    cache = JwksCache(provider.url, max_age_s=300, clock=clock)
    first = await cache.get()
    assert [key.kid for key in first] == ["key-1"]
    provider.keys = [rsa_key("key-2")]  # the provider rotates its keys
    assert await cache.get(refresh=True) is first  # asked again at once: no refetch
    assert provider.fetches == 1
    clock.now += MIN_REFRESH_S
    assert [key.kid for key in await cache.get(refresh=True)] == ["key-2"]
    clock.now += 300
    await cache.get()
    assert provider.fetches == 3
    provider.broken = True
    clock.now += 300
    with pytest.raises(KeySetUnavailable):
        await cache.get()
