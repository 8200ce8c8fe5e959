"""Who is calling the partner API, and what they may do: the `PartnerAuth` dependency.

Interface used by the partner API routes:

    auth = PartnerAuth(sessions=..., settings=...)
    principal: PartnerPrincipal = Depends(auth.require(SCOPE_PUSH))

`require(scope)` answers 401 (with `WWW-Authenticate: Bearer`) for a missing, malformed, forged or
expired token, an unknown or disabled partner, or a token issued before the partner's secret was
rotated; and 403 when the token lacks `scope`. Feed ownership (403 for another partner's feed) is
checked by the routes themselves.

The bearer token is a JWT from the gateway's own token endpoint (`POST /v1/oauth/token`), or, when
LATERAL_PARTNER_JWKS_URL is set, from the partnership's identity provider instead, checked against
its key set; its client ID claim must name a registered, enabled partner. A token's scopes count
only as far as the partner's registered scopes allow.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from joserfc.jwk import KeySet, OctKey
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters.jwks import JwksCache, KeySetUnavailable
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.domain.access_tokens import (
    InvalidAccessToken,
    TokenClaims,
    UnknownSigningKey,
    signing_key,
    verify_access_token,
    verify_external_token,
)
from lateral_ingest_gateway.domain.credentials import ALL_SCOPES, SCOPE_PUSH, SCOPE_READ
from lateral_ingest_gateway.domain.model import Partner
from lateral_ingest_gateway.service_layer.partners import enabled_client

__all__ = [
    "ALL_SCOPES",
    "SCOPE_PUSH",
    "SCOPE_READ",
    "PartnerAuth",
    "PartnerPrincipal",
    "gateway_token_key",
]

REFUSED = Counter(
    "lateral_partner_auth_refused_total",
    "Partner API requests refused by authentication, by reason.",
    ["reason"],
)


@dataclass(frozen=True)
class PartnerPrincipal:
    partner_id: str
    client_id: str
    scopes: frozenset[str]


def gateway_token_key(settings: GatewaySettings) -> OctKey:
    """The key that signs and checks the gateway's own partner access tokens."""
    secret = settings.partner_token_key or settings.secret_key
    return signing_key(secret.get_secret_value())


def unauthorised(problem: str, reason: str) -> HTTPException:
    REFUSED.labels(reason).inc()
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, problem, headers={"WWW-Authenticate": "Bearer"}
    )


class PartnerAuth:
    """Authenticates partner requests by their OAuth2 bearer access token."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], settings: GatewaySettings
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._key = gateway_token_key(settings)
        self._jwks = (
            JwksCache(settings.partner_jwks_url, max_age_s=settings.partner_jwks_cache_s)
            if settings.partner_jwks_url
            else None
        )

    def require(self, scope: str) -> Callable[[Request], Awaitable[PartnerPrincipal]]:
        async def dependency(request: Request) -> PartnerPrincipal:
            principal = await self._authenticate(request)
            if scope not in principal.scopes:
                REFUSED.labels("scope").inc()
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    f"Your token does not allow this (it needs the scope '{scope}'); "
                    "ask for a token with that scope.",
                )
            return principal

        return dependency

    async def _authenticate(self, request: Request) -> PartnerPrincipal:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.casefold() != "bearer" or not token.strip():
            raise unauthorised(
                "Send an access token as 'Authorization: Bearer <token>'; get one from the "
                "token endpoint with your client ID and secret.",
                "missing",
            )
        try:
            claims = await self._verify(token.strip())
        except InvalidAccessToken:
            raise unauthorised(
                "The access token is not valid or has expired; get a new one.", "invalid"
            ) from None
        async with self._sessions() as session:
            partner = await enabled_client(session, client_id=claims.client_id)
        if partner is None or not _still_valid(claims, partner):
            raise unauthorised(
                "The access token's client is not registered, is disabled, or has a new "
                "secret; get a new token, or ask the Lateral administrators.",
                "client",
            )
        scopes = claims.scopes & partner.scopes
        return PartnerPrincipal(partner.partner_id, claims.client_id, scopes)

    async def _verify(self, token: str) -> TokenClaims:
        now = int(time.time())
        if self._jwks is None:
            return verify_access_token(token, self._key, now=now)
        try:
            try:
                return self._verify_external(token, await self._jwks.get(), now)
            except UnknownSigningKey:
                # The provider may have rotated its keys since we fetched them: look once more.
                return self._verify_external(token, await self._jwks.get(refresh=True), now)
        except KeySetUnavailable:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "Access tokens cannot be checked just now (the identity provider's keys are "
                "unavailable); try again shortly.",
                headers={"Retry-After": "30"},
            ) from None

    def _verify_external(self, token: str, key_set: KeySet, now: int) -> TokenClaims:
        settings = self._settings
        return verify_external_token(
            token,
            key_set,
            issuer=settings.partner_token_issuer or "",
            audience=settings.partner_token_audience or "",
            client_id_claim=settings.partner_client_id_claim,
            scope_claim=settings.partner_scope_claim,
            now=now,
        )


def _still_valid(claims: TokenClaims, partner: Partner) -> bool:
    """A token names the partner it was issued to, and predates no secret rotation."""
    if claims.partner_id is not None and claims.partner_id != partner.partner_id:
        return False
    rotated = partner.secret_rotated_at
    if claims.partner_id is not None and rotated is not None:
        # iat has whole seconds: a token from the rotation's own second is given the benefit.
        return claims.issued_at is not None and claims.issued_at >= int(rotated.timestamp())
    return True
