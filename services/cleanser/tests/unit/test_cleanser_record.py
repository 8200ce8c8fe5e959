"""A whole record cleansed: every field cleaned, every change flagged, content hashed."""

import hashlib
from datetime import date

from lateral_cleanser.domain import Gazetteer, cleanse_record, content_hash
from lateral_shared.contracts import PartnerRecord

TODAY = date(2025, 6, 15)
RAW = {
    "source_record_id": "CSC-1",
    "agency_kind": "childrens_social_care",
    "event_type": "child_protection_plan",
    "event_date": "2025-01-10",
    "status": "open",
    "person": {
        "forename": "MR  JOHN",
        "surname": "o'brien",
        "other_names": ["JOHNNY O'BRIEN"],
        "date_of_birth": "2030-01-01",
        "gender": "1",
        "nhs_number": "987 654 4321",
    },
    "address": {"lines": ["12 High St"], "postcode": "ls62ab"},
    "lead_professional": {"name": "A Worker", "team": "North", "phone": "0113 000 0000"},
}


def test_a_record_is_cleansed_field_by_field() -> None:
    clean = cleanse_record(
        PartnerRecord.model_validate(RAW), partner_id="leeds", feed_id="leeds-csc", today=TODAY
    )
    assert clean.record_key == "leeds-csc/CSC-1"
    assert (clean.partner_id, clean.feed_id, clean.source_record_id) == (
        "leeds",
        "leeds-csc",
        "CSC-1",
    )
    assert clean.person is not None and clean.address is not None
    assert (clean.person.forename, clean.person.surname) == ("John", "O'Brien")
    assert clean.person.aliases == ["Johnny O'Brien"]
    assert clean.person.gender == "male"
    assert clean.person.date_of_birth is None and clean.person.nhs_number is None
    assert clean.address.address_key == "addr:12 HIGH STREET|LS6 2AB"
    assert clean.lead_professional is not None and clean.lead_professional.team == "North"
    flagged = {(f.field, f.code) for f in clean.quality_flags}
    assert {
        ("person.forename", "title_removed"),
        ("person.surname", "normalised"),
        ("person.date_of_birth", "in_future"),
        ("person.gender", "mapped"),
        ("person.nhs_number", "failed_check"),
        ("address.postcode", "reformatted"),
    } <= flagged


def test_no_flag_message_quotes_personal_data() -> None:
    clean = cleanse_record(
        PartnerRecord.model_validate(RAW), partner_id="p", feed_id="f", today=TODAY
    )
    messages = " ".join(f.message for f in clean.quality_flags).casefold()
    for value in ["john", "brien", "2030", "987", "4321", "high", "ls6"]:
        assert value not in messages


def test_a_record_without_person_or_address() -> None:
    raw = {k: v for k, v in RAW.items() if k not in {"person", "address"}}
    clean = cleanse_record(
        PartnerRecord.model_validate(raw), partner_id="p", feed_id="f", today=TODAY
    )
    assert (clean.person, clean.address, clean.quality_flags) == (None, None, [])


def test_content_hash_is_sha256_of_canonical_json_without_absent_fields() -> None:
    # Absent fields are left out, so a new optional field in the contract changes no hash.
    record = PartnerRecord.model_validate({k: RAW[k] for k in list(RAW)[:5]})
    canonical = (
        '{"source_record_id":"CSC-1","agency_kind":"childrens_social_care",'
        '"event_type":"child_protection_plan","event_date":"2025-01-10","status":"open"}'
    )
    assert content_hash(record) == hashlib.sha256(canonical.encode()).hexdigest()


def test_content_hash_ignores_explicit_nulls_but_not_values() -> None:
    bare = PartnerRecord.model_validate({k: RAW[k] for k in list(RAW)[:5]})
    with_nulls = PartnerRecord.model_validate(
        {**bare.model_dump(), "category": None, "attend_code": None, "end_date": None}
    )
    with_category = PartnerRecord.model_validate({**bare.model_dump(), "category": "x"})
    assert content_hash(with_nulls) == content_hash(bare)
    assert content_hash(with_category) != content_hash(bare)


def test_content_hash_tells_an_update_from_a_resend() -> None:
    first = PartnerRecord.model_validate(RAW)
    resent = PartnerRecord.model_validate(dict(reversed(list(RAW.items()))))
    closed = PartnerRecord.model_validate({**RAW, "status": "closed"})
    assert content_hash(first) == content_hash(resent)
    assert content_hash(first) != content_hash(closed)


def test_category_and_attend_code_are_carried_through() -> None:
    raw = {**RAW, "agency_kind": "health", "event_type": "missed_appointment", "attend_code": 3}
    clean = cleanse_record(
        PartnerRecord.model_validate(raw), partner_id="p", feed_id="f", today=TODAY
    )
    assert clean.attend_code == 3
    police = {k: v for k, v in RAW.items() if k != "person"} | {
        "agency_kind": "police", "event_type": "incident", "category": "domestic_abuse"
    }  # fmt: skip
    clean = cleanse_record(
        PartnerRecord.model_validate(police), partner_id="p", feed_id="f", today=TODAY
    )
    assert clean.category == "domestic_abuse"


def test_names_keep_the_original_and_a_comparison_key() -> None:
    raw = {**RAW, "person": {"forename": "Mr Seán", "surname": "MACDONALD-o'neill"}}
    clean = cleanse_record(
        PartnerRecord.model_validate(raw), partner_id="p", feed_id="f", today=TODAY
    )
    person = clean.person
    assert person is not None
    assert (person.forename, person.surname) == ("Seán", "MacDonald-O'Neill")
    assert (person.original_forename, person.original_surname) == ("Mr Seán", "MACDONALD-o'neill")
    assert (person.forename_key, person.surname_key) == ("sean", "mcdonaldoneill")


def test_a_nickname_in_brackets_becomes_an_alias_with_the_surname() -> None:
    raw = {**RAW, "person": {"forename": "William (Bill)", "surname": "Smith (nee Jones)"}}
    clean = cleanse_record(
        PartnerRecord.model_validate(raw), partner_id="p", feed_id="f", today=TODAY
    )
    assert clean.person is not None
    assert (clean.person.forename, clean.person.surname) == ("William", "Smith")
    assert clean.person.aliases == ["Bill Smith", "William Jones"]
    assert ("person.other_names", "known_as_moved") in {
        (f.field, f.code) for f in clean.quality_flags
    }


def test_the_address_gets_its_parts_sector_and_uprn(gazetteer: Gazetteer) -> None:
    raw = {**RAW, "address": {"lines": ["Flat 3", "14 High St"], "postcode": "nx11ab"}}
    clean = cleanse_record(
        PartnerRecord.model_validate(raw), partner_id="p", feed_id="f", today=TODAY,
        gazetteer=gazetteer,
    )  # fmt: skip
    address = clean.address
    assert address is not None and address.parts is not None
    assert (address.postcode, address.outward_code, address.sector) == ("NX1 1AB", "NX1", "NX1 1")
    assert (address.parts.sao, address.parts.pao_number, address.parts.street) == (
        "3", "14", "HIGH STREET",
    )  # fmt: skip
    assert (address.uprn, address.uprn_method, address.uprn_confidence) == (
        "900000000005", "exact", 1.0,
    )  # fmt: skip
    assert address.address_key == "uprn:900000000005"
