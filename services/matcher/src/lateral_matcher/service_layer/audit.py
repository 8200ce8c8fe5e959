"""The matcher's audit trail: every look at the review queue and every decision, fail closed.

No answer leaves and no decision is kept until its audit event is acknowledged by the bus; if it
cannot be, the caller gets `AuditUnavailable` (and a decision's transaction is rolled back).

A decision is audited twice, so that the trail says exactly what happened: its attempt
(`decide_review_item_attempt`), acknowledged before the decision's transaction commits (fail
closed), then the decision as made (`decide_review_item`), staged in the outbox in the decision's
own transaction (`decision_audit_message`) and so published only once it has committed, and
never lost after; a decision that did not commit is followed by `decide_review_item` with the
outcome `error` instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from lateral_shared.audit_trail import AuditTrail, AuditUnavailable
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.bus.port import OutgoingMessage
from lateral_shared.contracts import AuditEvent, encode_event

SERVICE = "matcher"

__all__ = [
    "SERVICE",
    "AuditTrail",
    "AuditUnavailable",
    "decision_audit_message",
    "matcher_audit_trail",
]


def matcher_audit_trail(publisher: EventPublisher) -> AuditTrail:
    """The audit trail of the matcher's review desk."""
    return AuditTrail(publisher, service=SERVICE)


def decision_audit_message(
    principal: Principal,
    *,
    action: str,
    reason: str,
    criteria: Mapping[str, str],
    result_ids: list[str],
) -> OutgoingMessage:
    """A successful decision's audit event, encoded as the audit trail publishes it, for the
    outbox (published once the decision has committed)."""
    event = AuditEvent(
        service=SERVICE, actor=principal.subject, actor_roles=sorted(principal.roles),
        action=action, reason=reason, criteria=dict(criteria), result_ids=result_ids,
    )  # fmt: skip
    return OutgoingMessage(
        key=principal.subject, value=encode_event(event), headers={"event_type": "AuditEvent"}
    )
