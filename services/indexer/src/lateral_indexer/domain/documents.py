"""Build the person document search reads from the matcher's person snapshot (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from lateral_shared.contracts.events import LinkExplanation, PersonSnapshot
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus
from lateral_shared.index.documents import (
    PersonAddress,
    PersonDocument,
    PersonName,
    RecordLink,
    RecordSummary,
)


def build_person_document(
    snapshot: PersonSnapshot,
    *,
    updated_at: datetime | None = None,
    links: Iterable[RecordLink] = (),
) -> PersonDocument:
    """One person as search sees them: every name, identifier, address and agency record, and
    why each record was linked (`links`, kept only for the records the person still has).

    `updated_at` defaults to now; the handler passes the event's time so a replay is repeatable.
    """
    held = {r.record_key for r in snapshot.records}
    newest_first = sorted(
        snapshot.records, key=lambda r: (r.event_date, r.record_key), reverse=True
    )
    addresses = person_addresses(newest_first)
    return PersonDocument(
        person_id=snapshot.person_id,
        version=snapshot.version,
        names=distinct_names(newest_first),
        aliases=_distinct_folded(a for r in newest_first if r.person for a in r.person.aliases),
        date_of_birth=most_precise_date_of_birth(newest_first),
        gender=latest_gender(newest_first),
        nhs_numbers=sorted(
            {r.person.nhs_number for r in newest_first if r.person and r.person.nhs_number}
        ),
        addresses=addresses,
        postcodes=list(dict.fromkeys(a.postcode for a in addresses if a.postcode)),
        agencies=[kind for kind in AgencyKind if kind in {r.agency_kind for r in newest_first}],
        has_open_case=any(r.status is RecordStatus.OPEN for r in newest_first),
        records=[record_summary(r) for r in newest_first],
        links=sorted(
            {link.record_key: link for link in links if link.record_key in held}.values(),
            key=lambda link: link.record_key,
        ),
        updated_at=updated_at or datetime.now(UTC),
    )


def merge_links(
    previous: Iterable[RecordLink], explanations: Mapping[str, LinkExplanation]
) -> list[RecordLink]:
    """The links already stored, updated with the matcher's newest explanation per record key."""
    merged = {link.record_key: link for link in previous}
    for record_key, why in explanations.items():
        merged[record_key] = RecordLink(
            record_key=record_key, rule=why.rule, score=why.score, summary=why.summary
        )
    return list(merged.values())


def distinct_names(newest_first: Iterable[CleanRecord]) -> list[PersonName]:
    """Every distinct (forename, middle names, surname), newest spelling first, ignoring case."""
    names: dict[tuple[str, str, str], PersonName] = {}
    for record in newest_first:
        person = record.person
        if person is None or not (person.forename or person.middle_names or person.surname):
            continue
        parts = (person.forename, person.middle_names, person.surname)
        key = (_fold(parts[0]), _fold(parts[1]), _fold(parts[2]))
        names.setdefault(
            key, PersonName(forename=parts[0], middle_names=parts[1], surname=parts[2])
        )
    return list(names.values())


def most_precise_date_of_birth(newest_first: Iterable[CleanRecord]) -> str | None:
    """The most precise date of birth known (a full date beats a month beats a year); among
    equally precise ones the newest record's, since partners correct their mistakes."""
    best: str | None = None
    for record in newest_first:
        dob = record.person.date_of_birth if record.person else None
        if dob is not None and (best is None or len(dob) > len(best)):
            best = dob
    return best


def latest_gender(newest_first: Iterable[CleanRecord]) -> str:
    """The gender the newest record that knows it gives, else "unknown"."""
    for record in newest_first:
        if record.person is not None and record.person.gender != "unknown":
            return record.person.gender
    return "unknown"


def person_addresses(newest_first: Iterable[CleanRecord]) -> list[PersonAddress]:
    """Each distinct address (by address key), as its newest record gives it, most recent first.

    `last_seen` is the latest event date of the person's records there. Records with no real
    address (no fixed abode, pseudo-postcodes) have no address key and are left out.
    """
    newest_there: dict[str, CleanRecord] = {}
    for record in sorted(newest_first, key=lambda r: r.event_date, reverse=True):
        key = record.address.address_key if record.address else None
        if key is not None:
            newest_there.setdefault(key, record)
    return [_address(key, record) for key, record in newest_there.items()]


def _address(key: str, record: CleanRecord) -> PersonAddress:
    assert record.address is not None
    return PersonAddress(
        address_key=key,
        lines=list(record.address.lines),
        postcode=record.address.postcode,
        uprn=record.address.uprn,
        last_seen=record.event_date,
    )


def record_summary(record: CleanRecord) -> RecordSummary:
    """What search shows of one record: agency, dates, status and whom to call."""
    return RecordSummary(
        record_key=record.record_key,
        partner_id=record.partner_id,
        feed_id=record.feed_id,
        source_record_id=record.source_record_id,
        agency_kind=record.agency_kind,
        event_type=record.event_type,
        event_date=record.event_date,
        status=record.status,
        end_date=record.end_date,
        lead_professional=record.lead_professional,
    )


def _distinct_folded(values: Iterable[str]) -> list[str]:
    """Distinct values ignoring case and spacing, first spelling kept."""
    kept: dict[str, str] = {}
    for value in values:
        if value.strip():
            kept.setdefault(_fold(value), value.strip())
    return list(kept.values())


def _fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())
