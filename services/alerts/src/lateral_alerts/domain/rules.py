"""Alert rules: pure functions from a linked record (and what Lateral knows around it) to the
alerts it should raise. Add a rule by writing a class with `name`, `severity` and `evaluate`, and
listing it in `RULES`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final, Protocol

from lateral_shared.contracts.events import RecordLinked
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus

from .age import could_be_under
from .model import AlertCandidate, Severity

ADULTHOOD_AGE: Final = 18


class AlertRule(Protocol):
    """A named rule that looks at one `records.linked` event and says whom to alert about."""

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    def evaluate(self, event: RecordLinked) -> list[AlertCandidate]: ...


class ChildWithOpenSocialCareCaseNewIncident:
    """A child with an open children's social care case is involved in a new incident.

    Fires when the linked record is a police record, a fire record or a health emergency
    attendance (event type "emergency_attendance") and either
    - the record is on the child's own person (the person has an open childrens_social_care
      record), or
    - the record is at an address where the child lives (a resident with an open
      childrens_social_care case), unless the address is "no fixed abode".
    One alert per child per trigger record, whatever the route.

    A child is under 18 on the trigger record's event date. Partial dates of birth count as the
    latest day they can stand for (year only → 31 December; year and month → the month's last day),
    so anyone who *could* be under 18 is treated as a child: a missed alert costs more than an
    extra one. If a person's records disagree on the date of birth, any date that makes them a
    child is enough. A person with no readable date of birth is not treated as a child.
    """

    @property
    def name(self) -> str:
        return "child_with_open_social_care_case_new_incident"

    @property
    def severity(self) -> Severity:
        return "priority"

    def evaluate(self, event: RecordLinked) -> list[AlertCandidate]:
        record = event.record
        # "unchanged" still counts: it may be the redelivery that heals a crash between the
        # matcher's commit and its publish; the alert ID makes a second raise a no-op.
        if event.change == "withdrawn" or not _is_incident(record):
            return []
        children = {*self._children_on_the_record(event), *self._children_at_the_address(event)}
        address_key = _address_key(event)
        return [
            AlertCandidate(
                rule=self.name,
                severity=self.severity,
                person_id=person_id,
                trigger_record_key=record.record_key,
                address_key=address_key,
                trigger_date=record.event_date,
            )
            for person_id in sorted(children)
        ]

    @staticmethod
    def _children_on_the_record(event: RecordLinked) -> Iterable[str]:
        person = event.person
        if person is None:
            return []
        open_csc = any(_is_open_csc(r) for r in person.records)
        dobs = [r.person.date_of_birth for r in person.records if r.person is not None]
        if open_csc and _could_be_child(dobs, on=event.record.event_date):
            return [person.person_id]
        return []

    @staticmethod
    def _children_at_the_address(event: RecordLinked) -> Iterable[str]:
        address = event.address
        trigger_address = event.record.address
        if address is None or (trigger_address is not None and trigger_address.no_fixed_abode):
            return []
        return [
            resident.person_id
            for resident in address.residents
            if AgencyKind.CHILDRENS_SOCIAL_CARE in resident.open_agency_kinds
            and _could_be_child([resident.date_of_birth], on=event.record.event_date)
        ]


INCIDENT_KINDS: Final = frozenset({AgencyKind.POLICE, AgencyKind.FIRE})
EMERGENCY_ATTENDANCE: Final = "emergency_attendance"


def _is_incident(record: CleanRecord) -> bool:
    if record.agency_kind in INCIDENT_KINDS:
        return True
    return (
        record.agency_kind is AgencyKind.HEALTH
        and record.event_type.strip().lower() == EMERGENCY_ATTENDANCE
    )


def _is_open_csc(record: CleanRecord) -> bool:
    return (
        record.agency_kind is AgencyKind.CHILDRENS_SOCIAL_CARE
        and record.status is RecordStatus.OPEN
    )


def _could_be_child(dates_of_birth: Sequence[str | None], *, on: date) -> bool:
    return any(
        dob is not None and could_be_under(ADULTHOOD_AGE, date_of_birth=dob, on=on)
        for dob in dates_of_birth
    )


def _address_key(event: RecordLinked) -> str | None:
    key: str | None = None
    if event.address is not None:
        key = event.address.address_key
    elif event.record.address is not None:
        key = event.record.address.address_key
    return key


RULES: Final[tuple[AlertRule, ...]] = (ChildWithOpenSocialCareCaseNewIncident(),)


def evaluate(event: RecordLinked, rules: Sequence[AlertRule] = RULES) -> list[AlertCandidate]:
    """Every alert the rules raise for one event, each alert ID once."""
    found: dict[str, AlertCandidate] = {}
    for rule in rules:
        for candidate in rule.evaluate(event):
            found.setdefault(candidate.alert_id, candidate)
    return list(found.values())
