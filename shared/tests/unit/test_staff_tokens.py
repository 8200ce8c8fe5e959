"""Staff bearer tokens: a token verified once is still refused once it expires or if forged."""

from __future__ import annotations

import time

import pytest

from lateral_shared import auth

SECRET = "unit-test-secret-" + "x" * 40


def test_a_token_verified_before_is_refused_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = 1_900_000_000.0
    monkeypatch.setattr(time, "time", lambda: now)  # the clock joserfc reads too
    token = auth.issue_token(SECRET, subject="worker-1", roles=["practitioner"], ttl_s=60)
    assert auth.verify_token(SECRET, token).subject == "worker-1"
    now += 59
    assert auth.verify_token(SECRET, token).roles == frozenset({"practitioner"})
    now += 1
    with pytest.raises(ValueError, match="invalid token"):
        auth.verify_token(SECRET, token)


def test_a_token_verified_with_one_secret_is_refused_with_another() -> None:
    token = auth.issue_token(SECRET, subject="worker-2", roles=["practitioner"])
    assert auth.verify_token(SECRET, token).subject == "worker-2"
    with pytest.raises(ValueError, match="invalid token"):
        auth.verify_token("another-secret-" + "y" * 40, token)
