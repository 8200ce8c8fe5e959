"""Who is calling the partner API, and what they may do: the `PartnerAuth` dependency.

Interface used by the partner API routes (stable; the OAuth2 client-credentials work replaces the
implementation behind it):

    auth = PartnerAuth(sessions=..., settings=...)
    principal: PartnerPrincipal = Depends(auth.require(SCOPE_PUSH))

`require(scope)` answers 401 (with `WWW-Authenticate: Bearer`) for a missing, invalid or expired
token or a disabled partner, and 403 when the token lacks `scope`. Feed ownership (403 for another
partner's feed) is checked by the routes themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.service_layer.partners import authenticate

SCOPE_PUSH = "records:write"  # send records and files to your own feeds
SCOPE_READ = "batches:read"  # read your batches, quarantine and feed health
ALL_SCOPES = (SCOPE_PUSH, SCOPE_READ)


@dataclass(frozen=True)
class PartnerPrincipal:
    partner_id: str
    client_id: str
    scopes: frozenset[str]


def unauthorised(problem: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, problem, headers={"WWW-Authenticate": "Bearer"}
    )


class PartnerAuth:
    """Authenticates partner requests (today: a static bearer token per partner, all scopes)."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], settings: GatewaySettings
    ) -> None:
        self._sessions = sessions
        self._settings = settings

    def require(self, scope: str) -> Callable[[Request], Awaitable[PartnerPrincipal]]:
        async def dependency(request: Request) -> PartnerPrincipal:
            principal = await self._authenticate(request)
            if scope not in principal.scopes:
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
            raise unauthorised("Send your access token as 'Authorization: Bearer <token>'.")
        async with self._sessions() as session:
            partner = await authenticate(session, token=token.strip())
        if partner is None:
            raise unauthorised(
                "The token is not valid or the partner is disabled; ask the Lateral "
                "administrators for a new one."
            )
        return PartnerPrincipal(partner.partner_id, partner.partner_id, frozenset(ALL_SCOPES))
