"""The duty managers' API, wired by bootstrap() over SQLite and the in-memory bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from lateral_alerts.bootstrap import bootstrap
from lateral_alerts.config import AlertsSettings
from lateral_shared.auth import issue_token
from lateral_shared.contracts import AgencyKind
from lateral_shared.runtime import Service, create_app
from lateral_shared.testing.fakes import InMemoryBus

SECRET = "unit-test-secret-of-at-least-32-characters"  # noqa: S105 (a test key)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    settings = AlertsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/alerts.db",
        secret_key=SECRET,  # type: ignore[arg-type]
        alerts_page_size=2,
    )
    svc = await bootstrap(settings, bus=InMemoryBus())
    yield svc
    for hook in svc.on_stop:
        await hook()


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://alerts") as c:
        yield c


def _auth(*roles: str, user: str = "dm.one") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, subject=user, roles=list(roles))}"}


async def _raise_alerts(service: Service, events: Any, days: list[int]) -> None:
    """One alert per day of June 2025, each raised by its own batch (so raised in that order)."""
    for day in days:
        police = events.record(
            f"met-police/INC-{day}", AgencyKind.POLICE, "domestic_abuse", on=date(2025, 6, day)
        )
        event = events.linked(police, residents=[events.csc_child(f"P-{day}", "2014-02-02")])
        await service.subscriptions[0].handler([event])


async def test_staff_without_the_duty_manager_role_cannot_list(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/alerts")).status_code == 401
    assert (await client.get("/v1/alerts", headers=_auth("practitioner"))).status_code == 403
    assert (await client.get("/v1/alerts", headers=_auth("admin"))).status_code == 200


async def test_alerts_are_listed_newest_first_in_pages_with_ids_only(
    client: httpx.AsyncClient, service: Service, events: Any
) -> None:
    await _raise_alerts(service, events, [1, 2, 3])

    first = (await client.get("/v1/alerts", headers=_auth("duty_manager"))).json()
    second = (await client.get("/v1/alerts?page=2", headers=_auth("duty_manager"))).json()

    assert first["total"] == 3
    assert [a["person_id"] for a in first["items"]] == ["P-3", "P-2"]
    assert [a["person_id"] for a in second["items"]] == ["P-1"]
    assert set(first["items"][0]) == {
        "alert_id", "rule", "severity", "person_id", "trigger_record_key", "address_key",
        "trigger_date", "raised_at", "status", "acknowledged_by", "acknowledged_at", "assigned_to",
    }  # fmt: skip


async def test_acknowledge_and_assign_then_filter_by_status(
    client: httpx.AsyncClient, service: Service, events: Any
) -> None:
    await _raise_alerts(service, events, [4, 5])
    listed = (await client.get("/v1/alerts", headers=_auth("duty_manager"))).json()["items"]
    alert_id = listed[0]["alert_id"]

    acked = await client.post(f"/v1/alerts/{alert_id}/acknowledge", headers=_auth("duty_manager"))
    again = await client.post(
        f"/v1/alerts/{alert_id}/acknowledge", headers=_auth("duty_manager", user="dm.two")
    )
    assigned = await client.post(
        f"/v1/alerts/{alert_id}/assign",
        json={"assignee": "sw.jones"},
        headers=_auth("duty_manager"),
    )
    still_open = await client.get("/v1/alerts?status=open", headers=_auth("duty_manager"))

    assert acked.json()["status"] == "acknowledged"
    assert again.json()["acknowledged_by"] == "dm.one"
    assert assigned.json()["assigned_to"] == "sw.jones"
    assert [a["alert_id"] for a in still_open.json()["items"]] == [listed[1]["alert_id"]]


async def test_bad_requests_name_the_field_without_echoing_it(
    client: httpx.AsyncClient, service: Service, events: Any
) -> None:
    await _raise_alerts(service, events, [6])
    alert_id = (await client.get("/v1/alerts", headers=_auth("duty_manager"))).json()["items"][0][
        "alert_id"
    ]
    bad_status = await client.get("/v1/alerts?status=Smith-1990", headers=_auth("duty_manager"))
    bad_page = await client.get("/v1/alerts?page=Smith", headers=_auth("duty_manager"))
    bad_body = await client.post(
        f"/v1/alerts/{alert_id}/assign", json={"assignee": 1990}, headers=_auth("duty_manager")
    )
    missing = await client.post("/v1/alerts/nope/acknowledge", headers=_auth("duty_manager"))

    assert [r.status_code for r in (bad_status, bad_page, bad_body)] == [422, 422, 422]
    assert bad_status.json()["detail"][0]["loc"] == ["query", "status"]
    assert bad_page.json()["detail"][0]["loc"] == ["query", "page"]
    assert bad_body.json()["detail"][0]["loc"] == ["body", "assignee"]
    for response in (bad_status, bad_page, bad_body):
        assert "Smith" not in response.text
        assert "1990" not in response.text
    assert missing.status_code == 404


async def test_readiness_checks_the_database_and_the_bus(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")

    assert ready.status_code == 200
    assert set(ready.json()["checks"]) == {"alerts.database", "alerts.bus"}
