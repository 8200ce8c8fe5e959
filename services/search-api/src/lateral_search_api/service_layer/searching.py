"""Audited search, person and address views. Fail closed: no answer leaves until its audit event
is acknowledged by the bus; if it cannot be, the caller gets `AuditUnavailable` and no results.

The functions the JSON API and the web pages share (keyword arguments, stable):
- `search_persons(request, principal=, index=, audit=) -> SearchPage`: persons found (each with
  why it matched) and, for a search by place alone, the addresses found.
- `view_person(person_id, reason=, principal=, index=, audit=) -> PersonDocument | None`
- `view_person_details(person_id, reason=, principal=, index=, audit=, today=) -> PersonView |
  None`: the person with their household and twelve months of activity.
- `view_address(address, reason=, principal=, index=, audit=, today=) -> AddressView | None`:
  `address` is the address's opaque ID (or its key; URLs carry the ID).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

from lateral_search_api.domain.criteria import SearchRequest
from lateral_search_api.domain.match_reasons import address_match_reasons, person_match_reasons
from lateral_search_api.domain.summaries import (
    AddressSummary,
    PersonSummary,
    summarise,
    summarise_address,
)
from lateral_search_api.domain.views import (
    HouseholdMember,
    MonthlyActivity,
    activity,
    household,
    household_address_key,
)
from lateral_shared.audit_trail import AuditTrail, AuditUnavailable
from lateral_shared.auth import Principal
from lateral_shared.index import (
    AddressDocument,
    AddressQuery,
    AddressResult,
    PersonDocument,
    PersonQuery,
    SearchIndex,
    SearchResult,
    as_address_id,
)

SERVICE = "search-api"

__all__ = [
    "SERVICE",
    "AddressView",
    "AuditTrail",
    "AuditUnavailable",
    "IndexUnavailable",
    "PersonView",
    "SearchPage",
    "record_denied",
    "search_persons",
    "view_address",
    "view_person",
    "view_person_details",
]


class IndexUnavailable(Exception):
    """The search index did not answer."""


T = TypeVar("T")


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    page_size: int
    results: list[PersonSummary]
    addresses: list[AddressSummary] = field(default_factory=list)
    address_total: int = 0


@dataclass(frozen=True)
class PersonView:
    """One person with the others at their current address and their recent activity."""

    person: PersonDocument
    household: list[HouseholdMember]
    household_address: AddressDocument | None
    activity: MonthlyActivity


@dataclass(frozen=True)
class AddressView:
    """One address, its residents and records, and the activity there."""

    address: AddressDocument
    activity: MonthlyActivity


async def search_persons(
    request: SearchRequest, *, principal: Principal, index: SearchIndex, audit: AuditTrail
) -> SearchPage:
    """One page of persons (and addresses) matching `request`, returned only after the search
    is audited."""
    query, place = request.to_query(), request.to_address_query()
    criteria = request.criteria()
    found, places = await _fetch(
        _search_both(index, query, place), audit, principal,
        action="search", reason=request.reason, criteria=criteria,
    )  # fmt: skip
    results = [summarise(hit, person_match_reasons(query, hit.person)) for hit in found.hits]
    addresses = [
        summarise_address(hit, address_match_reasons(place, hit.address))
        for hit in places.hits
        if place is not None
    ]
    await audit.record(
        principal, action="search", reason=request.reason, criteria=criteria,
        result_ids=[r.person_id for r in results] + [a.address_id for a in addresses],
    )  # fmt: skip
    return SearchPage(
        total=found.total, page=query.page, page_size=query.page_size, results=results,
        addresses=addresses, address_total=places.total,
    )  # fmt: skip


async def view_person(
    person_id: str, *, reason: str, principal: Principal, index: SearchIndex, audit: AuditTrail
) -> PersonDocument | None:
    """Everything held about one person (None if unknown), returned only after it is audited."""
    criteria = {"person_id": person_id}
    person = await _fetch(
        index.get_person(person_id), audit, principal,
        action="view_person", reason=reason, criteria=criteria,
    )  # fmt: skip
    await audit.record(
        principal,
        action="view_person",
        reason=reason,
        criteria=criteria,
        result_ids=[person.person_id] if person else [],
    )
    return person


async def view_person_details(
    person_id: str,
    *,
    reason: str,
    principal: Principal,
    index: SearchIndex,
    audit: AuditTrail,
    today: date | None = None,
) -> PersonView | None:
    """The person, their household and their last twelve months (None if unknown), returned
    only after the view is audited (one audit event covers the household shown with it)."""
    criteria = {"person_id": person_id}
    view = await _fetch(
        _person_view(index, person_id, today or date.today()), audit, principal,
        action="view_person", reason=reason, criteria=criteria,
    )  # fmt: skip
    shown = [view.person.person_id, *(m.person_id for m in view.household)] if view else []
    await audit.record(
        principal, action="view_person", reason=reason, criteria=criteria, result_ids=shown
    )
    return view


async def _person_view(index: SearchIndex, person_id: str, today: date) -> PersonView | None:
    person = await index.get_person(person_id)
    if person is None:
        return None
    key = household_address_key(person)
    address = await index.get_address(key) if key else None
    return PersonView(
        person=person,
        household=household(person, address, today=today),
        household_address=address,
        activity=activity(person.records, today=today),
    )


async def view_address(
    address: str,
    *,
    reason: str,
    principal: Principal,
    index: SearchIndex,
    audit: AuditTrail,
    today: date | None = None,
) -> AddressView | None:
    """One address (by ID or key) with its residents and records (None if unknown), returned
    only after the view is audited."""
    criteria = {"address_id": as_address_id(address)}
    found = await _fetch(
        index.get_address(address), audit, principal,
        action="view_address", reason=reason, criteria=criteria,
    )  # fmt: skip
    shown = [found.address_id, *(r.person_id for r in found.residents)] if found else []
    await audit.record(
        principal, action="view_address", reason=reason, criteria=criteria, result_ids=shown
    )
    if found is None:
        return None
    return AddressView(address=found, activity=activity(found.records, today=today or date.today()))


async def _fetch(
    work: Awaitable[T],
    audit: AuditTrail,
    principal: Principal,
    *,
    action: str,
    reason: str,
    criteria: Mapping[str, str],
) -> T:
    """The index's answer, or `IndexUnavailable` after auditing the failed attempt."""
    try:
        return await work
    except Exception as exc:
        await _record_failure(audit, principal, action, reason, criteria)
        raise IndexUnavailable from exc


async def _search_both(
    index: SearchIndex, query: PersonQuery, place: AddressQuery | None
) -> tuple[SearchResult, AddressResult]:
    """The persons found and, for a search by place, the addresses (both at once)."""
    if place is None:  # most searches: no second task to make
        return await index.search(query), AddressResult(total=0, hits=[])
    found, places = await asyncio.gather(index.search(query), index.search_addresses(place))
    return found, places


async def record_denied(
    audit: AuditTrail,
    principal: Principal,
    *,
    action: str,
    reason: str,
    criteria: Mapping[str, str],
) -> None:
    """Log a refused attempt. The request is refused whether or not this succeeds (a failure
    is already logged by AuditTrail, and a refusal shows nothing either way)."""
    await _record_unanswered(audit, principal, action, reason, criteria, outcome="denied")


async def _record_failure(
    audit: AuditTrail, principal: Principal, action: str, reason: str, criteria: Mapping[str, str]
) -> None:
    """Log an attempt the index could not answer; the index failure is what the caller hears."""
    await _record_unanswered(audit, principal, action, reason, criteria, outcome="error")


async def _record_unanswered(
    audit: AuditTrail,
    principal: Principal,
    action: str,
    reason: str,
    criteria: Mapping[str, str],
    *,
    outcome: Literal["denied", "error"],
) -> None:
    """Audit an attempt that returned no results, best effort."""
    with contextlib.suppress(AuditUnavailable):
        await audit.record(
            principal,
            action=action,
            reason=reason,
            criteria=criteria,
            result_ids=[],
            outcome=outcome,
        )
