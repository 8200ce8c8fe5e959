"""Each comparison's agreement levels, as tables of cases (pure logic)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from lateral_matcher.domain.candidates import PersonScorer
from lateral_matcher.domain.comparisons import COMPARISONS, NULL, compare, compare_against
from lateral_matcher.domain.profile import (
    PersonProfile,
    clear_profiles,
    person_profile,
    profile_json,
    stored_profile,
)
from lateral_matcher.domain.shipped import load_shipped_model
from lateral_shared.contracts.records import (
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    RecordStatus,
)


def profile(
    *, feed: str = "csc", uprn: str | None = None, postcode: str | None = None,
    sector: str | None = None, **person: Any,
) -> PersonProfile:  # fmt: skip
    address = None
    if uprn or postcode:
        address = CleanAddress(uprn=uprn, postcode=postcode, sector=sector)
    record = CleanRecord(
        record_key=f"{feed}/1", partner_id="p", feed_id=feed, source_record_id="1",
        agency_kind=AgencyKind.HEALTH, event_type="emergency_attendance",
        event_date=date(2025, 1, 1), status=RecordStatus.CLOSED,
        person=CleanPerson(**person), address=address, content_hash="h",
    )  # fmt: skip
    result = person_profile(record)
    assert result is not None
    return result


def level(name: str, one: PersonProfile, other: PersonProfile) -> str:
    index = next(i for i, c in enumerate(COMPARISONS) if c.name == name)
    found = compare(one, other)[index]
    return "null" if found == NULL else COMPARISONS[index].levels[found]


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("William", "William", "exact"),
        ("Bill", "William", "known_short_form"),
        ("William", "Bill", "known_short_form"),
        ("Peggy", "Margaret", "known_short_form"),
        ("Sam", "Samantha", "known_short_form"),
        ("Jonathon", "Jonathan", "close_spelling"),
        ("Isobel", "Isabel", "similar_spelling"),
        ("W", "William", "initial"),
        ("J", "William", "disagree"),
        ("Oliver", "Harry", "disagree"),
        (None, "William", "null"),
    ],
)
def test_forename_levels(one: str | None, other: str, expected: str) -> None:
    assert level("forename", profile(forename=one), profile(forename=other)) == expected


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("Smith", "Smith", "exact"),
        ("O'Brien", "OBrien", "exact"),
        ("Smith-Jones", "Jones", "shared_part"),
        ("Lloyd George", "George", "shared_part"),
        ("Thompson", "Thomson", "close_spelling"),
        ("Smith", "Smyth", "similar_spelling"),
        ("Smith", "Patel", "disagree"),
        ("Smith", None, "null"),
    ],
)
def test_surname_levels(one: str | None, other: str | None, expected: str) -> None:
    assert level("surname", profile(surname=one), profile(surname=other)) == expected


def test_a_married_surname_disagrees_but_a_former_name_kept_as_other_name_matches() -> None:
    before = profile(surname="Jones")
    after = profile(surname="Smith", aliases=["Jones"])
    assert level("surname", before, after) == "disagree"
    assert level("other_names", before, after) == "match"
    assert level("other_names", profile(surname="Jones"), profile(surname="Smith")) == "null"
    # Agreeing surnames are not counted again through the other names.
    assert level("other_names", profile(surname="Smith"), after) == "null"
    assert level("other_names", profile(surname="Patel"), after) == "disagree"


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("2012-03-04", "2012-03-04", "exact"),
        ("2012-03-04", "2012-04-03", "day_month_swapped"),
        ("2012-03-04", "2011-03-04", "year_off_by_one"),
        ("2012-03-04", "2012-03-14", "one_digit_wrong"),
        ("2012-03-04", "2072-03-04", "one_digit_wrong"),  # a typed year
        ("2012-03-04", "2012-08-04", "one_digit_wrong"),  # a typed month
        ("2012-03-04", "2012-03-24", "one_digit_wrong"),
        ("2012-03-04", "2012-03-25", "disagree"),  # two digits of the day
        ("2012-03-04", "2072-03-05", "disagree"),  # a digit of the year and one of the day
        ("2012-03-04", "2012-08-05", "disagree"),  # a digit of the month and one of the day
        ("2012-03-04", "2017-03-07", "disagree"),
        ("2012-03-04", "2012-03", "agree_as_far_as_known"),
        ("2012", "2012-03-04", "agree_as_far_as_known"),
        ("2012-03", "2012-04", "disagree"),
        ("2012-03-04", "1990-07-21", "disagree"),
        (None, "2012-03-04", "null"),
    ],
)
def test_date_of_birth_levels(one: str | None, other: str, expected: str) -> None:
    assert level("date_of_birth", profile(date_of_birth=one), profile(date_of_birth=other)) == (
        expected
    )


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ({"uprn": "100023336956", "postcode": "LS6 1AB"}, {"uprn": "100023336956"}, "same_uprn"),
        ({"postcode": "LS6 1AB", "sector": "LS6 1"}, {"postcode": "LS6 1AB"}, "same_postcode"),
        ({"postcode": "LS6 1AB", "sector": "LS6 1"}, {"postcode": "LS6 1ZZ", "sector": "LS6 1"},
         "same_postcode_sector"),
        ({"postcode": "LS6 1AB", "sector": "LS6 1"}, {"postcode": "M1 1AA", "sector": "M1 1"},
         "disagree"),
        ({"postcode": "ZZ99 3VZ"}, {"postcode": "ZZ99 3VZ"}, "null"),
        ({}, {"postcode": "LS6 1AB"}, "null"),
    ],
)  # fmt: skip
def test_address_levels(one: dict[str, str], other: dict[str, str], expected: str) -> None:
    assert level("address", profile(**one), profile(**other)) == expected


@pytest.mark.parametrize(
    ("name", "one", "other", "expected"),
    [
        ("gender", {"gender": "female"}, {"gender": "female"}, "agree"),
        ("gender", {"gender": "female"}, {"gender": "male"}, "disagree"),
        ("gender", {"gender": "unknown"}, {"gender": "male"}, "null"),
        ("nhs_number", {"nhs_number": "9434765919"}, {"nhs_number": "9434765919"}, "same"),
        ("nhs_number", {"nhs_number": "9434765919"}, {"nhs_number": "9434765870"}, "different"),
        ("nhs_number", {}, {"nhs_number": "9434765919"}, "null"),
        ("feed_person_id", {"person_ref": "A1"}, {"person_ref": "A1"}, "same"),
        ("feed_person_id", {"person_ref": "A1"}, {"person_ref": "A2"}, "different"),
    ],
)
def test_gender_nhs_number_and_person_id_levels(
    name: str, one: dict[str, str], other: dict[str, str], expected: str
) -> None:
    assert level(name, profile(**one), profile(**other)) == expected


def test_person_ids_of_different_feeds_are_not_compared() -> None:
    one, other = profile(feed="csc", person_ref="A1"), profile(feed="asc", person_ref="A1")
    assert level("feed_person_id", one, other) == "null"


def varied_profiles() -> list[PersonProfile]:
    """150 profiles drawn from values that reach every level of every comparison."""
    rng = random.Random(3)  # noqa: S311 -- test data, not security
    forenames = [None, "William", "Bill", "W", "Wiliam", "Willem", "Oliver", "O", "Peggy"]
    surnames = [None, "Smith", "Smith-Jones", "SmithJones", "Jones", "Smyth", "Smithe", "Brown"]
    aliases: list[list[str]] = [[], ["Jones"], ["Brown", "Ann Smith"], ["Taylor"]]
    dates = [None, "1990", "1990-05", "1991-05", "1990-05-12", "1990-12-05", "1991-05-12",
             "1990-05-13", "1990-06-12", "2001-03-04"]  # fmt: skip
    places: list[dict[str, str]] = [
        {}, {"uprn": "100"}, {"uprn": "101"}, {"postcode": "LS1 4AB", "sector": "LS1 4"},
        {"postcode": "LS1 4XY", "sector": "LS1 4"}, {"postcode": "LS2 9ZZ", "sector": "LS2 9"},
        {"uprn": "100", "postcode": "LS1 4AB", "sector": "LS1 4"},
    ]  # fmt: skip
    profiles = []
    for _ in range(150):
        profiles.append(profile(
            feed=rng.choice(["csc", "asc"]), forename=rng.choice(forenames),
            surname=rng.choice(surnames), aliases=rng.choice(aliases),
            date_of_birth=rng.choice(dates), gender=rng.choice(["male", "female", "unknown"]),
            nhs_number=rng.choice([None, "9434765919", "9434765870"]),
            person_ref=rng.choice([None, "A1", "A2"]), **rng.choice(places),
        ))  # fmt: skip
    return profiles


def test_every_pair_compares_as_each_comparison_on_its_own_says() -> None:
    """`compare` (one function, for speed) and `compare_against` (one record against many)
    give each comparison's own level for every pair."""
    profiles = varied_profiles()
    seen: set[tuple[int, ...]] = set()
    for one in profiles:
        against = compare_against(one, profiles)
        for other, batched in zip(profiles, against, strict=True):
            pattern = compare(one, other)
            assert pattern == tuple(c.compare(one, other) for c in COMPARISONS)
            assert batched == pattern
            seen.add(pattern)
    assert len(seen) > 500  # the pairs reach many combinations of levels


def test_one_record_scored_against_many_as_pair_by_pair() -> None:
    """`PersonScorer.compared_against` gives each pair's levels, weights and match weight."""
    profiles = varied_profiles()
    batched, pairwise = PersonScorer(load_shipped_model()), PersonScorer(load_shipped_model())
    for one in profiles:
        expected = [pairwise.compared(one, other) for other in profiles]
        assert batched.compared_against(one, profiles) == expected


def test_a_profile_read_back_from_its_stored_form_is_the_same_profile() -> None:
    """The store keeps each record's profile beside it and candidates are read from that: read
    back, every field, the derived forms and the signature are as profiling the record gave; a
    profile stored in another format, or one that cannot be read, is not used."""
    clear_profiles()
    profiles = varied_profiles()
    for original in profiles:
        text = profile_json(original)
        read = stored_profile(original.record_key, text)
        assert read == original
        assert read is not None
        assert (read.signature_key, read.full_dob) == (original.signature_key, original.full_dob)
        assert read.formal_names == original.formal_names
        assert [compare(read, other) for other in profiles[:20]] == [
            compare(original, other) for other in profiles[:20]
        ]
        assert stored_profile(original.record_key, "[0," + text.split(",", 1)[1]) is None
        assert stored_profile(original.record_key, text[:-1]) is None  # cut short: not JSON
        assert stored_profile(original.record_key, text[:-1] + ',"x"]') is None  # one too many
