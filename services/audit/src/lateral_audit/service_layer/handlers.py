"""Handlers: record audit events from the bus, read the log (itself audited), verify the chain."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lateral_audit.adapters.repository import AuditFilter, AuditLogStore
from lateral_audit.domain.chain import AuditEntry, ChainBreak, ChainVerifier
from lateral_shared.auth import Principal
from lateral_shared.contracts.events import AuditEvent, Event

log = logging.getLogger(__name__)

SERVICE = "audit"


async def record_events(events: Sequence[Event], *, store: AuditLogStore) -> None:
    """Batch handler for `audit.events`: append each event once; durable on return."""
    audit_events = [e for e in events if isinstance(e, AuditEvent)]
    if len(audit_events) != len(events):
        raise TypeError("audit.events carries only AuditEvent")
    appended = await store.append(audit_events)
    log.info(
        "audit events recorded",
        extra={"service": SERVICE, "count": appended, "rows": len(audit_events)},
    )


@dataclass(frozen=True)
class AuditPage:
    total: int
    page: int
    page_size: int
    entries: list[AuditEntry]


async def read_log(
    filters: AuditFilter,
    *,
    page: int,
    page_size: int,
    reader: Principal,
    reason: str,
    store: AuditLogStore,
) -> AuditPage:
    """One page of the log for an information governance officer. The read itself is appended
    to the log before the page is returned; if that append fails, so does the read."""
    total, entries = await store.find(filters, page=page, page_size=page_size)
    await store.append([_read_event(filters, reader, reason, [str(e.seq) for e in entries])])
    return AuditPage(total=total, page=page, page_size=page_size, entries=entries)


async def record_denied_read(reader: Principal, reason: str, *, store: AuditLogStore) -> None:
    """Log a refused attempt to read the audit log."""
    await store.append([_read_event(AuditFilter(), reader, reason, [], outcome="denied")])


def _read_event(
    filters: AuditFilter,
    reader: Principal,
    reason: str,
    seqs: list[str],
    outcome: Literal["success", "denied"] = "success",
) -> AuditEvent:
    criteria = {
        name: value.isoformat() if hasattr(value, "isoformat") else str(value)
        for name, value in vars(filters).items()
        if value
    }
    return AuditEvent(
        service=SERVICE, actor=reader.subject, actor_roles=sorted(reader.roles),
        action="read_audit", reason=reason, criteria=criteria, result_ids=seqs, outcome=outcome,
    )  # fmt: skip


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    problem: ChainBreak | None


async def verify_log(*, store: AuditLogStore) -> VerifyResult:
    """Walk the whole chain from the first entry; stop at the first break."""
    verifier = ChainVerifier()
    async for page in store.entries():
        for entry in page:
            problem = verifier.check(entry)
            if problem is not None:
                return VerifyResult(verifier.count, problem)
    head_seq, head_hash = await store.head()
    return VerifyResult(verifier.count, verifier.finish(head_seq, head_hash))
