"""The matcher's audit trail: every look at the review queue and every decision, fail closed.

No answer leaves and no decision is kept until its audit event is acknowledged by the bus; if it
cannot be, the caller gets `AuditUnavailable` (and a decision's transaction is rolled back).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Literal

from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.contracts.topics import AUDIT_EVENTS

log = logging.getLogger(__name__)

SERVICE = "matcher"


class AuditUnavailable(Exception):
    """The audit event could not be durably recorded, so nothing may be shown or decided."""


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
        outcome: Literal["success", "denied", "error"] = "success",
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
