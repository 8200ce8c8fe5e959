"""What travels with an address about each person there: date of birth and open agencies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus

_AGENCY_KINDS = tuple(AgencyKind)  # in the contract's order (iterating the enum costs more)


def most_precise_date_of_birth(records: Iterable[CleanRecord]) -> str | None:
    """The most precise date of birth the records give (YYYY-MM-DD beats YYYY-MM beats YYYY).

    Among equally precise dates the most recent record's wins: partners correct mistakes.
    """
    best: tuple[int, date, str] | None = None
    for record in records:
        dob = record.person.date_of_birth if record.person else None
        if dob is None:
            continue
        candidate = (len(dob), record.event_date, dob)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def open_agency_kinds(records: Iterable[CleanRecord]) -> list[AgencyKind]:
    """The agency kinds with an open record, in the order the contract lists agency kinds."""
    open_kinds = {r.agency_kind for r in records if r.status is RecordStatus.OPEN}
    return [kind for kind in _AGENCY_KINDS if kind in open_kinds]
