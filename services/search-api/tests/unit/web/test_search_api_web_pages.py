"""The person and address pages, reporting a wrong link, the role matrix, and what every page
carries (its security policy and GOV.UK Frontend)."""

from __future__ import annotations

import re
import time
from datetime import date
from typing import Any

import httpx
import pytest

from lateral_search_api.entrypoints.web.rendering import script_hash
from lateral_search_api.entrypoints.web.sessions import WebSession
from lateral_shared.contracts.events import LinkReported
from lateral_shared.contracts.topics import LINKS_REPORTED, decode_event
from lateral_shared.index import address_id

WebClient = Any  # the `web` fixture (web/conftest.py)
HOME = "uprn:100023336956"  # the synthetic household's address (web/conftest.py)
ROLES = ("practitioner", "duty_manager", "ig_officer", "admin")


async def test_the_person_page_shows_identity_records_and_whom_to_call(web: WebClient) -> None:
    await web.signed_in_with_reason()
    page = await web.client.get("/people/person-cara")
    assert page.status_code == 200
    text = page.text
    assert '<h1 class="govuk-heading-l">Cara Lindqvist</h1>' in text
    assert "Kara Lindqvist" in text  # an alias
    assert "943 476 5919" in text  # NHS number shown 3-3-4
    assert "2013-06-02" in text and "Female" in text
    assert "Sam Worker" in text and "Leeds North CIN team" in text
    assert 'href="tel:01134960000"' in text and 'href="mailto:sam.worker@example.org"' in text
    assert "Child in need" in text and "Emergency attendance" in text
    assert 'class="govuk-tabs"' in text
    [event] = web.audit("view_person")
    # The household shown with her is part of what was opened.
    assert (event.actor, event.reason, event.result_ids) == (
        "pat", "Case CIN-2024-0012", ["person-cara", "person-dana", "person-eli"],
    )  # fmt: skip


async def test_the_person_page_shows_the_household_at_the_current_address(web: WebClient) -> None:
    await web.signed_in_with_reason()
    text = (await web.client.get("/people/person-cara")).text
    household = text[text.index('id="household"') : text.index('id="activity"')]
    assert 'href="/people/person-dana">Dana Lindqvist</a>' in household
    assert "Adult social care" in household
    # A past resident within the window is listed after the current ones, marked as past.
    assert household.index("Dana Lindqvist") < household.index("Eli Moss")
    assert "In the past" in household
    assert "person-cara" not in household  # not her own household member


async def test_the_activity_chart_is_an_svg_with_a_table_alternative(web: WebClient) -> None:
    await web.signed_in_with_reason()
    text = (await web.client.get("/people/person-cara")).text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text and 'role="img"' in text
    assert "Agency activity by month" in text
    table = text[text.index("Records by month and agency") :]
    assert date.today().strftime("%b %Y") in table


async def test_link_explanations_are_shown_in_plain_words(web: WebClient) -> None:
    await web.signed_in_with_reason()
    text = (await web.client.get("/people/person-cara")).text
    assert "Same NHS number; surname the same; born the same day." in text
    assert "Health: emergency attendance" in text
    assert "This is not the same person" in text


async def test_an_unknown_person_is_a_404_page_and_still_audited(web: WebClient) -> None:
    await web.signed_in_with_reason()
    page = await web.client.get("/people/person-nobody")
    assert page.status_code == 404
    [event] = web.audit("view_person")
    assert event.result_ids == []


async def test_no_person_is_shown_when_the_audit_trail_is_down(web: WebClient) -> None:
    await web.signed_in_with_reason()
    web.api.bus.fail_publish = True
    page = await web.client.get("/people/person-cara")
    assert page.status_code == 503
    assert "Lindqvist" not in page.text and "Sam Worker" not in page.text


async def test_reporting_a_wrong_link_sends_it_for_review_and_audits_it(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    sent = await web.client.post("/people/person-cara/report-link", data={
        "csrf_token": csrf, "record_key": "ed/E-4",
        "report_reason": "Our records show a different date of birth."})  # fmt: skip
    assert (sent.status_code, sent.headers["location"]) == (303, "/people/person-cara?reported=1")
    [raw] = web.api.bus.values(LINKS_REPORTED)
    report = decode_event(LINKS_REPORTED, raw)
    assert isinstance(report, LinkReported)
    assert (report.person_id, report.record_key, report.reported_by) == (
        "person-cara", "ed/E-4", "pat",
    )  # fmt: skip
    assert report.reason == "Our records show a different date of birth."
    [event] = web.audit("report_link")
    assert event.criteria == {"person_id": "person-cara", "record_key": "ed/E-4"}
    assert "Report sent" in (await web.client.get(sent.headers["location"])).text


async def test_a_report_without_words_or_csrf_token_is_not_sent(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    empty = await web.client.post("/people/person-cara/report-link", data={
        "csrf_token": csrf, "record_key": "ed/E-4", "report_reason": ""})  # fmt: skip
    assert empty.status_code == 422
    forged = await web.client.post("/people/person-cara/report-link", data={
        "record_key": "ed/E-4", "report_reason": "not the same"})  # fmt: skip
    assert forged.status_code == 403
    assert web.api.bus.values(LINKS_REPORTED) == []


async def test_a_report_is_not_sent_when_it_cannot_be_audited(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    web.api.bus.fail_publish = True
    page = await web.client.post("/people/person-cara/report-link", data={
        "csrf_token": csrf, "record_key": "ed/E-4", "report_reason": "not the same"})  # fmt: skip
    assert page.status_code == 503
    web.api.bus.fail_publish = False
    assert web.api.bus.values(LINKS_REPORTED) == []


def address_link(page: httpx.Response) -> str:
    """The first address page link on a page."""
    match = re.search(r'href="(/addresses/[^"]+)"', page.text)
    assert match, "the page links to an address"
    return match.group(1)


async def test_the_address_page_lists_residents_and_address_only_records(web: WebClient) -> None:
    await web.signed_in_with_reason()
    page = await web.client.get(address_link(await web.client.get("/people/person-cara")))
    assert page.status_code == 200
    text = page.text
    assert "100023336956" in text  # the UPRN
    assert "Dana Lindqvist" in text and "Cara Lindqvist" in text
    assert "Eli Moss" in text and "In the past" in text
    assert "Concern for welfare" in text and "Police" in text  # no person named
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text
    [event] = web.audit("view_address")
    assert event.criteria == {"address_id": address_id(HOME)}
    assert event.reason == "Case CIN-2024-0012"
    assert event.result_ids == [address_id(HOME), "person-cara", "person-dana", "person-eli"]


async def test_address_links_do_not_carry_the_address(web: WebClient) -> None:
    await web.signed_in_with_reason()
    person = await web.client.get("/people/person-cara")
    links = re.findall(r'href="(/addresses/[^"]+)"', person.text)
    assert links, "the person page links to her addresses"
    for link in links:
        assert not {"100023336956", "Orchard", "LS6", "Old", "LS7"} & set(re.split(r"\W", link))
    assert (await web.client.get(links[0])).status_code == 200


async def test_an_unknown_address_is_a_404_page_and_still_audited(web: WebClient) -> None:
    await web.signed_in_with_reason()
    page = await web.client.get(f"/addresses/{address_id('uprn:1')}")
    assert page.status_code == 404
    [event] = web.audit("view_address")
    assert event.result_ids == []


# --- roles --------------------------------------------------------------------------------------

ALLOWED = {"practitioner": True, "duty_manager": True, "admin": True, "ig_officer": False}


@pytest.mark.parametrize("role", ROLES)
async def test_each_page_for_each_role(web: WebClient, role: str) -> None:
    await web.add_user(f"user-{role}", role)
    csrf = await web.sign_in(f"user-{role}")
    if ALLOWED[role]:
        await web.give_reason(csrf)
    else:
        # Without a search role there is no reason page to reach, so set one directly.
        refused = await web.client.post("/reason", data={"csrf_token": csrf, "choice": "purpose:0"})
        assert refused.status_code == 403
    pages = {
        "search form": await web.client.get("/search"),
        "search": await web.client.post("/search", data={"csrf_token": csrf, "name": "Cara"}),
        "report": await web.client.post("/people/person-cara/report-link", data={
            "csrf_token": csrf, "record_key": "ed/E-4", "report_reason": "not her"}),
    }  # fmt: skip
    expected = 200 if ALLOWED[role] else 403
    assert {name: r.status_code for name, r in pages.items()} == {
        "search form": expected, "search": expected, "report": 303 if ALLOWED[role] else 403,
    }  # fmt: skip
    home = await web.client.get("/")
    assert home.status_code == (303 if ALLOWED[role] else 200)


@pytest.mark.parametrize("role", ROLES)
async def test_opening_records_for_each_role_is_audited(web: WebClient, role: str) -> None:
    await web.add_user(f"user-{role}", role)
    now = int(time.time())
    # The reason is set in the session directly: an ig_officer cannot reach the reason page.
    session = WebSession(subject=f"user-{role}", roles=(role,), started=now, reason="Case CP-1")
    await web.use_session(session, last_active=now)
    person = await web.client.get("/people/person-cara")
    address = await web.client.get(f"/addresses/{address_id(HOME)}")
    expected = 200 if ALLOWED[role] else 403
    assert (person.status_code, address.status_code) == (expected, expected)
    outcomes = [(e.action, e.outcome) for e in web.api.audit_events()]
    outcome = "success" if ALLOWED[role] else "denied"
    assert outcomes == [("view_person", outcome), ("view_address", outcome)]
    if not ALLOWED[role]:
        assert "Lindqvist" not in person.text + address.text


async def test_every_inline_script_is_allowed_by_its_hash_and_no_other(web: WebClient) -> None:
    await web.signed_in_with_reason()
    page = await web.client.get("/people/person-cara")
    policy = page.headers["content-security-policy"]
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page.text, flags=re.S)
    assert len(scripts) == 2
    for source in scripts:
        assert script_hash(source) in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


async def test_govuk_frontend_is_served_from_assets(web: WebClient) -> None:
    css = await web.client.get("/assets/govuk-frontend.min.css")
    js = await web.client.get("/assets/govuk-frontend.min.js")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200 and "initAll" in js.text
    assert (await web.client.get("/assets/..%2Fui.py")).status_code == 404
