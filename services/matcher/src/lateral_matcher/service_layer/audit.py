"""The matcher's audit trail: every look at the review queue and every decision, fail closed.

No answer leaves and no decision is kept until its audit event is acknowledged by the bus; if it
cannot be, the caller gets `AuditUnavailable` (and a decision's transaction is rolled back).
"""

from __future__ import annotations

from lateral_shared.audit_trail import AuditTrail, AuditUnavailable
from lateral_shared.bus import EventPublisher

SERVICE = "matcher"

__all__ = ["SERVICE", "AuditTrail", "AuditUnavailable", "matcher_audit_trail"]


def matcher_audit_trail(publisher: EventPublisher) -> AuditTrail:
    """The audit trail of the matcher's review desk."""
    return AuditTrail(publisher, service=SERVICE)
