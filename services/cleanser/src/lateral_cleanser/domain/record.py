"""A whole partner record cleansed: every rule applied, every change flagged."""

from __future__ import annotations

import hashlib
from datetime import date

from lateral_shared.contracts.records import CleanRecord, PartnerRecord, record_key

from .addresses import clean_address
from .flags import Flags
from .gazetteer import Gazetteer
from .person import clean_person
from .trusted import trusted


def content_hash(record: PartnerRecord) -> str:
    """sha256 of the partner's record as canonical JSON: equal content, equal hash.

    Canonical: the contract's JSON serialisation (compact, UTF-8, fields in the order the contract
    declares them) with absent (None) fields left out, so adding an optional field to the
    contract never turns an unchanged record into an update. Serialised by pydantic-core straight
    to bytes (what `model_dump_json` returns, without the text round trip), as this runs for
    every record.
    """
    canonical = record.__pydantic_serializer__.to_json(record, exclude_none=True)
    return hashlib.sha256(canonical).hexdigest()


def cleanse_record(
    record: PartnerRecord,
    *,
    partner_id: str,
    feed_id: str,
    today: date,
    gazetteer: Gazetteer | None = None,
) -> CleanRecord:
    """The cleaned form of one partner record; `today` bounds dates of birth in the future."""
    flags: Flags = []
    person = None
    if record.person is not None:
        person, person_flags = clean_person(record.person, today=today)
        flags.extend(person_flags)
    address = None
    if record.address is not None:
        address, address_flags = clean_address(record.address, gazetteer=gazetteer)
        flags.extend(address_flags)
    return trusted(
        CleanRecord,
        {
            "record_key": record_key(feed_id, record.source_record_id),
            "partner_id": partner_id,
            "feed_id": feed_id,
            "source_record_id": record.source_record_id,
            "agency_kind": record.agency_kind,
            "event_type": record.event_type,
            "event_date": record.event_date,
            "status": record.status,
            "end_date": record.end_date,
            "category": record.category,
            "attend_code": record.attend_code,
            "person": person,
            "address": address,
            "lead_professional": record.lead_professional,
            "quality_flags": flags,
            "content_hash": content_hash(record),
        },
    )
