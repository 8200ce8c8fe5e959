"""OAuth2 client credentials through the real app: the token endpoint and who may do what.

The gateway runs on a temporary SQLite file and the in-memory bus; partners are registered with
the service layer, exactly as the demo launcher does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from lateral_ingest_gateway.bootstrap import bootstrap, open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.domain.access_tokens import issue_access_token, signing_key
from lateral_ingest_gateway.service_layer import partners
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import session_factory
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus

SECRET_KEY = "gateway-test-secret-key-0123456789-abcdefghijkl"  # noqa: S105 (a test key)
TRUST_SECRET = "trust-client-secret-0123456789abcdef"  # noqa: S105 (a test secret)
POLICE_SECRET = "police-client-secret-0123456789abcdef"  # noqa: S105 (a test secret)
READER_SECRET = "reader-client-secret-0123456789abcdef"  # noqa: S105 (a test secret)
TOKEN_URL = "/v1/oauth/token"  # noqa: S105 (a URL, not a secret)
CLIENT_CREDENTIALS = {"grant_type": "client_credentials"}


@dataclass
class Gateway:
    client: httpx.AsyncClient
    database_url: str

    async def token(self, client_id: str, secret: str, scope: str | None = None) -> str:
        form = {**CLIENT_CREDENTIALS, **({"scope": scope} if scope else {})}
        response = await self.client.post(TOKEN_URL, data=form, auth=(client_id, secret))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def run(self, action: Any, **kwargs: Any) -> Any:
        engine = await open_database(self.database_url)
        try:
            async with session_factory(engine)() as session:
                return await action(session, **kwargs)
        finally:
            await engine.dispose()


async def register(database_url: str) -> None:
    engine = await open_database(database_url)
    async with session_factory(engine)() as session:
        await partners.ensure_partner(
            session, partner_id="trust", name="City Trust", client_secret=TRUST_SECRET
        )
        await partners.ensure_feed(
            session, feed_id="trust-ed", partner_id="trust", agency_kind=AgencyKind.HEALTH
        )
        await partners.ensure_partner(
            session,
            partner_id="police",
            name="Police",
            client_id="police-app",
            client_secret=POLICE_SECRET,
        )
        await partners.ensure_feed(
            session, feed_id="police-cc", partner_id="police", agency_kind=AgencyKind.POLICE
        )
        await partners.ensure_partner(
            session,
            partner_id="reader",
            name="Reader",
            client_secret=READER_SECRET,
            scopes=["batches:read"],
        )
    await engine.dispose()


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    """Partners: trust (feed trust-ed), police (client police-app, feed police-cc), and reader
    (registered for batches:read only)."""
    database_url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    settings = GatewaySettings(database_url=database_url, secret_key=SECRET_KEY)
    service = await bootstrap(settings, bus=InMemoryBus())
    await register(database_url)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Gateway(client, database_url)
    for hook in service.on_stop:
        await hook()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def health_record(source_id: str) -> dict[str, Any]:
    return {
        "source_record_id": source_id,
        "agency_kind": "health",
        "event_type": "emergency_attendance",
        "event_date": "2025-03-01",
        "status": "closed",
        "person": {
            "forename": "Olivia",
            "surname": "Example",
            "date_of_birth": "2014-05",
            "nhs_number": "9434765919",
        },
        "address": {"lines": ["12 High Street"], "postcode": "LS6 2AB"},
    }


async def read_batch(gateway: Gateway, token: str) -> int:
    """Reading a batch nobody has: 404 once authentication and scope have passed."""
    response = await gateway.client.get(f"/v1/batches/{uuid.uuid4()}", headers=bearer(token))
    return response.status_code


async def test_a_partner_gets_a_short_lived_signed_token_and_pushes_with_it(
    gateway: Gateway,
) -> None:
    response = await gateway.client.post(
        TOKEN_URL, data=CLIENT_CREDENTIALS, auth=("trust", TRUST_SECRET)
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 600)
    assert body["scope"] == "records:write batches:read"
    assert "refresh_token" not in body and TRUST_SECRET not in response.text
    claims = claims_of(body["access_token"])
    assert (claims["sub"], claims["partner_id"], claims["aud"]) == (
        "trust",
        "trust",
        "lateral-partner-api",
    )
    assert claims["exp"] - claims["iat"] == 600
    assert abs(claims["iat"] - time.time()) < 60
    pushed = await gateway.client.post(
        "/v1/feeds/trust-ed/records",
        headers=bearer(body["access_token"]),
        json={"records": [health_record("ED-1")]},
    )
    assert pushed.status_code == 202, pushed.text
    batch = await gateway.client.get(
        f"/v1/batches/{pushed.json()['batch_id']}", headers=bearer(body["access_token"])
    )
    assert batch.status_code == 200


async def test_credentials_may_come_as_form_fields_and_the_lifetime_is_a_setting(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/gateway.db"
    settings = GatewaySettings(
        database_url=database_url, secret_key=SECRET_KEY, partner_token_ttl_s=120
    )
    service = await bootstrap(settings, bus=InMemoryBus())
    await register(database_url)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        form = {
            **CLIENT_CREDENTIALS,
            "client_id": "trust",
            "client_secret": TRUST_SECRET,
            "scope": "batches:read",
        }
        response = await client.post(TOKEN_URL, data=form)
    for hook in service.on_stop:
        await hook()
    assert response.status_code == 200, response.text
    assert (response.json()["expires_in"], response.json()["scope"]) == (120, "batches:read")
    claims = claims_of(response.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 120


def test_a_token_lifetime_over_15_minutes_is_refused() -> None:
    with pytest.raises(ValueError, match="partner_token_ttl_s"):
        GatewaySettings(partner_token_ttl_s=901)


@pytest.mark.parametrize(
    ("form", "auth", "status", "error"),
    [
        (CLIENT_CREDENTIALS, ("trust", "wrong-secret-0123456789abcdef"), 401, "invalid_client"),
        (CLIENT_CREDENTIALS, ("nobody", TRUST_SECRET), 401, "invalid_client"),
        (
            {**CLIENT_CREDENTIALS, "client_id": "trust", "client_secret": "wrong"},
            None,
            401,
            "invalid_client",
        ),
        ({**CLIENT_CREDENTIALS, "client_id": "trust"}, None, 401, "invalid_client"),
        (CLIENT_CREDENTIALS, None, 401, "invalid_client"),
        (
            {"grant_type": "password", "username": "u", "password": "p"},
            ("trust", TRUST_SECRET),
            400,
            "unsupported_grant_type",
        ),
        (
            {**CLIENT_CREDENTIALS, "scope": "records:delete"},
            ("trust", TRUST_SECRET),
            400,
            "invalid_scope",
        ),
        (
            {**CLIENT_CREDENTIALS, "scope": "records:write"},
            ("reader", READER_SECRET),
            400,
            "invalid_scope",
        ),
    ],
)
async def test_token_request_errors_follow_rfc_6749(
    gateway: Gateway,
    form: dict[str, str],
    auth: tuple[str, str] | None,
    status: int,
    error: str,
) -> None:
    response = await gateway.client.post(TOKEN_URL, data=form, auth=auth)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert "access_token" not in response.json()
    assert response.json()["error_description"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")
    for secret in (TRUST_SECRET, READER_SECRET, "wrong-secret", "password"):
        assert secret not in response.text


async def test_a_token_request_that_is_not_a_small_form_is_refused(gateway: Gateway) -> None:
    as_json = await gateway.client.post(
        TOKEN_URL, json=CLIENT_CREDENTIALS, auth=("trust", TRUST_SECRET)
    )
    assert (as_json.status_code, as_json.json()["error"]) == (400, "invalid_request")
    repeated = await gateway.client.post(
        TOKEN_URL,
        content=b"grant_type=client_credentials&grant_type=client_credentials",
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=("trust", TRUST_SECRET),
    )
    assert (repeated.status_code, repeated.json()["error"]) == (400, "invalid_request")
    huge = await gateway.client.post(
        TOKEN_URL, data={**CLIENT_CREDENTIALS, "pad": "x" * 10_000}, auth=("trust", TRUST_SECRET)
    )
    assert huge.status_code == 413


async def test_no_malformed_expired_or_forged_token_gets_in(gateway: Gateway) -> None:
    now = int(time.time())
    key = signing_key(SECRET_KEY)
    expired = issue_access_token(
        key,
        client_id="trust",
        partner_id="trust",
        scopes={"batches:read"},
        now=now - 700,
        ttl_s=600,
    )
    forged = issue_access_token(
        signing_key("not-the-gateway-key-0123456789-abcdefgh"),
        client_id="trust",
        partner_id="trust",
        scopes={"batches:read"},
        now=now,
        ttl_s=600,
    )
    assert (await gateway.client.get(f"/v1/batches/{uuid.uuid4()}")).status_code == 401
    for token in ["not-a-token", "a.b.c", expired, forged, TRUST_SECRET]:
        response = await gateway.client.get(f"/v1/batches/{uuid.uuid4()}", headers=bearer(token))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert token not in response.text


async def test_a_disabled_partner_gets_no_token_and_its_tokens_stop_working(
    gateway: Gateway,
) -> None:
    token = await gateway.token("trust", TRUST_SECRET)
    assert await read_batch(gateway, token) == 404
    assert await gateway.run(partners.disable_partner, partner_id="trust")
    assert await read_batch(gateway, token) == 401
    refused = await gateway.client.post(
        TOKEN_URL, data=CLIENT_CREDENTIALS, auth=("trust", TRUST_SECRET)
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


async def test_a_rotated_secret_replaces_the_old_one_and_older_tokens(gateway: Gateway) -> None:
    old_token = await gateway.token("trust", TRUST_SECRET)
    assert await read_batch(gateway, old_token) == 404
    # Tokens carry whole seconds: rotate in a later second than the old token was issued in.
    await asyncio.sleep(1.05 - time.time() % 1)
    _, new_secret = await gateway.run(partners.rotate_secret, partner_id="trust")
    refused = await gateway.client.post(
        TOKEN_URL, data=CLIENT_CREDENTIALS, auth=("trust", TRUST_SECRET)
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert await read_batch(gateway, old_token) == 401
    assert await read_batch(gateway, await gateway.token("trust", new_secret)) == 404


async def test_a_partner_may_push_only_to_its_own_feeds(gateway: Gateway) -> None:
    police = await gateway.token("police-app", POLICE_SECRET)
    response = await gateway.client.post(
        "/v1/feeds/trust-ed/records",
        headers=bearer(police),
        json={"records": [health_record("ED-1")]},
    )
    assert response.status_code == 403


async def test_scopes_separate_pushing_from_reading(gateway: Gateway) -> None:
    reader = await gateway.token("trust", TRUST_SECRET, scope="batches:read")
    pushed = await gateway.client.post(
        "/v1/feeds/trust-ed/records",
        headers=bearer(reader),
        json={"records": [health_record("ED-1")]},
    )
    assert pushed.status_code == 403
    assert "records:write" in pushed.json()["detail"]
    assert await read_batch(gateway, reader) == 404
    pusher = await gateway.token("trust", TRUST_SECRET, scope="records:write")
    assert await read_batch(gateway, pusher) == 403
    # A partner registered for reading only never gets a pushing token, whatever it asks for.
    only_reader = await gateway.token("reader", READER_SECRET)
    assert claims_of(only_reader)["scope"] == "batches:read"


async def test_neither_secrets_nor_tokens_reach_the_logs(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # authlib's own debug lines included
    token = await gateway.token("trust", TRUST_SECRET)
    assert await read_batch(gateway, token) == 404
    await gateway.client.post(TOKEN_URL, data=CLIENT_CREDENTIALS, auth=("trust", "a-wrong-one"))
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    for secret in (TRUST_SECRET, token, token.split(".")[2], "a-wrong-one"):
        assert secret not in logged
