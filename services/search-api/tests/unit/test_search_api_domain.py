"""Pure search-api rules: what a search may ask, how passwords are kept, and result summaries."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from lateral_search_api.domain.criteria import SearchRequest, describe_errors, nhs_number_is_valid
from lateral_search_api.domain.passwords import hash_password, password_problem, verify_password
from lateral_search_api.domain.summaries import current_address
from lateral_shared.index.documents import PersonAddress


def test_nhs_numbers_are_checked_with_modulus_11() -> None:
    assert nhs_number_is_valid("9434765919")
    assert nhs_number_is_valid("9000000009")
    assert not nhs_number_is_valid("9434765918")  # wrong check digit
    assert not nhs_number_is_valid("9876544321")  # often quoted, but invalid
    assert not nhs_number_is_valid("943476591")


def test_a_search_records_only_the_criteria_given_in_normal_form() -> None:
    request = SearchRequest(
        name=" Ada  ",
        nhs_number="943 476 5919",
        dob="04/03/2012",
        postcode="",
        reason="section 47 enquiry",
    )
    assert request.criteria() == {"name": "Ada", "nhs_number": "9434765919", "dob": "2012-03-04"}
    query = request.to_query()
    assert (query.date_of_birth, query.nhs_number, query.postcode) == (
        "2012-03-04",
        "9434765919",
        None,
    )


@pytest.mark.parametrize("dob", ["2012", "2012-03", "2012-03-04"])
def test_partial_dates_of_birth_are_accepted(dob: str) -> None:
    assert SearchRequest(dob=dob, reason="why not").criteria() == {"dob": dob}


def test_problems_name_the_field_without_echoing_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        SearchRequest(dob="31/02/2012", nhs_number="9434765918", reason="ok reason")
    problems = describe_errors(caught.value)
    assert {p["field"] for p in problems} == {"dob", "nhs_number"}
    assert "31/02/2012" not in str(problems)
    assert "9434765918" not in str(problems)


def test_a_reason_is_required_and_at_least_three_characters() -> None:
    for given in ({}, {"reason": "no"}, {"reason": "x" * 201}):
        with pytest.raises(ValidationError) as caught:
            SearchRequest(name="Ada", **given)
        assert [p["field"] for p in describe_errors(caught.value)] == ["reason"]


def test_a_search_needs_at_least_one_criterion() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SearchRequest(name="  ", reason="home visit").to_query()


def test_passwords_are_salted_and_verified() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$")
    assert "correct horse" not in first
    assert verify_password("correct horse battery", first)
    assert not verify_password("correct horse battery!", first)
    assert not verify_password("correct horse battery", "not-a-hash")
    assert password_problem("short") is not None
    assert password_problem("long enough pass") is None


def test_the_current_address_is_the_one_seen_last() -> None:
    old = PersonAddress(lines=["1 Old Road"], postcode="LS6 1AA", last_seen=date(2024, 1, 1))
    new = PersonAddress(lines=["2 New Road"], postcode="LS7 2BB", last_seen=date(2025, 2, 1))
    undated = PersonAddress(lines=["3 Somewhere"], postcode=None)
    assert current_address([old, undated, new]) == new
    assert current_address([]) is None
