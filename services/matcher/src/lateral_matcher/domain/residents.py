"""What travels with an address about each person there: date of birth and open agencies."""

from __future__ import annotations

from collections.abc import Iterable

from lateral_shared.contracts.events import Resident
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus


def most_precise_date_of_birth(records: Iterable[CleanRecord]) -> str | None:
    """The most precise date of birth the records give (YYYY-MM-DD beats YYYY-MM beats YYYY).

    Among equally precise dates the most recent record's wins: partners correct mistakes.
    """
    best: tuple[int, str, str] | None = None
    for record in records:
        dob = record.person.date_of_birth if record.person else None
        if dob is None:
            continue
        candidate = (len(dob), record.event_date.isoformat(), dob)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def open_agency_kinds(records: Iterable[CleanRecord]) -> list[AgencyKind]:
    """The agency kinds with an open record, in the order the contract lists agency kinds."""
    open_kinds = {r.agency_kind for r in records if r.status is RecordStatus.OPEN}
    return [kind for kind in AgencyKind if kind in open_kinds]


def resident(person_id: str, records: Iterable[CleanRecord]) -> Resident:
    """A person at an address, reduced to what the alert rules need."""
    records = list(records)
    return Resident(
        person_id=person_id,
        date_of_birth=most_precise_date_of_birth(records),
        open_agency_kinds=open_agency_kinds(records),
    )
