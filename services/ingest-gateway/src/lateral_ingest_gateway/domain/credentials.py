"""Partner tokens: random secrets handed out once; only their sha256 is kept."""

from __future__ import annotations

import hashlib
import re
import secrets

MIN_TOKEN_LENGTH = 16
_TOKEN_BYTES = 32
_NOT_ID = re.compile(r"[^a-z0-9]+")


def new_token() -> str:
    """A new random partner token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token: the hex sha256 of its UTF-8 bytes."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_token_strength(token: str) -> None:
    """Refuse a token too short to resist guessing (tokens given by an operator or launcher)."""
    if len(token) < MIN_TOKEN_LENGTH or token != token.strip():
        raise ValueError(
            f"a partner token needs at least {MIN_TOKEN_LENGTH} characters and no surrounding "
            "white space"
        )


def partner_id_from_name(name: str) -> str:
    """A partner ID made from its name: "Leeds City Council" → "leeds-city-council"."""
    partner_id = _NOT_ID.sub("-", name.casefold()).strip("-")[:64].strip("-")
    if not partner_id:
        raise ValueError("the partner name has no letters or digits to make an ID from; give --id")
    return partner_id
