"""Opening a person (household, activity, link explanations) and an address through the JSON API;
who may do what (each endpoint by each role); and the audit entries of each."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from lateral_shared.index import address_id

FamilyApi = Any  # the `family` fixture (conftest.py)
REASON = {"reason": "strategy discussion"}
HOME = address_id("100000000012")  # what URLs carry: the address key spells out the address
ALLOWED = ["practitioner", "duty_manager", "admin"]
REFUSED = ["ig_officer", "data_steward"]


def _month(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).strftime("%Y-%m")


async def test_a_person_comes_with_household_activity_and_why_linked(family: FamilyApi) -> None:
    response = await family.client.get(
        "/v1/persons/person-ada", params=REASON, headers=family.token("practitioner")
    )
    assert response.status_code == 200
    ada = response.json()
    assert ada["household_address_id"] == HOME
    assert [a["address_id"] for a in ada["addresses"]] == [HOME, address_id("A-LOW")]
    household = {m["person_id"]: m for m in ada["household"]}
    assert set(household) == {"person-jane", "person-old"}
    jane = household["person-jane"]
    assert (jane["name"], jane["current"], jane["agencies"]) == (
        "Jane Testwood",
        True,
        ["adult_social_care"],
    )
    assert jane["age"] >= 39  # born July 1985
    assert household["person-old"]["current"] is False
    activity = ada["activity"]
    assert len(activity["months"]) == 12
    assert activity["months"][-1] == date.today().strftime("%Y-%m")
    counts = {
        (agency, month): n
        for agency, row in activity["by_agency"].items()
        for month, n in zip(activity["months"], row, strict=True)
        if n
    }
    assert counts == {("childrens_social_care", _month(10)): 1, ("health", _month(200)): 1}
    assert ada["links"] == [
        {"record_key": "health-feed/H-1", "rule": "nhs_number", "score": 0.99,
         "summary": "same NHS number"}
    ]  # fmt: skip
    [event] = family.audit_events()
    assert (event.action, event.criteria) == ("view_person", {"person_id": "person-ada"})
    assert event.result_ids == ["person-ada", "person-jane", "person-old"]


async def test_an_address_comes_with_residents_every_record_and_activity(
    family: FamilyApi,
) -> None:
    response = await family.client.get(
        f"/v1/addresses/{HOME}",
        headers={**family.token("duty_manager", subject="dm"), "X-Lateral-Reason": "callout"},
    )
    assert response.status_code == 200
    home = response.json()
    assert (home["uprn"], home["postcode"]) == ("100000000012", "LS6 1AA")
    assert [(r["person_id"], r["current"]) for r in home["residents"]] == [
        ("person-ada", True),
        ("person-jane", True),
        ("person-old", False),
    ]
    assert {r["source_record_id"] for r in home["records"]} == {"C-1", "A-1", "F-1"}
    assert home["activity"]["by_agency"]["fire"][-12:].count(1) == 1
    assert response.headers["cache-control"] == "no-store"
    [event] = family.audit_events()
    assert (event.actor, event.action, event.reason) == ("dm", "view_address", "callout")
    assert event.criteria == {"address_id": HOME}
    assert event.result_ids == [HOME, "person-ada", "person-jane", "person-old"]


async def test_an_unknown_address_is_404_and_audited(family: FamilyApi) -> None:
    response = await family.client.get(
        "/v1/addresses/nowhere", params=REASON, headers=family.token("practitioner")
    )
    assert response.status_code == 404
    [event] = family.audit_events()
    assert (event.action, event.result_ids, event.outcome) == ("view_address", [], "success")


async def test_an_address_without_a_reason_is_422_and_not_opened(family: FamilyApi) -> None:
    response = await family.client.get(
        f"/v1/addresses/{HOME}", headers=family.token("practitioner")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "reason"]
    assert "High Street" not in response.text


async def test_no_audit_no_address(family: FamilyApi) -> None:
    family.bus.fail_publish = True
    response = await family.client.get(
        f"/v1/addresses/{HOME}", params=REASON, headers=family.token("practitioner")
    )
    assert response.status_code == 503
    assert "High Street" not in response.text and "person-ada" not in response.text


async def test_when_the_index_fails_the_view_is_503_and_audited_as_an_error(
    family: FamilyApi,
) -> None:
    await family.index.close()  # the index no longer answers
    response = await family.client.get(
        f"/v1/addresses/{HOME}", params=REASON, headers=family.token("practitioner")
    )
    assert response.status_code == 503
    [event] = family.audit_events()
    assert (event.action, event.outcome) == ("view_address", "error")


ENDPOINTS = {
    "search (GET)": ("GET", "/v1/search", {"params": {"name": "Testwood", **REASON}}),
    "search (POST)": ("POST", "/v1/search", {"json": {"address": "High Street", **REASON}}),
    "person": ("GET", "/v1/persons/person-ada", {"params": REASON}),
    "address": ("GET", f"/v1/addresses/{HOME}", {"params": REASON}),
}
ACTIONS = {"search (GET)": "search", "search (POST)": "search", "person": "view_person",
           "address": "view_address"}  # fmt: skip


@pytest.mark.parametrize("role", ALLOWED + REFUSED)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
async def test_each_endpoint_by_each_role(family: FamilyApi, endpoint: str, role: str) -> None:
    method, url, kwargs = ENDPOINTS[endpoint]
    response = await family.client.request(
        method, url, headers=family.token(role, subject=f"user-{role}"), **kwargs
    )
    [event] = family.audit_events()
    assert (event.actor, event.actor_roles, event.action) == (
        f"user-{role}",
        [role],
        ACTIONS[endpoint],
    )
    assert event.reason == "strategy discussion"
    if role in ALLOWED:
        assert response.status_code == 200
        assert (event.outcome, bool(event.result_ids)) == ("success", True)
    else:
        assert response.status_code == 403
        assert (event.outcome, event.result_ids) == ("denied", [])
        assert "Testwood" not in response.text and "High Street" not in response.text


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
async def test_without_a_token_nothing_is_answered_or_audited(
    family: FamilyApi, endpoint: str
) -> None:
    method, url, kwargs = ENDPOINTS[endpoint]
    response = await family.client.request(method, url, **kwargs)
    assert response.status_code == 401
    assert family.audit_events() == []
