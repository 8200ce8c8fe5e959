"""Password hashing for local accounts: scrypt with a per-user salt, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt cost: 2**14 x 8 x 1 needs 16 MiB and ~50 ms, the OWASP minimum for interactive sign-in.
_N, _R, _P, _LENGTH = 2**14, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 10


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _scrypt(password: str, salt: bytes, *, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_MAXMEM)


def hash_password(password: str) -> str:
    """A self-describing hash: `scrypt$N$r$p$salt$hash` (base64), safe to store."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n=_N, r=_R, p=_P, length=_LENGTH)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` produces `stored`; False for any malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(
            password, base64.b64decode(salt), n=int(n), r=int(r), p=int(p), length=len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


# Checked when the username is unknown, so a wrong username takes as long as a wrong password.
DECOY_HASH = hash_password(secrets.token_urlsafe(16))


def password_problem(password: str) -> str | None:
    """Why `password` cannot be used, or None. Never quotes the password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 1024:
        return "the password must be at most 1024 characters long"
    return None
