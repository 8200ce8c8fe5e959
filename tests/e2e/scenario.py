"""The end-to-end flow both run modes must pass, written once against a `Deployment`.

A partner pushes a child's open social care record; a practitioner finds the child through the
search-api within 10 s; that search is in the audit log; resending the batch changes nothing; a
police incident at the child's address raises exactly one priority alert, even when resent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from prometheus_client.parser import text_string_to_metric_families

T = TypeVar("T")

CHILD_NHS = "9434765919"  # never issued: synthetic
CHILD = {
    "source_record_id": "CSC-E2E-1",
    "agency_kind": "childrens_social_care",
    "event_type": "child_protection_plan",
    "event_date": "2026-01-10",
    "status": "open",
    "person": {
        "forename": "Ellie",
        "surname": "Marsh",
        "date_of_birth": "2015-04-02",
        "gender": "F",
        "nhs_number": CHILD_NHS,
    },
    "address": {"lines": ["12 Example Road", "Testville"], "postcode": "ls6 2ab"},
    "lead_professional": {
        "name": "Sam Worker",
        "team": "Children's Services North",
        "phone": "0113 496 0000",
        "email": "sam.worker@example.org.uk",
    },
}
POLICE_AT_ADDRESS = {
    "source_record_id": "POL-E2E-1",
    "agency_kind": "police",
    "event_type": "emergency_call",
    "category": "domestic_abuse",
    "event_date": "2026-02-01",
    "status": "closed",
    "end_date": "2026-02-01",
    "address": {"lines": ["12 Example Road", "Testville"], "postcode": "LS6 2AB"},
}


@dataclass
class Deployment:
    """Where a running Lateral is, and the secrets the test may use."""

    gateway_url: str
    search_url: str
    alerts_url: str
    audit_url: str
    metrics_urls: dict[str, str]  # service name → its /metrics URL
    csc_feed: str
    police_feed: str
    partner_clients: dict[str, str]  # feed_id → "client_id:client_secret" of its partner
    users: dict[str, str] = field(default_factory=dict)  # role → "username:password"
    matcher_url: str = ""  # the review API


async def eventually(check: Callable[[], Awaitable[T | None]], *, within_s: float) -> T:
    """Poll `check` until it returns something truthy, or fail after `within_s` seconds."""
    deadline = time.monotonic() + within_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within_s} s")
        await asyncio.sleep(0.1)


async def staff_token(client: httpx.AsyncClient, deployment: Deployment, role: str) -> str:
    username, password = deployment.users[role].split(":", 1)
    response = await client.post(
        f"{deployment.search_url}/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


# Tokens the scenarios' partners hold, by (gateway, feed): each is reused until a minute before
# it expires, as the gateway asks partners to (it limits token requests per client).
_PARTNER_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}


async def partner_token(client: httpx.AsyncClient, d: Deployment, feed: str) -> str:
    """An access token for the feed's partner, from the gateway's OAuth2 token endpoint (or the
    one the partner already holds)."""
    held = _PARTNER_TOKENS.get((d.gateway_url, feed))
    if held is not None and held[1] - time.monotonic() > 60:
        return held[0]
    client_id, secret = d.partner_clients[feed].split(":", 1)
    response = await client.post(
        f"{d.gateway_url}/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert response.status_code == 200, response.text
    expires_in = response.json()["expires_in"]
    assert expires_in <= 900
    token = str(response.json()["access_token"])
    _PARTNER_TOKENS[(d.gateway_url, feed)] = (token, time.monotonic() + expires_in)
    return token


async def counter(client: httpx.AsyncClient, url: str, name: str, **labels: str) -> float:
    """The sum of a Prometheus counter's samples matching `labels` at `url`."""
    text = (await client.get(url)).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


async def push(
    client: httpx.AsyncClient,
    d: Deployment,
    feed: str,
    records: list[dict[str, Any]],
) -> httpx.Response:
    return await client.post(
        f"{d.gateway_url}/v1/feeds/{feed}/records",
        json={"records": records},
        headers={"Authorization": f"Bearer {await partner_token(client, d, feed)}"},
    )


async def linked_count(client: httpx.AsyncClient, d: Deployment, service: str) -> float:
    return await counter(
        client,
        d.metrics_urls[service],
        "lateral_events_consumed_total",
        service=service,
        topic="records.linked",
        outcome="ok",
    )


async def wait_until_consumed(
    client: httpx.AsyncClient, d: Deployment, *, before: dict[str, float], more: int
) -> None:
    """Wait until the indexer and alerts have each handled `more` further linked events."""
    for service in ("indexer", "alerts"):

        async def done(service: str = service) -> bool:
            return await linked_count(client, d, service) >= before[service] + more

        await eventually(done, within_s=10)


async def search(
    client: httpx.AsyncClient,
    d: Deployment,
    token: str,
    **criteria: str,
) -> dict[str, Any]:
    response = await client.get(
        f"{d.search_url}/v1/search",
        params={**criteria, "reason": "e2e: child protection enquiry"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def check_found_audited_idempotent_and_alerted(d: Deployment) -> None:
    """The whole flow; each step asserts what a practitioner, duty manager or IG officer sees."""
    async with httpx.AsyncClient(timeout=30) as client:
        practitioner = await staff_token(client, d, "practitioner")
        before = {s: await linked_count(client, d, s) for s in ("indexer", "alerts")}

        # A partner pushes a child's open case: searchable within 10 s.
        response = await push(client, d, d.csc_feed, [CHILD])
        assert response.status_code == 202, response.text
        started = time.monotonic()

        async def child_found() -> dict[str, Any] | None:
            page = await search(client, d, practitioner, name="Elie Marsh", dob="2015")
            return page if page["total"] >= 1 else None

        page = await eventually(child_found, within_s=10)
        assert time.monotonic() - started < 10
        assert page["total"] == 1
        person_id = page["results"][0]["person_id"]

        # The search is in the audit log, with who and why.
        ig = await staff_token(client, d, "ig_officer")

        async def audited() -> list[dict[str, Any]] | None:
            r = await client.get(
                f"{d.audit_url}/v1/audit",
                params={"action": "search"},
                headers={"Authorization": f"Bearer {ig}"},
            )
            assert r.status_code == 200, r.text
            entries = [e for e in r.json()["entries"] if person_id in e.get("result_ids", [])]
            return entries or None

        entries = await eventually(audited, within_s=10)
        assert entries[0]["reason"] == "e2e: child protection enquiry"

        # Resending the same batch is counted as unchanged: no duplicate person or record.
        await wait_until_consumed(client, d, before=before, more=1)
        resent = await push(client, d, d.csc_feed, [CHILD])
        assert resent.status_code == 202, resent.text
        assert (resent.json()["unchanged"], resent.json()["accepted"]) == (1, 0)
        page = await search(client, d, practitioner, nhs_number="943 476 5919")
        assert page["total"] == 1
        person = (
            await client.get(
                f"{d.search_url}/v1/persons/{person_id}",
                params={"reason": "e2e: child protection enquiry"},
                headers={"Authorization": f"Bearer {practitioner}"},
            )
        ).json()
        assert [r["source_record_id"] for r in person["records"]] == ["CSC-E2E-1"]

        # A police incident at the child's address raises exactly one alert, even when resent.
        manager = await staff_token(client, d, "duty_manager")
        before = {s: await linked_count(client, d, s) for s in ("indexer", "alerts")}
        assert (await push(client, d, d.police_feed, [POLICE_AT_ADDRESS])).status_code == 202
        await wait_until_consumed(client, d, before=before, more=1)
        resent = await push(client, d, d.police_feed, [POLICE_AT_ADDRESS])
        assert (resent.status_code, resent.json()["unchanged"]) == (202, 1)
        r = await client.get(
            f"{d.alerts_url}/v1/alerts", headers={"Authorization": f"Bearer {manager}"}
        )
        assert r.status_code == 200, r.text
        alerts = [a for a in r.json()["items"] if a["person_id"] == person_id]
        assert len(alerts) == 1
        assert alerts[0]["trigger_record_key"].endswith("POL-E2E-1")


async def check_bad_input_publishes_nothing(d: Deployment) -> None:
    """Malformed or invalid batches get 422 naming the field; no token, or a wrong client
    secret at the token endpoint, gets 401; none publishes."""
    async with httpx.AsyncClient(timeout=30) as client:
        metrics = d.metrics_urls["ingest-gateway"]
        published = await counter(
            client,
            metrics,
            "lateral_events_published_total",
            service="ingest-gateway",
            topic="records.raw",
        )
        url = f"{d.gateway_url}/v1/feeds/{d.csc_feed}/records"
        auth = {"Authorization": f"Bearer {await partner_token(client, d, d.csc_feed)}"}

        malformed = await client.post(
            url, content=b'{"records": [', headers={**auth, "content-type": "application/json"}
        )
        assert malformed.status_code == 422

        wrong_type = await client.post(
            url, json={"records": [{**CHILD, "event_date": "last week"}]}, headers=auth
        )
        assert wrong_type.status_code == 422
        assert "event_date" in wrong_type.text
        assert "last week" not in wrong_type.text

        missing = {k: v for k, v in CHILD.items() if k != "status"}
        missing_response = await client.post(url, json={"records": [missing]}, headers=auth)
        assert missing_response.status_code == 422
        assert "status" in missing_response.text
        assert "Marsh" not in missing_response.text

        no_token = await client.post(url, json={"records": [CHILD]})
        assert no_token.status_code == 401

        client_id, secret = d.partner_clients[d.csc_feed].split(":", 1)
        wrong_secret = await client.post(
            f"{d.gateway_url}/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret[::-1]),
        )
        assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
        assert secret[::-1] not in wrong_secret.text

        after = await counter(
            client,
            metrics,
            "lateral_events_published_total",
            service="ingest-gateway",
            topic="records.raw",
        )
        assert after == published
