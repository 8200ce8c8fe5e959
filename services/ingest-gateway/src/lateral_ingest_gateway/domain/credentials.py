"""Partner client credentials: scopes, secrets handed out once and kept only as a slow hash.

A client secret is 256 random bits, shown to the operator once. The gateway keeps its scrypt hash
(a memory-hard KDF with a random salt per secret), so a stolen database does not yield secrets and
guessing one offline is expensive. Checking a secret is a constant-time comparison.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

SCOPE_PUSH = "records:write"  # send records and files to your own feeds
SCOPE_READ = "batches:read"  # read your batches, quarantine and feed health
ALL_SCOPES: tuple[str, ...] = (SCOPE_PUSH, SCOPE_READ)

MIN_SECRET_LENGTH = 24
_SECRET_BYTES = 32
_SALT_BYTES = 16
# scrypt cost: 16 MiB of memory and roughly 50 ms of CPU per check, per OWASP's minimum.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32
_SCHEME = "scrypt"
_NOT_ID = re.compile(r"[^a-z0-9]+")


def new_client_secret() -> str:
    """A new random client secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(_SECRET_BYTES)


def check_secret_strength(secret: str) -> None:
    """Refuse a secret too short to resist guessing (secrets given by an operator or launcher)."""
    if len(secret) < MIN_SECRET_LENGTH or secret != secret.strip():
        raise ValueError(
            f"a client secret needs at least {MIN_SECRET_LENGTH} characters and no surrounding "
            "white space"
        )


def hash_secret(secret: str) -> str:
    """The stored form of a secret: `scrypt$N$r$p$salt$hash` (salt and hash in base64)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(secret, salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return "$".join(
        [_SCHEME, str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_secret(secret: str, stored: str) -> bool:
    """Whether `secret` is the one `stored` was made from (False for any unreadable hash)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return False  # e.g. a bearer-token hash from before client credentials: rotate it
    try:
        n, r, p = (int(value) for value in parts[1:4])
        salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
        actual = _scrypt(secret, salt, n=n, r=r, p=p, length=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def parse_scopes(requested: str | Iterable[str]) -> frozenset[str]:
    """A set of known scopes from "a b" or ["a", "b"]; raises ValueError naming an unknown one."""
    names = requested.split() if isinstance(requested, str) else list(requested)
    unknown = sorted(set(names) - set(ALL_SCOPES))
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}; the scopes are: {', '.join(ALL_SCOPES)}")
    return frozenset(names)


def format_scopes(scopes: Iterable[str]) -> str:
    """Scopes as one space-separated string in a stable order (as OAuth2 writes them)."""
    return " ".join(scope for scope in ALL_SCOPES if scope in set(scopes))


def partner_id_from_name(name: str) -> str:
    """A partner ID made from its name: "Leeds City Council" → "leeds-city-council"."""
    partner_id = _NOT_ID.sub("-", name.casefold()).strip("-")[:64].strip("-")
    if not partner_id:
        raise ValueError("the partner name has no letters or digits to make an ID from; give --id")
    return partner_id


def _scrypt(
    secret: str, salt: bytes, *, n: int, r: int, p: int, length: int = _SCRYPT_LEN
) -> bytes:
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=64 * 1024 * 1024
    )


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")
