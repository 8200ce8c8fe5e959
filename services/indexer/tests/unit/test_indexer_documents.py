"""Building the person document from a person snapshot (pure)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from lateral_indexer.domain.documents import build_person_document
from lateral_shared.contracts.events import PersonSnapshot
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus
from lateral_shared.index.documents import PersonDocument, PersonName

MakeRecord = Callable[..., CleanRecord]
WHEN = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _document(*records: CleanRecord, version: int = 1) -> PersonDocument:
    snapshot = PersonSnapshot(person_id="p-1", version=version, records=list(records))
    return build_person_document(snapshot, updated_at=WHEN)


def test_every_distinct_name_and_alias_is_searchable(make_record: MakeRecord) -> None:
    doc = _document(
        make_record(
            "1",
            person={
                "forename": "Amy",
                "middle_names": "Jo",
                "surname": "Smith",
                "aliases": ["Amy Jones", "AJ"],
            },
        ),
        make_record(
            "2",
            person={
                "forename": "AMY",
                "middle_names": "jo",
                "surname": "smith",
                "aliases": ["amy jones"],
            },
        ),
        make_record("3", person={"forename": "Aimee", "surname": "Smith"}),
    )
    assert len(doc.names) == 2
    assert PersonName(forename="Aimee", surname="Smith") in doc.names
    assert sorted(a.casefold() for a in doc.aliases) == ["aj", "amy jones"]


def test_the_most_precise_date_of_birth_wins_whatever_the_order(make_record: MakeRecord) -> None:
    year = make_record(
        "1", event_date=date(2025, 5, 1), person={"forename": "Amy", "date_of_birth": "2012"}
    )
    full = make_record(
        "2", event_date=date(2024, 1, 1), person={"forename": "Amy", "date_of_birth": "2012-03-04"}
    )
    month = make_record(
        "3", event_date=date(2025, 3, 1), person={"forename": "Amy", "date_of_birth": "2012-03"}
    )
    assert _document(year, full, month).date_of_birth == "2012-03-04"
    assert _document(year, month).date_of_birth == "2012-03"
    assert _document(make_record("4")).date_of_birth is None


def test_open_case_agencies_and_identifiers(make_record: MakeRecord) -> None:
    doc = _document(
        make_record("1", agency=AgencyKind.POLICE, person={"forename": "Amy", "gender": "female"}),
        make_record(
            "2",
            agency=AgencyKind.CHILDRENS_SOCIAL_CARE,
            status=RecordStatus.OPEN,
            person={"forename": "Amy", "nhs_number": "9434765919"},
        ),
        make_record("3", agency=AgencyKind.POLICE),
    )
    assert doc.has_open_case
    assert doc.agencies == [AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE]
    assert doc.nhs_numbers == ["9434765919"]
    assert doc.gender == "female"
    assert not _document(make_record("9", status=RecordStatus.CLOSED)).has_open_case


def test_addresses_are_distinct_with_the_latest_date_seen_there(make_record: MakeRecord) -> None:
    doc = _document(
        make_record("1", event_date=date(2024, 2, 1), address_key="100", postcode="LS6 1AA"),
        make_record(
            "2",
            event_date=date(2025, 4, 9),
            address_key="100",
            postcode="LS6 1AA",
            lines=("Flat 1", "1 Test Street"),
        ),
        make_record("3", event_date=date(2024, 12, 24), address_key="200", postcode="LS7 2BB"),
        make_record("4", event_date=date(2025, 5, 5), postcode="ZZ99 3VZ"),  # no fixed abode
    )
    assert [(a.address_key, a.last_seen) for a in doc.addresses] == [
        ("100", date(2025, 4, 9)),
        ("200", date(2024, 12, 24)),
    ]
    assert doc.addresses[0].lines == ["Flat 1", "1 Test Street"]
    assert doc.postcodes == ["LS6 1AA", "LS7 2BB"]


def test_records_are_listed_newest_first_with_their_lead_professional(
    make_record: MakeRecord,
) -> None:
    doc = _document(
        make_record("old", event_date=date(2024, 1, 1)),
        make_record("new", event_date=date(2025, 1, 1), lead="Sam Worker"),
        version=7,
    )
    assert [r.source_record_id for r in doc.records] == ["new", "old"]
    assert doc.records[0].lead_professional is not None
    assert doc.records[0].lead_professional.name == "Sam Worker"
    assert (doc.person_id, doc.version, doc.updated_at) == ("p-1", 7, WHEN)
