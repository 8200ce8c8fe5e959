"""A whole partner record cleansed: every rule applied, every change flagged."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from lateral_shared.contracts.records import (
    CleanPerson,
    CleanRecord,
    PartnerRecord,
    PersonFields,
    record_key,
)

from .addresses import clean_address
from .dates import clean_date_of_birth
from .flags import Flags
from .gender import clean_gender
from .names import clean_aliases, clean_name
from .nhs_number import clean_nhs_number


def content_hash(record: PartnerRecord) -> str:
    """sha256 of the partner's record as canonical JSON: equal content, equal hash."""
    canonical = json.dumps(
        record.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def cleanse_record(
    record: PartnerRecord, *, partner_id: str, feed_id: str, today: date
) -> CleanRecord:
    """The cleaned form of one partner record; `today` bounds dates of birth in the future."""
    flags: Flags = []
    person = None
    if record.person is not None:
        person, person_flags = clean_person(record.person, today=today)
        flags.extend(person_flags)
    address = None
    if record.address is not None:
        address, address_flags = clean_address(record.address)
        flags.extend(address_flags)
    return CleanRecord(
        record_key=record_key(feed_id, record.source_record_id),
        partner_id=partner_id,
        feed_id=feed_id,
        source_record_id=record.source_record_id,
        agency_kind=record.agency_kind,
        event_type=record.event_type,
        event_date=record.event_date,
        status=record.status,
        end_date=record.end_date,
        person=person,
        address=address,
        lead_professional=record.lead_professional,
        quality_flags=flags,
        content_hash=content_hash(record),
    )


def clean_person(person: PersonFields, *, today: date) -> tuple[CleanPerson, Flags]:
    """The person's names, date of birth, gender and NHS number, cleaned."""
    forename, forename_flags = clean_name(person.forename, field="person.forename")
    middle, middle_flags = clean_name(person.middle_names, field="person.middle_names")
    surname, surname_flags = clean_name(person.surname, field="person.surname")
    aliases, alias_flags = clean_aliases(person.other_names)
    dob, precision, dob_flags = clean_date_of_birth(person.date_of_birth, today=today)
    gender, gender_flags = clean_gender(person.gender)
    nhs_number, nhs_flags = clean_nhs_number(person.nhs_number)
    cleaned = CleanPerson(
        forename=forename,
        middle_names=middle,
        surname=surname,
        aliases=aliases,
        date_of_birth=dob,
        dob_precision=precision,
        gender=gender,
        nhs_number=nhs_number,
        person_ref=person.person_ref,
    )
    flags = [*forename_flags, *middle_flags, *surname_flags, *alias_flags, *dob_flags,
             *gender_flags, *nhs_flags]  # fmt: skip
    return cleaned, flags
