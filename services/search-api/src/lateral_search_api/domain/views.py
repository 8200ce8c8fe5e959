"""What a person or address view adds to the stored document: the household, and twelve months
of activity counted by agency and month (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from lateral_search_api.domain.activity_chart import monthly_activity
from lateral_search_api.domain.date_input import age_in_years
from lateral_search_api.domain.summaries import current_address, display_name
from lateral_shared.contracts.records import AgencyKind
from lateral_shared.index.documents import AddressDocument, PersonDocument, RecordSummary


class HouseholdMember(BaseModel):
    """Someone else linked to the same address: name, age and the agencies involved."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    name: str | None
    date_of_birth: str | None
    age: int | None  # a partial date of birth gives the youngest age it could be
    agencies: list[AgencyKind]
    has_open_case: bool
    current: bool  # lives there now (False: lived there within the window)


class MonthlyActivity(BaseModel):
    """Records per agency in each of the twelve months ending this month, oldest first."""

    model_config = ConfigDict(frozen=True)

    months: list[str]  # "YYYY-MM"
    by_agency: dict[AgencyKind, list[int]]


def household(
    person: PersonDocument, address: AddressDocument | None, *, today: date
) -> list[HouseholdMember]:
    """The others at the person's current address (`address`, its document), current first."""
    if address is None:
        return []
    return [
        HouseholdMember(
            person_id=r.person_id,
            name=display_name(r.names[0]) if r.names else None,
            date_of_birth=r.date_of_birth,
            age=age_in_years(r.date_of_birth, today=today),
            agencies=r.agencies,
            has_open_case=r.has_open_case,
            current=r.current,
        )
        for r in address.residents
        if r.person_id != person.person_id
    ]


def household_address_key(person: PersonDocument) -> str | None:
    """The key of the address whose household the person belongs to: where seen last."""
    address = current_address(person.addresses)
    return address.address_key if address else None


def activity(records: Iterable[RecordSummary], *, today: date) -> MonthlyActivity:
    """Twelve months of records by agency and month (by each record's event date)."""
    counted = monthly_activity(((r.agency_kind, r.event_date) for r in records), today=today)
    return MonthlyActivity(
        months=[m.strftime("%Y-%m") for m in counted.months],
        by_agency=dict(counted.counts),
    )
