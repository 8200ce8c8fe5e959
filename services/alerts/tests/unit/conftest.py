"""Builders of linked-record events and an in-memory twin of the alert store, for unit tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

import pytest

from lateral_alerts.adapters.repository import AlertPage, AlertStore
from lateral_alerts.domain.model import Alert, AlertStatus
from lateral_shared.contracts import (
    AddressSnapshot,
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    PersonSnapshot,
    RecordLinked,
    RecordStatus,
    Resident,
)


def clean_record(
    key: str,
    kind: AgencyKind,
    event_type: str,
    *,
    on: date = date(2025, 6, 1),
    status: RecordStatus = RecordStatus.OPEN,
    dob: str | None = None,
    address_key: str | None = "100023456789",
    no_fixed_abode: bool = False,
) -> CleanRecord:
    feed_id, source_id = key.split("/")
    return CleanRecord(
        record_key=key,
        partner_id=feed_id.split("-")[0],
        feed_id=feed_id,
        source_record_id=source_id,
        agency_kind=kind,
        event_type=event_type,
        event_date=on,
        status=status,
        person=None if dob is None else CleanPerson(forename="Test", date_of_birth=dob),
        address=CleanAddress(address_key=address_key, no_fixed_abode=no_fixed_abode),
        content_hash=f"hash-{key}",
    )


def linked(
    record: CleanRecord,
    *,
    person: tuple[str, Sequence[CleanRecord]] | None = None,
    residents: Sequence[Resident] = (),
    change: str = "created",
) -> RecordLinked:
    """A `records.linked` event for `record`: on `person` (ID, all their records, `record`
    included) and at an address with `residents`."""
    snapshot = None
    if person is not None:
        snapshot = PersonSnapshot(person_id=person[0], version=1, records=list(person[1]))
    address_key = record.address.address_key if record.address else None
    address = None
    if address_key is not None:
        address = AddressSnapshot(address_key=address_key, residents=list(residents))
    return RecordLinked(
        batch_id=uuid.uuid4(), change=change, record=record, person=snapshot, address=address
    )


def csc_child(person_id: str, dob: str | None) -> Resident:
    return Resident(
        person_id=person_id,
        date_of_birth=dob,
        open_agency_kinds=[AgencyKind.CHILDRENS_SOCIAL_CARE],
    )


class InMemoryAlertStore(AlertStore):
    """Twin of `SqlAlertStore` (whose behaviour tests/contract/test_alerts_store.py checks)."""

    def __init__(self) -> None:
        self.alerts: dict[str, Alert] = {}
        self.published: dict[str, datetime] = {}

    async def add_new(self, new_alerts: Sequence[Alert]) -> list[Alert]:
        for alert in new_alerts:
            self.alerts.setdefault(alert.alert_id, alert)
        ids = {a.alert_id for a in new_alerts}
        return [a for i, a in self.alerts.items() if i in ids and i not in self.published]

    async def mark_published(self, alert_ids: Sequence[str], *, at: datetime) -> None:
        for alert_id in alert_ids:
            self.published[alert_id] = at

    async def get(self, alert_id: str) -> Alert | None:
        return self.alerts.get(alert_id)

    async def list(self, *, status: AlertStatus | None, page: int, page_size: int) -> AlertPage:
        found = [a for a in self.alerts.values() if status is None or a.status is status]
        found.sort(key=lambda a: a.raised_at, reverse=True)
        start = (page - 1) * page_size
        return AlertPage(found[start : start + page_size], len(found), page, page_size)

    async def acknowledge(self, alert_id: str, *, by: str, at: datetime) -> Alert | None:
        alert = self.alerts.get(alert_id)
        if alert is not None and alert.status is AlertStatus.OPEN:
            alert = replace(
                alert, status=AlertStatus.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=at
            )
            self.alerts[alert_id] = alert
        return alert

    async def assign(self, alert_id: str, *, to: str) -> Alert | None:
        if alert_id in self.alerts:
            self.alerts[alert_id] = replace(self.alerts[alert_id], assigned_to=to)
        return self.alerts.get(alert_id)


@pytest.fixture
def store() -> InMemoryAlertStore:
    return InMemoryAlertStore()


class Events:
    """The builders above, handed to test modules by the `events` fixture (test modules cannot
    import conftest under --import-mode=importlib)."""

    record = staticmethod(clean_record)
    linked = staticmethod(linked)
    csc_child = staticmethod(csc_child)


@pytest.fixture
def events() -> type[Events]:
    return Events
