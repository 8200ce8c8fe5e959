"""Record factory for the indexer's unit tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from lateral_shared.contracts.records import (
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    LeadProfessional,
    RecordStatus,
)


def _record(
    source_id: str,
    *,
    agency: AgencyKind = AgencyKind.HEALTH,
    event_date: date = date(2025, 1, 1),
    status: RecordStatus = RecordStatus.CLOSED,
    person: dict[str, Any] | None = None,
    address_key: str | None = None,
    postcode: str | None = None,
    lines: tuple[str, ...] = ("1 Test Street",),
    lead: str | None = None,
) -> CleanRecord:
    address = None
    if address_key is not None or postcode is not None:
        address = CleanAddress(lines=list(lines), postcode=postcode, address_key=address_key)
    return CleanRecord(
        record_key=f"{agency.value}/{source_id}",
        partner_id=agency.value,
        feed_id=agency.value,
        source_record_id=source_id,
        agency_kind=agency,
        event_type="contact",
        event_date=event_date,
        status=status,
        person=CleanPerson(**(person or {"forename": "Amy", "surname": "Smith"})),
        address=address,
        lead_professional=LeadProfessional(name=lead, phone="0113 000 0000") if lead else None,
        content_hash=f"hash-{source_id}",
    )


@pytest.fixture
def make_record() -> Callable[..., CleanRecord]:
    return _record
