"""A whole record cleansed: every field cleaned, every change flagged, content hashed."""

import hashlib
from datetime import date

from lateral_cleanser.domain import cleanse_record, content_hash
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


def test_content_hash_is_sha256_of_canonical_json() -> None:
    record = PartnerRecord.model_validate({k: RAW[k] for k in list(RAW)[:5]})
    canonical = (
        '{"address":null,"agency_kind":"childrens_social_care","end_date":null,'
        '"event_date":"2025-01-10","event_type":"child_protection_plan",'
        '"lead_professional":null,"person":null,"source_record_id":"CSC-1","status":"open"}'
    )
    assert content_hash(record) == hashlib.sha256(canonical.encode()).hexdigest()


def test_content_hash_tells_an_update_from_a_resend() -> None:
    first = PartnerRecord.model_validate(RAW)
    resent = PartnerRecord.model_validate(dict(reversed(list(RAW.items()))))
    closed = PartnerRecord.model_validate({**RAW, "status": "closed"})
    assert content_hash(first) == content_hash(resent)
    assert content_hash(first) != content_hash(closed)
