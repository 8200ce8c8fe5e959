"""Signing in to the web pages and the session: the cookie, CSRF tokens, time-outs, forgeries."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import async_sessionmaker

from lateral_search_api.config import SearchApiSettings
from lateral_search_api.entrypoints.web.sessions import COOKIE, SessionCookies, WebSession
from lateral_search_api.service_layer.users import set_disabled

WebClient = Any  # the `web` fixture (web/conftest.py)
PASSWORD = "a long demo password"  # noqa: S105 (the parent conftest's test-only account)


async def test_a_visitor_is_sent_to_a_labelled_sign_in_form(web: WebClient) -> None:
    home = await web.client.get("/")
    assert (home.status_code, home.headers["location"]) == (303, "/sign-in")
    page = await web.client.get("/sign-in")
    assert '<label class="govuk-label" for="username">' in page.text
    assert 'for="password"' in page.text
    assert 'href="/assets/govuk-frontend.min.css"' in page.text
    assert "govuk-crest" not in page.text and "Crown copyright" not in page.text


async def test_signing_in_sets_a_protected_session_cookie(web: WebClient) -> None:
    form = await web.client.get("/sign-in")
    done = await web.client.post("/sign-in", data={
        "csrf_token": web.csrf_of(form), "username": "PAT", "password": PASSWORD})  # fmt: skip
    assert done.status_code == 303
    cookie = done.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie
    # Served on loopback here, so not Secure: see test_the_cookie_is_secure_off_loopback.
    assert "secure" not in [part.strip() for part in cookie.split(";")]
    assert (await web.client.get("/")).headers["location"] == "/reason"


async def test_a_wrong_password_names_no_field_value_and_sets_no_session(web: WebClient) -> None:
    form = await web.client.get("/sign-in")
    page = await web.client.post("/sign-in", data={
        "csrf_token": web.csrf_of(form), "username": "pat", "password": "not the password",
    })  # fmt: skip
    assert page.status_code == 401
    assert "There is a problem" in page.text
    assert "not the password" not in page.text
    assert (await web.client.get("/")).headers["location"] == "/sign-in"


async def test_empty_sign_in_fields_are_each_named_in_the_error_summary(web: WebClient) -> None:
    form = await web.client.get("/sign-in")
    page = await web.client.post("/sign-in", data={"csrf_token": web.csrf_of(form)})
    assert page.status_code == 422
    assert 'href="#username"' in page.text and 'href="#password"' in page.text
    assert "Enter your password" in page.text


async def test_sign_in_without_the_forms_csrf_token_is_refused(web: WebClient) -> None:
    await web.client.get("/sign-in")
    page = await web.client.post("/sign-in", data={"username": "pat", "password": PASSWORD})
    assert page.status_code == 403
    assert (await web.client.get("/")).headers["location"] == "/sign-in"


async def test_signing_out_ends_the_session(web: WebClient) -> None:
    csrf = await web.sign_in()
    out = await web.client.post("/sign-out", data={"csrf_token": csrf})
    assert out.status_code == 303
    assert (await web.client.get("/search")).headers["location"] == "/sign-in"


async def test_a_copied_session_cookie_stops_working_once_its_owner_signs_out(
    web: WebClient,
) -> None:
    await web.signed_in_with_reason()
    copied = web.client.cookies[COOKIE]
    assert (await web.client.get("/search")).status_code == 200
    page = await web.client.get("/search")
    await web.client.post("/sign-out", data={"csrf_token": web.csrf_of(page)})
    web.client.cookies.clear()
    web.client.cookies.set(COOKIE, copied)  # the cookie as it was before signing out
    assert (await web.client.get("/search")).headers["location"] == "/sign-in"


async def test_disabling_an_account_ends_its_web_session_at_once(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    async with web.accounts() as db:
        ended = await set_disabled(db, username="pat", disabled=True)
    assert ended == 1
    page = await web.client.post("/search", data={"csrf_token": csrf, "name": "Cara"})
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in")
    assert "Your session ended" in (await web.client.get("/sign-in")).text
    assert web.audit("search") == []
    # Nor can the account sign in again until it is enabled.
    form = await web.client.get("/sign-in")
    refused = await web.client.post("/sign-in", data={
        "csrf_token": web.csrf_of(form), "username": "pat", "password": PASSWORD,
    })  # fmt: skip
    assert refused.status_code != 303


async def test_an_idle_session_ends_and_the_sign_in_page_says_so(web: WebClient) -> None:
    now = int(time.time())
    session = WebSession(subject="pat", roles=("practitioner",), started=now - 3600,
                         reason="Case CIN-1")  # fmt: skip
    # Active 29 minutes ago: still signed in (the default idle time-out is 30 minutes).
    await web.use_session(session, last_active=now - 29 * 60)
    assert (await web.client.get("/search")).status_code == 200
    # 31 minutes ago: signed out, and told why.
    await web.use_session(session, last_active=now - 31 * 60)
    page = await web.client.post("/search", data={"csrf_token": session.csrf, "name": "Cara"})
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in")
    assert "Your session ended" in (await web.client.get("/sign-in")).text
    assert web.audit("search") == []


async def test_a_session_ends_after_its_maximum_age_however_active(web: WebClient) -> None:
    now = int(time.time())
    session = WebSession(subject="pat", roles=("practitioner",), started=now - 11 * 3600,
                         reason="Case CIN-1")  # fmt: skip
    await web.use_session(session, last_active=now - 60)
    assert (await web.client.get("/search")).headers["location"] == "/sign-in"


async def test_a_forged_session_cookie_is_not_accepted(web: WebClient) -> None:
    now = int(time.time())
    forged = WebSession(subject="admin", roles=("admin",), started=now, reason="Case X")
    other_key = "another-key-entirely-0123456789abcdef"
    await web.use_session(forged, last_active=now, secret=other_key)
    assert (await web.client.get("/search")).headers["location"] == "/sign-in"


async def test_an_api_bearer_token_is_not_a_session_cookie(web: WebClient) -> None:
    bearer = web.api.token("admin")["Authorization"].removeprefix("Bearer ")
    web.client.cookies.set(COOKIE, bearer)
    assert (await web.client.get("/search")).headers["location"] == "/sign-in"


@pytest.mark.parametrize(
    ("host", "environment", "secure"),
    [("127.0.0.1", "test", False), ("0.0.0.0", "test", True), ("127.0.0.1", "production", True)],  # noqa: S104
)
def test_the_cookie_is_secure_off_loopback(host: str, environment: str, secure: bool) -> None:
    settings = SearchApiSettings(
        http_host=host,
        environment=environment,
        secret_key="x" * 40,  # type: ignore[arg-type]
    )
    response = Response()
    cookies = SessionCookies(
        "x" * 40, async_sessionmaker(), idle_s=60, max_age_s=600, secure=settings.cookie_secure
    )
    cookies.save(response, WebSession(subject="pat", roles=("practitioner",)))
    parts = [p.strip().lower() for p in response.headers["set-cookie"].split(";")]
    assert ("secure" in parts) is secure
    assert "httponly" in parts and "samesite=strict" in parts


async def test_a_link_to_a_person_leads_there_after_sign_in_and_reason(web: WebClient) -> None:
    followed = await web.client.get("/people/person-cara")
    assert followed.headers["location"] == "/sign-in"
    csrf = await web.sign_in()
    chosen = await web.client.post("/reason", data={"csrf_token": csrf, "choice": "purpose:1"})
    assert chosen.headers["location"] == "/people/person-cara"
    assert web.audit("view_person") == []  # nothing was opened before the reason was given
    assert (await web.client.get("/people/person-cara")).status_code == 200
    [event] = web.audit("view_person")
    assert event.reason == "Child in need assessment"
    # Remembered once only: the next reason leads to the search page.
    again = await web.client.post("/reason", data={"csrf_token": csrf, "choice": "purpose:0"})
    assert again.headers["location"] == "/search"
