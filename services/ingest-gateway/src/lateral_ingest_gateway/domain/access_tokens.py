"""Partner access tokens: the short-lived JWTs the gateway issues, and checking any bearer JWT.

The gateway signs its own tokens with HS256 under a key of their own (derived from
LATERAL_SECRET_KEY unless one is given), so a staff token can never pass as a partner token.
Tokens from an external identity provider are checked against its key set, with asymmetric
algorithms only. Times are passed in (`now`, seconds since the epoch) so the rules are testable.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, OctKey
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from .credentials import format_scopes

ISSUER = "lateral-ingest-gateway"
AUDIENCE = "lateral-partner-api"
OWN_ALGORITHMS = ["HS256"]
# Never HMAC for external tokens: a public key must not double as a shared secret.
EXTERNAL_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
EXTERNAL_LEEWAY_S = 30  # clock skew between the identity provider and the gateway
_KEY_PURPOSE = b"lateral partner access tokens v1"


class InvalidAccessToken(Exception):
    """A bearer token that must not be accepted. The message never carries the token."""


class UnknownSigningKey(InvalidAccessToken):
    """Signed with a key ID the key set lacks: the identity provider may have rotated its keys."""


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says about its holder."""

    client_id: str
    partner_id: str | None  # set in the gateway's own tokens; external ones name only the client
    scopes: frozenset[str]
    issued_at: int | None


def signing_key(secret: str) -> OctKey:
    """The HS256 key for partner tokens, derived from `secret` for this purpose only."""
    derived = hmac.new(secret.encode(), _KEY_PURPOSE, hashlib.sha256).digest()
    return OctKey.import_key(derived)


def issue_access_token(
    key: OctKey, *, client_id: str, partner_id: str, scopes: Collection[str], now: int, ttl_s: int
) -> str:
    """A signed JWT for the partner's client, valid for `ttl_s` seconds from `now`."""
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": client_id,
        "client_id": client_id,
        "partner_id": partner_id,
        "scope": format_scopes(scopes),
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, key)


def verify_access_token(token: str, key: OctKey, *, now: int) -> TokenClaims:
    """The claims of one of the gateway's own tokens; raises InvalidAccessToken otherwise."""
    claims = _decode(token, key, OWN_ALGORITHMS, issuer=ISSUER, audience=AUDIENCE, now=now,
                     leeway=0, essential=("sub", "partner_id", "iat"))  # fmt: skip
    partner_id = claims.get("partner_id")
    if not isinstance(partner_id, str):
        raise InvalidAccessToken("the token names no partner")
    return TokenClaims(
        str(claims["sub"]), partner_id, _scopes(claims.get("scope")), _int(claims.get("iat"))
    )


def verify_external_token(
    token: str,
    key_set: KeySet,
    *,
    issuer: str,
    audience: str,
    client_id_claim: str,
    scope_claim: str,
    now: int,
) -> TokenClaims:
    """The claims of an external identity provider's token; raises InvalidAccessToken otherwise."""
    claims = _decode(token, key_set, EXTERNAL_ALGORITHMS, issuer=issuer, audience=audience,
                     now=now, leeway=EXTERNAL_LEEWAY_S, essential=(client_id_claim,))  # fmt: skip
    client_id = claims.get(client_id_claim)
    if not isinstance(client_id, str) or not client_id:
        raise InvalidAccessToken(f"the token has no {client_id_claim} claim")
    return TokenClaims(client_id, None, _scopes(claims.get(scope_claim)), _int(claims.get("iat")))


def _decode(
    token: str,
    key: OctKey | KeySet,
    algorithms: list[str],
    *,
    issuer: str,
    audience: str,
    now: int,
    leeway: int,
    essential: tuple[str, ...],
) -> dict[str, object]:
    options: dict[str, ClaimsOption] = {name: {"essential": True} for name in essential}
    options |= {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": audience},
        "exp": {"essential": True},
    }
    registry = JWTClaimsRegistry(now=now, leeway=leeway, **options)
    try:
        decoded = jwt.decode(token, key, algorithms=algorithms)
        registry.validate(decoded.claims)
    except InvalidKeyIdError:
        raise UnknownSigningKey("the token's signing key is not in the key set") from None
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        # The class name says what failed (expired, bad signature, wrong audience) and no more.
        raise InvalidAccessToken(f"invalid token ({type(exc).__name__})") from None
    return dict(decoded.claims)


def _scopes(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(str(item) for item in value)
    return frozenset()


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None
