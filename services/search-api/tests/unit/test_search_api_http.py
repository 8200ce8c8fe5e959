"""The JSON API: sign-in, who may search, stated reasons, and the fail-closed audit trail."""

from __future__ import annotations

import asyncio
from typing import Any

SearchApi = Any  # the `api` fixture (conftest.py)

SEARCH = {"name": "Ada", "postcode": "LS6 1AA", "reason": "section 47 enquiry"}


async def test_signing_in_gives_a_short_lived_bearer_token_that_searches(api: SearchApi) -> None:
    response = await api.client.post(
        "/v1/auth/token", data={"username": "Pat", "password": api.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"  # noqa: S105 (not a password)
    assert body["expires_in"] == 15 * 60
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    found = await api.client.post("/v1/search", json=SEARCH, headers=headers)
    assert found.status_code == 200
    assert [r["person_id"] for r in found.json()["results"]] == ["person-ada"]


async def test_a_wrong_password_or_unknown_user_gets_one_generic_401(api: SearchApi) -> None:
    wrong = await api.client.post("/v1/auth/token", data={"username": "pat", "password": "nope"})
    unknown = await api.client.post(
        "/v1/auth/token", data={"username": "nobody", "password": api.password}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "the username or password is not right"}
    assert "access_token" not in wrong.text


async def test_searching_without_a_token_is_401_and_not_audited(api: SearchApi) -> None:
    no_token = await api.client.get("/v1/search", params=SEARCH)
    bad_token = await api.client.post(
        "/v1/search", json=SEARCH, headers={"Authorization": "Bearer not-a-token"}
    )
    assert (no_token.status_code, bad_token.status_code) == (401, 401)
    assert no_token.headers["WWW-Authenticate"] == bad_token.headers["WWW-Authenticate"] == "Bearer"
    assert bad_token.json() == {"detail": "the token is invalid or has expired: sign in again"}
    assert api.audit_events() == []


async def test_a_role_that_may_not_search_is_403_and_the_attempt_is_audited(
    api: SearchApi,
) -> None:
    response = await api.client.post(
        "/v1/search", json=SEARCH, headers=api.token("ig_officer", subject="iggy")
    )
    assert response.status_code == 403
    assert "Ada" not in response.text
    [event] = api.audit_events()
    assert (event.actor, event.action, event.outcome) == ("iggy", "search", "denied")
    assert event.criteria == {"name": "Ada", "postcode": "LS6 1AA"}
    assert event.result_ids == []


async def test_a_missing_reason_is_422_naming_reason(api: SearchApi) -> None:
    response = await api.client.get(
        "/v1/search", params={"name": "Ada"}, headers=api.token("practitioner")
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["query", "reason"]]
    assert api.audit_events() == []


async def test_the_reason_may_come_in_a_header(api: SearchApi) -> None:
    headers = {**api.token("duty_manager"), "X-Lateral-Reason": "strategy discussion"}
    by_query = await api.client.get(
        "/v1/search", params={"nhs_number": "943 476 5919"}, headers=headers
    )
    by_body = await api.client.post(
        "/v1/search", json={"nhs_number": "943 476 5919"}, headers=headers
    )
    assert (by_query.status_code, by_body.status_code) == (200, 200)
    assert by_query.json()["total"] == by_body.json()["total"] == 1
    assert [e.reason for e in api.audit_events()] == ["strategy discussion"] * 2


async def test_invalid_criteria_name_the_field_without_echoing_it(api: SearchApi) -> None:
    response = await api.client.post(
        "/v1/search",
        json={"nhs_number": "9434765918", "dob": "1999-13", "reason": "checking"},
        headers=api.token("practitioner"),
    )
    assert response.status_code == 422
    locs = sorted(tuple(d["loc"]) for d in response.json()["detail"])
    assert locs == [("body", "dob"), ("body", "nhs_number")]
    assert "9434765918" not in response.text
    assert "1999-13" not in response.text
    assert "input" not in response.text


async def test_a_search_is_audited_before_the_answer_is_sent(api: SearchApi) -> None:
    api.bus.release.clear()  # hold back the bus acknowledgement
    request = asyncio.create_task(
        api.client.post("/v1/search", json=SEARCH, headers=api.token("practitioner"))
    )
    await asyncio.wait_for(api.bus.publishing.wait(), timeout=5)
    await asyncio.sleep(0.05)
    assert not request.done()  # the answer waits for the audit acknowledgement
    api.bus.release.set()
    response = await request
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    hit = body["results"][0]
    assert (hit["person_id"], hit["date_of_birth"], hit["postcode"]) == (
        "person-ada",
        "2012-03-04",
        "LS6 1AA",
    )
    assert hit["agencies"] == ["childrens_social_care"]
    assert hit["has_open_case"] is True
    [event] = api.audit_events()
    assert (event.actor, event.action, event.outcome) == ("pat", "search", "success")
    assert event.reason == "section 47 enquiry"
    assert event.criteria == {"name": "Ada", "postcode": "LS6 1AA"}
    assert event.result_ids == ["person-ada"]
    assert response.headers["cache-control"] == "no-store"


async def test_when_the_audit_trail_is_down_no_results_are_shown(api: SearchApi) -> None:
    api.bus.fail_publish = True
    response = await api.client.post("/v1/search", json=SEARCH, headers=api.token("practitioner"))
    assert response.status_code == 503
    assert response.json() == {
        "detail": "the audit trail is unavailable, so no results can be shown; try again shortly"
    }
    person = await api.client.get(
        "/v1/persons/person-ada", params={"reason": "follow-up"}, headers=api.token("practitioner")
    )
    assert person.status_code == 503
    assert "Ada" not in response.text + person.text
    assert "person-ada" not in response.text + person.text


async def test_opening_a_person_is_audited_and_returns_the_whole_document(api: SearchApi) -> None:
    response = await api.client.get(
        "/v1/persons/person-ada",
        params={"reason": "planning a home visit"},
        headers=api.token("admin", subject="root"),
    )
    assert response.status_code == 200
    person = response.json()
    assert person["nhs_numbers"] == ["9434765919"]
    assert person["records"][0]["lead_professional"]["name"] == "Sam Worker"
    [event] = api.audit_events()
    assert (event.actor, event.action, event.reason) == (
        "root",
        "view_person",
        "planning a home visit",
    )
    assert (event.criteria, event.result_ids) == ({"person_id": "person-ada"}, ["person-ada"])


async def test_an_unknown_person_is_404_and_still_audited(api: SearchApi) -> None:
    response = await api.client.get(
        "/v1/persons/nobody",
        headers={**api.token("practitioner"), "X-Lateral-Reason": "checking a referral"},
    )
    assert response.status_code == 404
    [event] = api.audit_events()
    assert (event.criteria, event.result_ids) == ({"person_id": "nobody"}, [])


async def test_opening_a_person_without_a_reason_is_422(api: SearchApi) -> None:
    response = await api.client.get("/v1/persons/person-ada", headers=api.token("practitioner"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "reason"]
    assert api.audit_events() == []


async def test_the_openapi_description_documents_searching_by_body(api: SearchApi) -> None:
    """POST /v1/search is served by a plain Starlette route, not an API route; the OpenAPI
    description must still document it."""
    spec = (await api.client.get("/openapi.json")).json()["paths"]["/v1/search"]["post"]
    body = spec["requestBody"]["content"]["application/json"]["schema"]
    assert {"name", "dob", "postcode", "nhs_number", "reason"} <= set(body["properties"])
    assert [p["name"] for p in spec["parameters"]] == ["x-lateral-reason"]
