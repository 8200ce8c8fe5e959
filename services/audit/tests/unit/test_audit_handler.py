"""The `audit.events` handler (idempotent, chained) and the audit log API, on a tmp SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from lateral_audit.adapters.database import open_store
from lateral_audit.adapters.repository import AuditFilter, AuditLogStore
from lateral_audit.bootstrap import bootstrap
from lateral_audit.config import AuditSettings
from lateral_audit.service_layer.handlers import record_events, verify_log
from lateral_shared.auth import issue_token
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.contracts.topics import AUDIT_EVENTS
from lateral_shared.runtime import create_app
from lateral_shared.testing.fakes import InMemoryBus

SECRET = "test-secret-for-unit-tests-only-0123456789"  # noqa: S105 (a test-only signing key)


def _settings(tmp_path: Path) -> AuditSettings:
    return AuditSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/audit.db",
        secret_key=SECRET,
        environment="test",
    )  # type: ignore[arg-type]


def _event(actor: str = "alice", action: str = "search") -> AuditEvent:
    return AuditEvent(
        service="search-api",
        actor=actor,
        actor_roles=["practitioner"],
        action=action,
        reason="home visit planning",
        criteria={"postcode": "LS6 1AA"},
        result_ids=["p-1"],
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AuditLogStore]:
    engine, audit_store = await open_store(_settings(tmp_path).database_url)
    yield audit_store
    await engine.dispose()


async def test_events_are_logged_in_order_and_the_chain_verifies(store: AuditLogStore) -> None:
    events = [_event("alice"), _event("bob"), _event("carol")]
    await record_events(events, store=store)
    total, entries = await store.find(AuditFilter(), page=1, page_size=10)
    assert total == 3
    assert [e.actor for e in sorted(entries, key=lambda e: e.seq)] == ["alice", "bob", "carol"]
    assert entries[-1].payload["criteria"] == {"postcode": "LS6 1AA"}
    result = await verify_log(store=store)
    assert (result.entries, result.problem) == (3, None)


async def test_a_redelivered_event_is_logged_once(store: AuditLogStore) -> None:
    first, second = _event("alice"), _event("bob")
    await record_events([first], store=store)
    await record_events([first, second, second], store=store)
    total, entries = await store.find(AuditFilter(), page=1, page_size=10)
    assert total == 2
    assert sorted(e.event_id for e in entries) == sorted(
        [str(first.event_id), str(second.event_id)]
    )
    assert (await verify_log(store=store)).problem is None


async def test_the_log_is_filtered_by_actor_and_action(store: AuditLogStore) -> None:
    await record_events(
        [_event("alice"), _event("bob"), _event("alice", "view_person")], store=store
    )
    total, entries = await store.find(
        AuditFilter(actor="alice", action="view_person"), page=1, page_size=10
    )
    assert total == 1
    assert (entries[0].actor, entries[0].action) == ("alice", "view_person")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    service = await bootstrap(_settings(tmp_path), bus=InMemoryBus())
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        await record_events([_event("alice"), _event("bob")], store=_store_of(service))
        yield http
    for hook in service.on_stop:
        await hook()


def _store_of(service: object) -> AuditLogStore:
    handler = service.subscriptions[0].handler  # type: ignore[attr-defined]
    return handler.keywords["store"]  # type: ignore[no-any-return]


def _auth(*roles: str, subject: str = "ig-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, subject=subject, roles=list(roles))}"}


async def test_an_ig_officer_reads_the_log_and_the_read_is_logged(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/v1/audit", params={"actor": "alice", "reason": "SAR 12"}, headers=_auth("ig_officer")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["entries"][0]["actor"] == "alice"
    assert body["entries"][0]["criteria"] == {"postcode": "LS6 1AA"}
    assert body["entries"][0]["occurred_at"].endswith("+00:00")  # UTC, on every store
    reads = (
        await client.get("/v1/audit", params={"action": "read_audit"}, headers=_auth("admin"))
    ).json()
    assert reads["total"] == 1  # the first read; the second is logged after it is answered
    assert reads["entries"][0]["actor"] == "ig-1"
    assert reads["entries"][0]["reason"] == "SAR 12"
    assert reads["entries"][0]["criteria"] == {"actor": "alice"}


async def test_a_practitioner_is_refused_and_the_attempt_is_logged(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/audit", headers=_auth("practitioner", subject="pat"))
    assert response.status_code == 403
    reads = (await client.get("/v1/audit", params={"actor": "pat"}, headers=_auth("admin"))).json()
    assert [(e["action"], e["outcome"]) for e in reads["entries"]] == [("read_audit", "denied")]


async def test_no_token_is_401_and_a_bad_date_names_the_field(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/audit")).status_code == 401
    response = await client.get(
        "/v1/audit", params={"since": "last tuesday"}, headers=_auth("ig_officer")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "since"]
    assert "last tuesday" not in response.text


async def test_the_service_consumes_audit_events_from_the_bus_once(tmp_path: Path) -> None:
    bus = InMemoryBus()
    service = await bootstrap(_settings(tmp_path), bus=bus)
    event = _event("alice")
    publisher = EventPublisher(bus, service="search-api")
    await publisher.publish(AUDIT_EVENTS, [("alice", event), ("alice", event)])  # a redelivery
    [consumer] = service.consumers()
    running = asyncio.create_task(consumer.run())
    try:
        store = _store_of(service)
        for _ in range(200):
            if bus.committed.get(("audit", AUDIT_EVENTS)) == 2:
                break
            await asyncio.sleep(0.01)
        total, entries = await store.find(AuditFilter(), page=1, page_size=10)
        assert (total, entries[0].event_id) == (1, str(event.event_id))
    finally:
        consumer.stop()
        await running
        for hook in service.on_stop:
            await hook()
