"""Signing in with the council's identity provider: a real OIDC provider on 127.0.0.1 (discovery,
authorization, token endpoint and JWKS, RS256 ID tokens), driven through the web front end."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from lateral_search_api.bootstrap import bootstrap
from lateral_search_api.config import SearchApiSettings
from lateral_shared.runtime import create_app
from lateral_shared.testing.engines import free_port
from lateral_shared.testing.fakes import InMemoryBus, InMemoryIndex

CLIENT_ID, CLIENT_SECRET = "lateral-web", "oidc-test-client-secret"
SECRET = "oidc-unit-test-secret-not-for-production-0123456789"  # noqa: S105 (test-only)


@dataclass
class CouncilIdentityProvider:
    """A minimal OIDC provider: whoever `user` is signs in at once with these claims."""

    issuer: str
    user: dict[str, Any] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    signing_key: RSAKey | None = None  # set to sign with a key the JWKS does not publish
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
        ])  # fmt: skip

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })  # fmt: skip

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": params.get("nonce"), "redirect_uri": params["redirect_uri"]}
        query = urlencode({"code": code, "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        auth = httpx.BasicAuth(CLIENT_ID, CLIENT_SECRET)._auth_header
        sent_secret = form.get("client_secret") == CLIENT_SECRET
        if request.headers.get("authorization") != auth and not sent_secret:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **self.user}  # fmt: skip
        signer = self.signing_key or self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, signer)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token})  # fmt: skip

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))


@pytest.fixture(scope="module")
def provider() -> Iterator[CouncilIdentityProvider]:
    """The provider served by uvicorn on a free loopback port, stopped after the module."""
    port = free_port()
    idp = CouncilIdentityProvider(issuer=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(idp.app(), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield idp
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
async def lateral(
    provider: CouncilIdentityProvider, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    provider.signing_key = None
    settings = SearchApiSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/search-api.db", secret_key=SECRET,
        environment="test", oidc_issuer_url=provider.issuer, oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET, oidc_roles_claim="roles", web_local_accounts=False,
    )  # type: ignore[arg-type]  # fmt: skip
    service = await bootstrap(settings, bus=InMemoryBus(), index=InMemoryIndex())
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    for hook in service.on_stop:
        await hook()


async def through_provider(client: httpx.AsyncClient) -> httpx.Response:
    """Start sign-in, let the provider answer, and come back to Lateral's callback."""
    start = await client.get("/sign-in/oidc")
    assert start.status_code == 302
    assert "samesite=lax" in start.headers["set-cookie"].lower()
    async with httpx.AsyncClient() as browser_hop:
        at_provider = await browser_hop.get(start.headers["location"])
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/sign-in/oidc/callback"
    return await client.get(f"{back.path}?{back.query}")


async def test_a_council_user_with_a_role_signs_in(
    lateral: httpx.AsyncClient, provider: CouncilIdentityProvider
) -> None:
    provider.user = {"sub": "e1f2", "preferred_username": "pat@council.example",
                     "roles": ["practitioner", "Staff.Read"]}  # fmt: skip
    sign_in = await lateral.get("/sign-in")
    assert 'href="/sign-in/oidc"' in sign_in.text
    assert 'name="password"' not in sign_in.text  # local accounts are turned off
    done = await through_provider(lateral)
    assert done.status_code == 200
    assert '<meta http-equiv="refresh" content="0;url=/">' in done.text
    reason = await lateral.get("/reason")
    assert reason.status_code == 200
    assert "Signed in as pat@council.example" in reason.text


async def test_a_council_user_without_a_lateral_role_is_not_signed_in(
    lateral: httpx.AsyncClient, provider: CouncilIdentityProvider
) -> None:
    provider.user = {"sub": "e1f3", "preferred_username": "visitor@council.example",
                     "roles": ["Staff.Read"]}  # fmt: skip
    done = await through_provider(lateral)
    assert done.status_code == 403
    assert "no Lateral role" in done.text
    assert (await lateral.get("/search")).headers["location"] == "/sign-in"


async def test_an_id_token_not_signed_by_the_provider_is_refused(
    lateral: httpx.AsyncClient, provider: CouncilIdentityProvider
) -> None:
    provider.user = {"sub": "e1f4", "preferred_username": "mallory@council.example",
                     "roles": ["admin"]}  # fmt: skip
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    done = await through_provider(lateral)
    assert done.status_code == 401
    assert (await lateral.get("/search")).headers["location"] == "/sign-in"


async def test_a_callback_without_its_sign_in_state_is_refused(
    lateral: httpx.AsyncClient, provider: CouncilIdentityProvider
) -> None:
    provider.user = {"sub": "e1f5", "preferred_username": "pat@council.example",
                     "roles": ["practitioner"]}  # fmt: skip
    start = await lateral.get("/sign-in/oidc")
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    lateral.cookies.clear()  # another browser: it never started this sign-in
    forged = await lateral.get(f"/sign-in/oidc/callback?code=anything&state={state}")
    assert forged.status_code == 401
    assert (await lateral.get("/search")).headers["location"] == "/sign-in"


async def test_a_link_followed_before_signing_in_is_reached_after(
    lateral: httpx.AsyncClient, provider: CouncilIdentityProvider
) -> None:
    provider.user = {"sub": "e1f6", "preferred_username": "dm@council.example",
                     "roles": ["duty_manager"]}  # fmt: skip
    assert (await lateral.get("/people/person-7")).headers["location"] == "/sign-in"
    assert (await through_provider(lateral)).status_code == 200
    assert (await lateral.get("/")).headers["location"] == "/reason"
    reason_page = await lateral.get("/reason")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', reason_page.text)
    assert csrf
    chosen = await lateral.post(
        "/reason", data={"csrf_token": csrf.group(1), "choice": "purpose:0"}
    )
    assert chosen.headers["location"] == "/people/person-7"
