"""Staff identity shared by the services that serve people: signed bearer tokens with roles.

The search-api signs a short-lived JWT (HS256, joserfc) when a user signs in; every service that
serves staff verifies it with the same `LATERAL_SECRET_KEY`. The OIDC sign-in and partner OAuth2
client credentials build on this in later work.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Depends, HTTPException, Request, status
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

ISSUER = "lateral"
AUDIENCE = "lateral-staff"


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    DUTY_MANAGER = "duty_manager"
    IG_OFFICER = "ig_officer"
    ADMIN = "admin"
    DATA_STEWARD = "data_steward"  # decides doubtful links in the matcher's review queue


@dataclass(frozen=True)
class Principal:
    """A signed-in member of staff."""

    subject: str
    roles: frozenset[str]


# Tokens already verified, with their expiry: a signed-in user sends the same token with every
# request for its lifetime, and checking its signature and claims again each time cost more
# than the rest of a search's HTTP handling. A token is only ever cached once verified, and used
# from the cache only until it expires (as `exp` is checked: valid while now < exp).
_VERIFIED_MAX = 4096
_verified: dict[tuple[str, str], tuple[Principal, int]] = {}


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode())


def issue_token(secret: str, *, subject: str, roles: list[str], ttl_s: int = 900) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "roles": roles,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode({"alg": "HS256"}, claims, _key(secret))


def verify_token(secret: str, token: str) -> Principal:
    """The principal a token names; raises `ValueError` if it is invalid or expired."""
    cached = _verified.get((secret, token))
    if cached is not None:
        principal, expires = cached
        if int(time.time()) < expires:
            return principal
        del _verified[(secret, token)]
    principal, expires = _verify(secret, token)
    if len(_verified) >= _VERIFIED_MAX:
        del _verified[next(iter(_verified))]  # the oldest
    _verified[(secret, token)] = (principal, expires)
    return principal


def _verify(secret: str, token: str) -> tuple[Principal, int]:
    """The principal a token names and when it expires, checked in full."""
    try:
        decoded = jwt.decode(token, _key(secret), algorithms=["HS256"])
        JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": AUDIENCE},
            sub={"essential": True},
            exp={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise ValueError(f"invalid token ({type(exc).__name__})") from None
    roles = decoded.claims.get("roles") or []
    principal = Principal(subject=str(decoded.claims["sub"]), roles=frozenset(map(str, roles)))
    return principal, int(decoded.claims["exp"])


def staff_auth(secret: str) -> Callable[..., Awaitable[Principal]]:
    """A FastAPI dependency: the bearer token's principal, or 401."""

    async def authenticate(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "sign in: a bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            return verify_token(secret, token)
        except ValueError:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "the token is invalid or has expired: sign in again",
                headers={"WWW-Authenticate": "Bearer"},
            ) from None

    return authenticate


def require_roles(
    authenticate: Callable[..., Awaitable[Principal]], *roles: Role
) -> Callable[..., Awaitable[Principal]]:
    """A dependency that also checks the principal holds one of `roles` (403 otherwise)."""
    allowed = {r.value for r in roles}

    # A default, not `Annotated[..., Depends(authenticate)]`: with postponed annotations FastAPI
    # resolves annotation strings in module globals, where the local `authenticate` is not.
    async def check(principal: Principal = Depends(authenticate)) -> Principal:  # noqa: B008
        if not principal.roles & allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs one of the roles: {', '.join(sorted(allowed))}",
            )
        return principal

    return check
