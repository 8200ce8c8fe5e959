"""Client secrets kept as slow salted hashes, and the rules of partner access tokens (pure code)."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from lateral_ingest_gateway.domain.access_tokens import (
    AUDIENCE,
    ISSUER,
    InvalidAccessToken,
    UnknownSigningKey,
    issue_access_token,
    signing_key,
    verify_access_token,
    verify_external_token,
)
from lateral_ingest_gateway.domain.credentials import (
    check_secret_strength,
    hash_secret,
    new_client_secret,
    parse_scopes,
    verify_secret,
)
from lateral_shared.auth import issue_token as issue_staff_token

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
KEY = signing_key("a-long-test-secret-key-for-partner-tokens-0123")


def test_a_secret_is_stored_as_a_salted_scrypt_hash_that_only_it_matches() -> None:
    secret = new_client_secret()
    first, second = hash_secret(secret), hash_secret(secret)
    assert first.startswith("scrypt$16384$8$1$")
    assert secret not in first
    assert first != second  # a fresh salt each time: equal secrets do not show as equal hashes
    assert verify_secret(secret, first) and verify_secret(secret, second)
    assert not verify_secret(secret + "x", first)
    assert not verify_secret(secret[:-1], first)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "scrypt$1$2$3",
        "sha256$abc",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "scrypt$x$8$1$AAAA$AAAA",
        "scrypt$16384$8$1$!!notbase64$AAAA",
    ],
)
def test_an_unreadable_or_old_style_hash_matches_nothing(stored: str) -> None:
    assert not verify_secret("whatever-the-partner-sends-0123456789", stored)


def test_weak_secrets_and_unknown_scopes_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="24 characters"):
        check_secret_strength("short")
    with pytest.raises(ValueError, match="white space"):
        check_secret_strength(" " + "x" * 30)
    assert parse_scopes("records:write batches:read") == {"records:write", "batches:read"}
    with pytest.raises(ValueError, match="unknown scope 'admin'"):
        parse_scopes(["records:write", "admin"])


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def b64(value: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_an_issued_token_names_the_partner_its_scopes_and_expires_after_the_ttl() -> None:
    token = issue_access_token(
        KEY, client_id="trust-app", partner_id="trust", scopes={"batches:read"}, now=NOW, ttl_s=600
    )
    claims = claims_of(token)
    assert claims == {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "trust-app",
        "client_id": "trust-app",
        "partner_id": "trust",
        "scope": "batches:read",
        "iat": NOW,
        "exp": NOW + 600,
    }
    verified = verify_access_token(token, KEY, now=NOW + 599)
    assert (verified.client_id, verified.partner_id, verified.scopes, verified.issued_at) == (
        "trust-app",
        "trust",
        frozenset({"batches:read"}),
        NOW,
    )
    with pytest.raises(InvalidAccessToken):
        verify_access_token(token, KEY, now=NOW + 600)


def test_forged_altered_and_foreign_tokens_are_refused() -> None:
    token = issue_access_token(
        KEY, client_id="c", partner_id="p", scopes={"records:write"}, now=NOW, ttl_s=600
    )
    other_key = signing_key("another-secret-key-nobody-at-the-gateway-knows")
    forged = issue_access_token(
        other_key, client_id="c", partner_id="p", scopes={"records:write"}, now=NOW, ttl_s=600
    )
    header, payload, signature = token.split(".")
    widened = b64({**claims_of(token), "scope": "records:write batches:read"})
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    # A staff token signed with the very same LATERAL_SECRET_KEY must not pass as a partner's.
    staff = issue_staff_token(
        "a-long-test-secret-key-for-partner-tokens-0123", subject="p", roles=["admin"]
    )
    for bad in [forged, f"{header}.{widened}.{signature}", unsigned, staff, "not-a-jwt", ""]:
        with pytest.raises(InvalidAccessToken):
            verify_access_token(bad, KEY, now=NOW + 1)


def external(key: RSAKey, **claims: object) -> str:
    base = {
        "iss": "https://idp.example/tenant",
        "aud": "api://lateral",
        "azp": "app-123",
        "roles": ["records:write"],
        "iat": NOW,
        "exp": NOW + 3600,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {**base, **claims}, key)


def verify_external(token: str, key_set: KeySet) -> object:
    return verify_external_token(
        token,
        key_set,
        issuer="https://idp.example/tenant",
        audience="api://lateral",
        client_id_claim="azp",
        scope_claim="roles",
        now=NOW + 10,
    )


def test_external_tokens_are_checked_against_the_key_set_issuer_and_audience() -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    key_set = KeySet.import_key_set({"keys": [key.as_dict(private=False)]})
    claims = verify_external(external(key), key_set)
    assert claims == type(claims)("app-123", None, frozenset({"records:write"}), NOW)  # type: ignore[call-arg]
    for bad in [
        external(key, aud="api://other"),
        external(key, iss="https://evil.example"),
        external(key, exp=NOW - 60),
        external(key, azp=""),
    ]:
        with pytest.raises(InvalidAccessToken):
            verify_external(bad, key_set)
    impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(InvalidAccessToken):
        verify_external(external(impostor), key_set)
    # HMAC "signed" with the public key's bytes: the classic algorithm-confusion forgery.
    hmac_key = OctKey.import_key(json.dumps(key.as_dict(private=False)).encode())
    confused = jwt.encode({"alg": "HS256", "kid": "k1"}, claims_of(external(key)), hmac_key)
    with pytest.raises(InvalidAccessToken):
        verify_external(confused, key_set)
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    with pytest.raises(UnknownSigningKey):
        verify_external(external(rotated), key_set)
