"""Build the address document search reads from the matcher's address snapshot (pure).

The snapshot says which records and which persons are at an address now, but carries only the
keys of the records: their summaries come from the records the indexer has seen — the address's
previous document, the records of the batch (address-only police and fire records arrive only
this way), and the residents' person documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from lateral_shared.contracts.events import AddressSnapshot, Resident
from lateral_shared.contracts.records import AgencyKind, RecordStatus
from lateral_shared.index.documents import (
    AddressDocument,
    AddressResident,
    PersonDocument,
    RecordSummary,
)


def build_address_document(
    snapshot: AddressSnapshot,
    *,
    version: int,
    updated_at: datetime,
    previous: AddressDocument | None,
    persons: Mapping[str, PersonDocument],
    seen: Iterable[RecordSummary],
) -> AddressDocument:
    """The address as search sees it: its residents and the summary of every record there.

    `persons` are the residents' person documents (a missing one is described from the
    snapshot alone); `seen` are record summaries from this batch."""
    records = records_at_address(snapshot, previous=previous, persons=persons, seen=seen)
    residents = [
        _resident(r, snapshot.address_key, persons.get(r.person_id)) for r in snapshot.residents
    ]
    residents.sort(key=lambda r: (not r.current, r.date_of_birth or "", r.person_id))
    kinds = {r.agency_kind for r in records} | {a for r in residents for a in r.agencies}
    return AddressDocument(
        address_key=snapshot.address_key,
        version=version,
        uprn=snapshot.uprn,
        lines=list(snapshot.lines),
        postcode=snapshot.postcode,
        residents=residents,
        records=records,
        agencies=[kind for kind in AgencyKind if kind in kinds],
        has_open_case=any(r.status is RecordStatus.OPEN for r in records),
        updated_at=updated_at,
    )


def records_at_address(
    snapshot: AddressSnapshot,
    *,
    previous: AddressDocument | None,
    persons: Mapping[str, PersonDocument],
    seen: Iterable[RecordSummary],
) -> list[RecordSummary]:
    """The summaries of the snapshot's records, newest first; the latest seen wins."""
    wanted = set(snapshot.record_keys)
    known: dict[str, RecordSummary] = {}
    sources = [
        previous.records if previous else [],
        [r for person in persons.values() for r in person.records],
        seen,
    ]
    for source in sources:
        known.update({r.record_key: r for r in source if r.record_key in wanted})
    return sorted(known.values(), key=lambda r: (r.event_date, r.record_key), reverse=True)


def _resident(
    resident: Resident, address_key: str, person: PersonDocument | None
) -> AddressResident:
    if person is None:
        return AddressResident(
            person_id=resident.person_id,
            date_of_birth=resident.date_of_birth,
            agencies=list(resident.open_agency_kinds),
            has_open_case=bool(resident.open_agency_kinds),
        )
    here = [a for a in person.addresses if a.address_key == address_key]
    latest = max(person.addresses, key=lambda a: a.last_seen or datetime.min.date(), default=None)
    return AddressResident(
        person_id=person.person_id,
        names=person.names[:1],
        date_of_birth=person.date_of_birth,
        gender=person.gender,
        agencies=list(person.agencies),
        has_open_case=person.has_open_case,
        current=latest is not None and latest.address_key == address_key,
        last_seen=here[0].last_seen if here else None,
    )
