"""The token endpoint limits how often each partner client may ask: a burst, then a steady rate;
past it, 429 with Retry-After, before any secret is checked. Other clients are not affected."""

from __future__ import annotations

from typing import Any

import pytest

from lateral_ingest_gateway.domain.rate_limit import TokenRequestLimit

Gateway = Any  # the `gateway` fixture of conftest.py
FORM = {"grant_type": "client_credentials"}


def test_a_burst_then_one_request_per_interval() -> None:
    limit = TokenRequestLimit(per_minute=6, burst=3)  # one more every 10 s
    assert [limit.wait_s("trust", 100.0) for _ in range(3)] == [0, 0, 0]
    assert limit.wait_s("trust", 100.0) == pytest.approx(10)
    assert limit.wait_s("trust", 104.0) == pytest.approx(6)  # refused asks cost nothing
    assert limit.wait_s("trust", 110.0) == 0
    assert limit.wait_s("police", 110.0) == 0  # each client has its own allowance
    assert limit.wait_s("trust", 1_000.0) == 0  # a long pause refills only up to the burst
    assert [limit.wait_s("trust", 1_000.0) for _ in range(3)][-1] == pytest.approx(10)


def test_memory_holds_at_most_the_most_recent_clients() -> None:
    limit = TokenRequestLimit(per_minute=1, burst=1, max_clients=2)
    for client in ("a", "b", "c"):
        assert limit.wait_s(client, 0.0) == 0
    assert limit.wait_s("c", 0.0) > 0  # still remembered
    assert limit.wait_s("a", 0.0) == 0  # forgotten: it may ask again


@pytest.fixture
def gateway_settings() -> dict[str, Any]:
    return {"token_requests_per_minute": 1, "token_requests_burst": 4}


async def test_too_many_token_requests_get_429_with_retry_after(gateway: Gateway) -> None:
    # The fixture took one token for each partner already.
    wrong = ("trust", "not-the-secret")
    answers = [
        await gateway.client.post("/v1/oauth/token", data=FORM, auth=wrong) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"] == "too_many_requests"
    other = await gateway.client.post("/v1/oauth/token", data=FORM, auth=("police", "wrong"))
    assert other.status_code == 401  # another client still gets an answer
