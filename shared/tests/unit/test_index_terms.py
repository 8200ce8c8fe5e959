"""A person and a query reduced to the same search keys, for both index adapters."""

from __future__ import annotations

from datetime import UTC, datetime

from lateral_shared.index import PersonAddress, PersonDocument, PersonName, PersonQuery
from lateral_shared.index.terms import document_keys, query_keys


def test_every_name_postcode_and_identifier_of_a_person_is_a_key() -> None:
    doc = PersonDocument(
        person_id="p1",
        version=1,
        names=[PersonName(forename="Zoë", middle_names="Anne Marie", surname="Smith-Jones")],
        aliases=["Zed"],
        date_of_birth="2012-03",
        nhs_numbers=["943 476 5919"],
        postcodes=["ls6 1aa"],
        addresses=[PersonAddress(postcode="BD1 1AA")],
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    keys = document_keys(doc)
    assert keys["name_tokens"] == ["zoe", "anne", "marie", "smith", "jones", "zed"]
    assert keys["dob_keys"] == ["2012", "2012-03", "2012-03~"]
    assert keys["postcodes"] == ["LS61AA", "BD11AA"]
    assert keys["outward_codes"] == ["LS6", "BD1"]
    assert keys["nhs_numbers"] == ["9434765919"]
    assert keys["ref_ids"] == []


def test_a_query_becomes_scored_words_and_filters() -> None:
    keys = query_keys(PersonQuery(name="Jo  JOHNSON jo", postcode="ls6", nhs_number="9434 765919"))
    assert [(w.word, w.edits) for w in keys.words] == [("jo", 0), ("johnson", 2)]
    assert keys.filters == (("outward_codes", ("LS6",)), ("nhs_numbers", ("9434765919",)))
    assert not keys.unmatchable


def test_a_name_without_words_matches_nobody() -> None:
    assert query_keys(PersonQuery(name="?!", date_of_birth="2012")).unmatchable


def test_an_address_is_keyed_by_every_element_a_practitioner_might_type() -> None:
    doc = PersonDocument(
        person_id="p1",
        version=1,
        names=[PersonName(forename="J", surname="Smith")],
        addresses=[PersonAddress(lines=["Flat 3", "12A High St."], postcode="ls6 1aa", uprn="77")],
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    keys = document_keys(doc)
    assert keys["address_tokens"] == [
        "flat", "3", "12a", "high", "st", "ls61aa", "ls6", "ls61", "1aa", "77",
    ]  # fmt: skip
    assert keys["name_initials"] == ["j", "s"]


def test_postcode_pieces_in_a_searched_address_are_joined_back() -> None:
    keys = query_keys(PersonQuery(address="12 High St, LS6 1AA"))
    assert [values[0] for _, values in keys.filters] == ["12", "high", "saint", "ls61aa"]
    assert "street" in keys.filters[2][1]  # "St" is any way of writing Street (or Saint)
    sector = query_keys(PersonQuery(address="ls6 2"))
    assert sector.filters == (("address_tokens", ("ls62",)),)


def test_a_name_word_carries_its_nicknames() -> None:
    [bill] = query_keys(PersonQuery(name="Bill")).words
    assert {"william", "billy", "will"} <= set(bill.nicknames)
    assert "bill" not in bill.nicknames
