"""The reason for looking and the search page: validation naming each field, audit, pages."""

from __future__ import annotations

import re
from typing import Any

WebClient = Any  # the `web` fixture (web/conftest.py)


async def test_a_practitioner_gives_a_reason_before_searching(web: WebClient) -> None:
    csrf = await web.sign_in()
    assert (await web.client.get("/search")).headers["location"] == "/reason"
    page = await web.client.get("/reason")
    assert "Why are you looking?" in page.text
    assert "Section 47 enquiry" in page.text  # one of the configured purposes
    chosen = await web.client.post("/reason", data={"csrf_token": csrf, "choice": "purpose:0"})
    assert chosen.headers["location"] == "/search"
    search = await web.client.get("/search")
    assert "Your reason for looking: <strong>Section 47 enquiry</strong>" in search.text


async def test_a_case_reference_must_be_given_and_well_formed(web: WebClient) -> None:
    csrf = await web.sign_in()
    empty = await web.client.post("/reason", data={"csrf_token": csrf, "choice": "case"})
    assert empty.status_code == 422
    assert 'href="#case_reference"' in empty.text and "Enter the case reference" in empty.text
    free_text = await web.client.post("/reason", data={
        "csrf_token": csrf, "choice": "case", "case_reference": "Cara's family"})  # fmt: skip
    assert free_text.status_code == 422
    assert "Cara&#39;s family" in free_text.text  # kept in the box to correct, not elsewhere
    nothing = await web.client.post("/reason", data={"csrf_token": csrf})
    assert nothing.status_code == 422 and 'href="#choice"' in nothing.text


async def test_reasons_are_remembered_for_the_session(web: WebClient) -> None:
    csrf = await web.sign_in()
    await web.give_reason(csrf, "CIN-1")
    await web.give_reason(csrf, "CP-22")
    page = await web.client.get("/reason")
    assert 'value="previous:0"' in page.text and "Case CP-22" in page.text
    assert 'value="previous:1"' in page.text and "Case CIN-1" in page.text
    back = await web.client.post("/reason", data={"csrf_token": csrf, "choice": "previous:1"})
    assert back.status_code == 303
    await web.client.post("/search", data={"csrf_token": csrf, "name": "Cara"})
    [event] = web.audit("search")
    assert event.reason == "Case CIN-1"


async def test_a_search_by_name_and_birth_year_lists_the_person_and_is_audited(
    web: WebClient,
) -> None:
    csrf = await web.signed_in_with_reason()
    page = await web.client.post("/search", data={
        "csrf_token": csrf, "name": "Cara", "dob-year": "2013"})  # fmt: skip
    assert page.status_code == 200
    assert '<a class="govuk-link" href="/people/person-cara">Cara Lindqvist</a>' in page.text
    assert "7 Orchard Row, Leeds, LS6 2AB" in page.text  # the current address
    assert "Children&#39;s social care, Health" in page.text
    assert "govuk-tag--red" in page.text  # an open case
    assert page.headers["cache-control"] == "no-store"
    [event] = web.audit("search")
    assert (event.actor, event.reason) == ("pat", "Case CIN-2024-0012")
    assert event.criteria == {"name": "Cara", "dob": "2013"}
    assert event.result_ids == ["person-cara"]


async def test_a_day_without_a_month_is_refused_naming_the_month_box(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    page = await web.client.post("/search", data={
        "csrf_token": csrf, "name": "Cara", "dob-day": "2", "dob-year": "2013"})  # fmt: skip
    assert page.status_code == 422
    assert 'href="#dob-month"' in page.text
    assert "Date of birth must include a month" in page.text
    assert "govuk-input--width-2 govuk-input--error" in page.text
    assert web.audit("search") == []


async def test_a_bad_nhs_number_is_refused_naming_the_field(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    page = await web.client.post("/search", data={"csrf_token": csrf, "nhs_number": "943 476 5918"})
    assert page.status_code == 422
    assert 'href="#nhs_number"' in page.text
    assert "Enter a 10-digit NHS number with a valid check digit" in page.text


async def test_a_search_with_nothing_to_search_by_says_so(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    page = await web.client.post("/search", data={"csrf_token": csrf})
    assert page.status_code == 422
    assert "Enter at least one detail" in page.text


async def test_a_search_post_without_the_csrf_token_is_refused(web: WebClient) -> None:
    await web.signed_in_with_reason()
    page = await web.client.post("/search", data={"name": "Cara"})
    assert page.status_code == 403
    wrong = await web.client.post("/search", data={"csrf_token": "x" * 43, "name": "Cara"})
    assert wrong.status_code == 403
    assert "Cara Lindqvist" not in page.text + wrong.text
    assert web.audit("search") == []


async def test_no_results_are_shown_when_the_audit_trail_is_down(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    web.api.bus.fail_publish = True
    page = await web.client.post("/search", data={"csrf_token": csrf, "name": "Cara"})
    assert page.status_code == 503
    assert "The audit trail is unavailable" in page.text
    assert "Lindqvist" not in page.text and "person-cara" not in page.text


async def test_results_are_paginated_with_the_criteria_kept_out_of_urls(web: WebClient) -> None:
    cara = web.api.index.docs["person-cara"]
    await web.api.index.upsert_persons([
        cara.model_copy(update={"person_id": f"person-cara-{i}"}) for i in range(25)
    ])  # fmt: skip
    csrf = await web.signed_in_with_reason()
    first = await web.client.post("/search", data={"csrf_token": csrf, "name": "Cara"})
    assert "26 people found" in first.text and "Page 1 of 2" in first.text
    assert 'name="page" value="2"' in first.text
    assert 'type="hidden" name="name" value="Cara"' in first.text
    second = await web.client.post(
        "/search", data={"csrf_token": csrf, "name": "Cara", "page": "2"}
    )
    assert "Page 2 of 2" in second.text
    assert second.text.count('href="/people/person-cara') == 6


async def test_a_search_by_address_lists_the_address_with_its_residents(web: WebClient) -> None:
    csrf = await web.signed_in_with_reason()
    page = await web.client.post("/search", data={"csrf_token": csrf, "address": "LS6 2AB"})
    assert page.status_code == 200
    assert "1 address found" in page.text
    assert re.search(r'href="/addresses/[^"]+">7 Orchard Row, Leeds, LS6 2AB</a>', page.text)
    assert "2 now, 1 in the past" in page.text
    [event] = web.audit("search")
    assert event.criteria == {"address": "LS6 2AB"}
