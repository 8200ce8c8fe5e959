"""The rules-v1 linking rules on their own (pure, no database)."""

from __future__ import annotations

import json

from lateral_matcher.domain.linking import (
    MODEL_VERSION,
    decide_link,
    has_person_details,
    new_person_id,
    person_keys,
)
from lateral_shared.contracts.records import CleanPerson

AMY = CleanPerson(
    forename="Amy",
    surname="Smith",
    date_of_birth="2012-03-04",
    dob_precision="day",
    nhs_number="9434765919",
)


def test_an_nhs_number_on_a_person_wins_over_name_and_date_of_birth() -> None:
    decision = decide_link(
        record_key="f/1", person=AMY, person_by_nhs_number="p-nhs", person_by_name_and_dob="p-name"
    )
    assert decision.person_id == "p-nhs"
    assert decision.explanation.rule == "nhs_number"
    assert not decision.is_new_person


def test_name_and_date_of_birth_link_when_no_person_has_the_nhs_number() -> None:
    decision = decide_link(
        record_key="f/1", person=AMY, person_by_nhs_number=None, person_by_name_and_dob="p-name"
    )
    assert decision.person_id == "p-name"
    assert decision.explanation.rule == "name_and_dob"
    assert "same name and date of birth" in decision.explanation.summary


def test_no_match_starts_a_new_person_with_an_id_derived_from_the_record() -> None:
    decision = decide_link(
        record_key="f/1", person=AMY, person_by_nhs_number=None, person_by_name_and_dob=None
    )
    assert decision.is_new_person
    assert decision.person_id == new_person_id("f/1")
    assert decision.explanation.rule == "new_person"
    assert decision.explanation.model_version == "rules-v1" == MODEL_VERSION


def test_new_person_ids_are_stable_and_differ_between_records() -> None:
    assert new_person_id("csc/1") == new_person_id("csc/1")
    assert new_person_id("csc/1") != new_person_id("csc/2")


def test_name_key_ignores_case_and_spacing() -> None:
    shouted = CleanPerson(forename="  AMY ", surname="smith", date_of_birth="2012-03-04")
    assert person_keys(shouted).name_and_dob == person_keys(AMY).name_and_dob


def test_partial_date_of_birth_or_missing_surname_gives_no_name_key() -> None:
    assert (
        person_keys(
            CleanPerson(forename="Amy", surname="Smith", date_of_birth="2012-03")
        ).name_and_dob
        is None
    )
    assert person_keys(CleanPerson(forename="Amy", date_of_birth="2012-03-04")).name_and_dob is None


def test_a_record_without_person_details_links_to_no_person() -> None:
    assert not has_person_details(None)
    assert not has_person_details(CleanPerson(gender="male"))
    decision = decide_link(
        record_key="police/9",
        person=CleanPerson(gender="male"),
        person_by_nhs_number=None,
        person_by_name_and_dob=None,
    )
    assert decision.person_id is None
    assert decision.explanation.rule == "address_only"


def test_explanations_carry_no_personal_data() -> None:
    for found in ({"person_by_nhs_number": "p"}, {"person_by_name_and_dob": "p"}, {}):
        lookups = {"person_by_nhs_number": None, "person_by_name_and_dob": None, **found}
        text = json.dumps(
            decide_link(record_key="f/1", person=AMY, **lookups).explanation.model_dump(mode="json")
        ).casefold()
        for personal in ("amy", "smith", "2012", "9434765919"):
            assert personal not in text
