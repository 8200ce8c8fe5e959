"""A small synthetic household for the browser tests (NHS numbers in the never-issued 9xx range):
a child known to children's social care and A&E, her mother, a past lodger, and a police callout
at their address that names no one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lateral_shared.contracts.records import AgencyKind, LeadProfessional, RecordStatus
from lateral_shared.index import (
    AddressDocument,
    AddressResident,
    PersonAddress,
    PersonDocument,
    PersonName,
    RecordLink,
    RecordSummary,
)

HOME = "uprn:100023336956"
TODAY = date.today()
CARA = PersonName(forename="Cara", surname="Lindqvist")
DANA = PersonName(forename="Dana", surname="Lindqvist")


def _record(
    key: str, kind: AgencyKind, event: str, days_ago: int, **extra: object
) -> RecordSummary:
    feed, source = key.split("/")
    return RecordSummary.model_validate({
        "record_key": key, "partner_id": "synthetic", "feed_id": feed, "source_record_id": source,
        "agency_kind": kind, "event_type": event,
        "event_date": TODAY - timedelta(days=days_ago), "status": RecordStatus.CLOSED, **extra,
    })  # fmt: skip


def _home(last_seen_days_ago: int = 0) -> PersonAddress:
    return PersonAddress(
        address_key=HOME,
        lines=["7 Orchard Row", "Leeds"],
        postcode="LS6 2AB",
        uprn="100023336956",
        last_seen=TODAY - timedelta(days=last_seen_days_ago),
    )


def persons() -> list[PersonDocument]:
    social_worker = LeadProfessional(
        name="Sam Worker",
        team="Leeds North CIN team",
        phone="0113 496 0000",
        email="sam.worker@example.org",
    )
    cara = PersonDocument(
        person_id="person-cara", version=1, names=[CARA], aliases=["Kara Lindqvist"],
        date_of_birth="2013-06-02", gender="female", nhs_numbers=["9434765919"],
        addresses=[_home()], postcodes=["LS6 2AB"],
        agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.HEALTH], has_open_case=True,
        records=[
            _record("csc/C-9", AgencyKind.CHILDRENS_SOCIAL_CARE, "child_in_need", 20,
                    status=RecordStatus.OPEN, lead_professional=social_worker),
            _record("ed/E-4", AgencyKind.HEALTH, "emergency_attendance", 45),
            _record("ed/E-7", AgencyKind.HEALTH, "was_not_brought", 120),
        ],
        links=[
            RecordLink(record_key="ed/E-4", rule="nhs_number", score=0.99,
                       summary="Same NHS number; surname the same; born the same day."),
            RecordLink(record_key="ed/E-7", rule="name_and_dob", score=0.91,
                       summary="Forename close (1 letter different); surname the same; "
                               "born the same day; same postcode."),
        ],
        updated_at=datetime.now(UTC),
    )  # fmt: skip
    dana = PersonDocument(
        person_id="person-dana", version=1, names=[DANA], date_of_birth="1988-11-20",
        gender="female", nhs_numbers=["9000000009"], addresses=[_home(3)], postcodes=["LS6 2AB"],
        agencies=[AgencyKind.ADULT_SOCIAL_CARE], has_open_case=True,
        records=[_record("asc/A-3", AgencyKind.ADULT_SOCIAL_CARE, "safeguarding_enquiry", 60,
                         status=RecordStatus.OPEN)],
        updated_at=datetime.now(UTC),
    )  # fmt: skip
    return [cara, dana]


def addresses() -> list[AddressDocument]:
    return [AddressDocument(
        address_key=HOME, version=1, uprn="100023336956", lines=["7 Orchard Row", "Leeds"],
        postcode="LS6 2AB",
        residents=[
            AddressResident(person_id="person-cara", names=[CARA], date_of_birth="2013-06-02",
                            gender="female", agencies=[AgencyKind.CHILDRENS_SOCIAL_CARE,
                            AgencyKind.HEALTH], has_open_case=True, current=True),
            AddressResident(person_id="person-dana", names=[DANA], date_of_birth="1988-11-20",
                            gender="female", agencies=[AgencyKind.ADULT_SOCIAL_CARE],
                            has_open_case=True, current=True),
            AddressResident(person_id="person-eli", names=[PersonName(forename="Eli",
                            surname="Moss")], date_of_birth="1979", current=False,
                            last_seen=TODAY - timedelta(days=200)),
        ],
        records=[_record("police/P-77", AgencyKind.POLICE, "concern_for_welfare", 10),
                 _record("fire/F-2", AgencyKind.FIRE, "home_fire_safety_visit", 150)],
        agencies=[AgencyKind.POLICE, AgencyKind.FIRE], updated_at=datetime.now(UTC),
    )]  # fmt: skip
