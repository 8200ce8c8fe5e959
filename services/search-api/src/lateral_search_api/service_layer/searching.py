"""Audited search and person views. Fail closed: no answer leaves until its audit event is
acknowledged by the bus; if it cannot be, the caller gets `AuditUnavailable` and no results."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from lateral_search_api.domain.criteria import SearchRequest
from lateral_search_api.domain.summaries import PersonSummary, summarise
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.contracts.topics import AUDIT_EVENTS
from lateral_shared.index import PersonDocument, SearchIndex

log = logging.getLogger(__name__)

SERVICE = "search-api"
Outcome = Literal["success", "denied", "error"]


class AuditUnavailable(Exception):
    """The audit event could not be durably recorded, so nothing may be shown."""


class IndexUnavailable(Exception):
    """The search index did not answer."""


class AuditTrail:
    """Publishes audit events to `audit.events` and waits for the bus to acknowledge them."""

    def __init__(self, publisher: EventPublisher) -> None:
        self._publisher = publisher

    async def record(
        self,
        principal: Principal,
        *,
        action: str,
        reason: str,
        criteria: Mapping[str, str],
        result_ids: list[str],
        outcome: Outcome = "success",
    ) -> None:
        event = AuditEvent(
            service=SERVICE, actor=principal.subject, actor_roles=sorted(principal.roles),
            action=action, reason=reason, criteria=dict(criteria), result_ids=result_ids,
            outcome=outcome,
        )  # fmt: skip
        try:
            await self._publisher.publish(AUDIT_EVENTS, [(principal.subject, event)])
        except Exception as exc:
            log.error(
                "audit event not acknowledged; withholding the answer",
                extra={"service": SERVICE, "event_id": str(event.event_id)},
                exc_info=True,
            )
            raise AuditUnavailable from exc


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    page_size: int
    results: list[PersonSummary]


async def search_persons(
    request: SearchRequest, *, principal: Principal, index: SearchIndex, audit: AuditTrail
) -> SearchPage:
    """One page of persons matching `request`, returned only after the search is audited."""
    query = request.to_query()
    try:
        found = await index.search(query)
    except Exception as exc:
        await _record_failure(audit, principal, "search", request.reason, request.criteria())
        raise IndexUnavailable from exc
    results = [summarise(hit) for hit in found.hits]
    await audit.record(
        principal,
        action="search",
        reason=request.reason,
        criteria=request.criteria(),
        result_ids=[r.person_id for r in results],
    )
    return SearchPage(
        total=found.total, page=query.page, page_size=query.page_size, results=results
    )


async def view_person(
    person_id: str, *, reason: str, principal: Principal, index: SearchIndex, audit: AuditTrail
) -> PersonDocument | None:
    """Everything held about one person (None if unknown), returned only after it is audited."""
    criteria = {"person_id": person_id}
    try:
        person = await index.get_person(person_id)
    except Exception as exc:
        await _record_failure(audit, principal, "view_person", reason, criteria)
        raise IndexUnavailable from exc
    await audit.record(
        principal,
        action="view_person",
        reason=reason,
        criteria=criteria,
        result_ids=[person.person_id] if person else [],
    )
    return person


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
