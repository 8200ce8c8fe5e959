"""The HTML pages: sign in with a protected cookie, search and open a person, all audited."""

from __future__ import annotations

import re
from typing import Any

SearchApi = Any  # the `api` fixture (conftest.py)
FORM = {
    "name": "Ada",
    "dob": "",
    "postcode": "ls61aa",
    "nhs_number": "",
    "ref_id": "",
    "reason": "section 47 enquiry",
}


async def _sign_in(api: SearchApi) -> None:
    response = await api.client.post(
        "/ui/sign-in", data={"username": "pat", "password": api.password}
    )
    assert response.status_code == 303


async def test_signed_out_visitors_see_a_labelled_sign_in_form(api: SearchApi) -> None:
    page = await api.client.get("/")
    assert page.status_code == 200
    assert '<label for="username">' in page.text
    assert '<label for="password">' in page.text
    assert 'action="/ui/sign-in"' in page.text


async def test_signing_in_sets_an_httponly_strict_cookie(api: SearchApi) -> None:
    response = await api.client.post(
        "/ui/sign-in", data={"username": "pat", "password": api.password}
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    home = await api.client.get("/")
    assert 'action="/ui/search"' in home.text
    assert '<label for="reason">' in home.text


async def test_a_wrong_password_shows_the_generic_message(api: SearchApi) -> None:
    response = await api.client.post(
        "/ui/sign-in", data={"username": "pat", "password": "not it at all"}
    )
    assert response.status_code == 401
    assert "the username or password is not right" in response.text
    assert "set-cookie" not in response.headers


async def test_a_search_shows_results_and_is_audited(api: SearchApi) -> None:
    await _sign_in(api)
    page = await api.client.post("/ui/search", data=FORM)
    assert page.status_code == 200
    assert "Ada Testwood" in page.text
    assert 'action="/ui/persons/person-ada"' in page.text
    # The reason travels on to the person page in the form, not in a URL.
    assert re.search(r'name="reason" value="section 47 enquiry"', page.text)
    assert page.headers["cache-control"] == "no-store"
    [event] = api.audit_events()
    assert (event.actor, event.action) == ("pat", "search")
    assert event.criteria == {"name": "Ada", "postcode": "ls61aa"}
    assert event.result_ids == ["person-ada"]


async def test_a_search_without_a_reason_says_which_field_is_missing(api: SearchApi) -> None:
    await _sign_in(api)
    page = await api.client.post("/ui/search", data={**FORM, "reason": ""})
    assert page.status_code == 422
    assert 'href="#reason"' in page.text
    assert "Ada Testwood" not in page.text
    assert api.audit_events() == []


async def test_opening_a_person_shows_whom_to_call_and_is_audited(api: SearchApi) -> None:
    await _sign_in(api)
    page = await api.client.post("/ui/persons/person-ada", data={"reason": "section 47 enquiry"})
    assert page.status_code == 200
    assert "Sam Worker" in page.text
    assert "0113 496 0000" in page.text
    [event] = api.audit_events()
    assert (event.action, event.result_ids, event.reason) == (
        "view_person",
        ["person-ada"],
        "section 47 enquiry",
    )


async def test_no_results_are_shown_when_the_audit_trail_is_down(api: SearchApi) -> None:
    await _sign_in(api)
    api.bus.fail_publish = True
    page = await api.client.post("/ui/search", data=FORM)
    assert page.status_code == 503
    assert "the audit trail is unavailable, so no results can be shown" in page.text
    assert "Ada Testwood" not in page.text
    assert "person-ada" not in page.text


async def test_searching_with_an_expired_or_missing_cookie_asks_to_sign_in(api: SearchApi) -> None:
    page = await api.client.post("/ui/search", data=FORM)
    assert page.status_code == 401
    assert "Sign in again" in page.text
    assert api.audit_events() == []
