"""The token endpoint, `POST /v1/oauth/token`: OAuth2 client credentials for partner systems.

authlib's framework-agnostic `AuthorizationServer` does the protocol (client authentication by
HTTP Basic or form fields, grant type, scope, RFC 6749 error bodies). It is synchronous, so the
route reads the form and loads the one client it names first, then runs the server in a worker
thread (the secret check is a deliberately slow scrypt). The token is a signed JWT that lives
`partner_token_ttl_s` seconds (at most 15 minutes): authlib's 10-day default never applies
because the gateway registers its own token generator. Nothing about a request is logged.
"""

from __future__ import annotations

import asyncio
import binascii
import functools
import math
import time
from collections.abc import Mapping
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, InvalidScopeError, OAuth2Error
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.domain.access_tokens import issue_access_token
from lateral_ingest_gateway.domain.credentials import (
    ALL_SCOPES,
    format_scopes,
    hash_secret,
    new_client_secret,
    verify_secret,
)
from lateral_ingest_gateway.domain.model import Partner
from lateral_ingest_gateway.domain.rate_limit import TokenRequestLimit

from .oauth_protocol import (
    MAX_FORM_BYTES,
    FormProblem,
    error_response,
    invalid_request,
    read_form,
)
from .partner_auth import gateway_token_key

__all__ = ["build_oauth_router"]

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class PartnerClient(ClientMixin):  # type: ignore[misc]
    """A registered partner, as authlib sees an OAuth2 client. Its repr names only the ID."""

    def __init__(self, partner: Partner, secret_hash: str) -> None:
        self.partner = partner
        self._secret_hash = secret_hash

    def __repr__(self) -> str:
        return f"PartnerClient({self.partner.client_id!r})"

    def get_client_id(self) -> str:
        return self.partner.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return verify_secret(client_secret, self._secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == GRANT_TYPE


class PartnerCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    """Client credentials with per-client scopes, and no logging of the issued token."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def validate_requested_scope(self) -> None:
        super().validate_requested_scope()  # every requested scope is one the gateway knows
        requested = set((self.request.payload.scope or "").split())
        if not requested <= self.request.client.partner.scopes:
            raise InvalidScopeError(
                "Ask only for scopes your client is registered for: "
                f"{format_scopes(self.request.client.partner.scopes)}."
            )

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        # authlib's own version logs the token at DEBUG level; this one does not.
        token = self.generate_token(scope=self.request.payload.scope, include_refresh_token=False)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class TokenServer(AuthorizationServer):  # type: ignore[misc]
    """An authorization server for one token request, knowing only the client it names."""

    def __init__(self, client: PartnerClient | None, settings: GatewaySettings) -> None:
        super().__init__(scopes_supported=list(ALL_SCOPES))
        self._client = client
        self._settings = settings
        self.register_grant(PartnerCredentialsGrant)
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id: str) -> PartnerClient | None:
        client = self._client
        if client is None or client.partner.disabled or client.get_client_id() != client_id:
            return None
        return client

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Nothing to save: the token is a self-contained signed JWT."""

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        """No signals: nothing listens."""

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(
        self, status_code: int, body: Mapping[str, Any], headers: list[tuple[str, str]]
    ) -> JSONResponse:
        return JSONResponse(dict(body), status_code, headers=dict(headers))

    def handle_error_response(self, request: OAuth2Request, error: OAuth2Error) -> JSONResponse:
        return error_response(error)

    def _generate(self, *, client: PartnerClient, scope: str | None, **_: object) -> dict[str, Any]:
        scopes = frozenset(scope.split()) if scope else client.partner.scopes
        ttl_s = self._settings.partner_token_ttl_s
        token = issue_access_token(
            gateway_token_key(self._settings), client_id=client.get_client_id(),
            partner_id=client.partner.partner_id, scopes=scopes,
            now=int(time.time()), ttl_s=ttl_s,
        )  # fmt: skip
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl_s,
                "scope": format_scopes(scopes)}  # fmt: skip


def build_oauth_router(
    *, sessions: async_sessionmaker[AsyncSession], settings: GatewaySettings
) -> APIRouter:
    """The token endpoint, bound to the gateway's partner registry."""
    router = APIRouter(prefix="/v1/oauth", tags=["partner authentication"])
    limit = TokenRequestLimit(per_minute=settings.token_requests_per_minute,
                              burst=settings.token_requests_burst)  # fmt: skip

    @router.post("/token", responses={400: {}, 401: {}, 413: {}, 429: {}})
    async def token(request: Request) -> JSONResponse:
        """Exchange a client ID and secret for an access token (`grant_type=client_credentials`,
        form-encoded; credentials by HTTP Basic or as `client_id` / `client_secret` fields)."""
        if settings.partner_jwks_url:
            return error_response(invalid_request(
                "This gateway accepts access tokens from the partnership's identity provider "
                "only; ask that provider for a token."))  # fmt: skip
        try:
            form = await read_form(request, limit=MAX_FORM_BYTES)
        except FormProblem as problem:
            return problem.response()
        client_id = _client_id(request, form)
        # Checked before the (deliberately slow) secret check, which a flood would keep busy.
        asker = client_id or f"address:{request.client.host if request.client else ''}"
        wait_s = limit.wait_s(asker, time.monotonic())
        if wait_s:
            return _too_many(wait_s)
        client = await _load_client(sessions, client_id) if client_id else None
        if client is None or client.partner.disabled:
            # As slow as checking a real secret, so timing does not tell which client IDs exist.
            await asyncio.to_thread(verify_secret, "", _decoy_hash())
        oauth_request = _oauth_request(request, form)
        server = TokenServer(client, settings)
        response: JSONResponse = await asyncio.to_thread(
            server.create_token_response, oauth_request
        )
        return response

    return router


def _too_many(wait_s: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait_s))
    body = {"error": "too_many_requests", "error_description": "Too many token requests for "
            f"this client; try again in {seconds} seconds, and reuse each token until it is "
            "about to expire."}  # fmt: skip
    return JSONResponse(body, 429, headers={"Retry-After": str(seconds)})


@functools.cache
def _decoy_hash() -> str:
    return hash_secret(new_client_secret())


def _client_id(request: Request, form: dict[str, str]) -> str | None:
    try:
        basic_id, _ = extract_basic_authorization(request.headers)
    except (ValueError, binascii.Error):  # e.g. credentials that are not UTF-8
        basic_id = None
    return basic_id or form.get("client_id") or None


async def _load_client(
    sessions: async_sessionmaker[AsyncSession], client_id: str
) -> PartnerClient | None:
    async with sessions() as session:
        found = await repository.get_client_credentials(session, client_id=client_id)
    return PartnerClient(*found) if found is not None else None


def _oauth_request(request: Request, form: dict[str, str]) -> OAuth2Request:
    # TLS ends in front of the service (the ingress), which speaks plain HTTP behind it; authlib's
    # https check is satisfied here instead of being switched off for the whole process.
    uri = str(request.url.replace(scheme="https"))
    oauth_request = _FormRequest(request.method, uri, headers=request.headers)
    oauth_request.payload = BasicOAuth2Payload(form)
    oauth_request.form_data = form
    return oauth_request


class _FormRequest(OAuth2Request):  # type: ignore[misc]
    """An OAuth2 request whose form was read (asynchronously) before authlib sees it."""

    form_data: dict[str, str]

    @property
    def form(self) -> dict[str, str]:
        return self.form_data

    @property
    def args(self) -> dict[str, str]:
        return {}
