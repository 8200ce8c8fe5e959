"""`GET /v1/audit`: the audit log for information governance officers (each read is logged)."""

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import TypeAdapter, ValidationError

from lateral_audit.adapters.repository import AuditFilter, AuditLogStore
from lateral_audit.domain.chain import AuditEntry
from lateral_audit.service_layer.handlers import read_log, record_denied_read
from lateral_shared.auth import Principal, Role, staff_auth

log = logging.getLogger(__name__)

READERS = frozenset({Role.IG_OFFICER.value, Role.ADMIN.value})
_DATETIME = TypeAdapter(datetime)
MAX_PAGE = 100_000


def _invalid(field: str, problem: str) -> HTTPException:
    # FastAPI's own 422 echoes the input; ours names the field and the problem only.
    return HTTPException(
        422,
        detail=[{"loc": ["query", field], "msg": problem, "type": "value_error"}],
    )


def _parse_moment(field: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _DATETIME.validate_python(value)
    except ValidationError:
        raise _invalid(field, "give an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z") from None


def _parse_page(value: str | None) -> int:
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise _invalid("page", f"give a whole number from 1 to {MAX_PAGE}")
    return int(value)


def _entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq, "event_id": entry.event_id,
        "occurred_at": entry.occurred_at.isoformat(), "recorded_at": entry.recorded_at.isoformat(),
        "service": entry.service, "actor": entry.actor, "action": entry.action,
        "reason": entry.reason, "outcome": entry.payload.get("outcome"),
        "criteria": entry.payload.get("criteria", {}),
        "result_ids": entry.payload.get("result_ids", []),
        "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash,
    }  # fmt: skip


def build_router(store: AuditLogStore, *, secret: str, page_size: int) -> APIRouter:
    """The audit log API over `store`, for tokens signed with `secret`."""
    router = APIRouter(prefix="/v1/audit", tags=["audit"])
    authenticate = staff_auth(secret)

    @router.get("")
    async def list_audit_entries(
        *,
        principal: Annotated[Principal, Depends(authenticate)],
        actor: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
        page: str | None = None,
        reason: str | None = None,
        x_lateral_reason: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Audit entries, newest first, filtered by actor, action and time (ig_officer, admin)."""
        stated = (reason or x_lateral_reason or "").strip()[:200]
        if not principal.roles & READERS:
            await _log_denied(principal, stated, store)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "this needs one of the roles: admin, ig_officer"
            )
        filters = AuditFilter(
            actor=actor or None,
            action=action or None,
            since=_parse_moment("since", since),
            until=_parse_moment("until", until),
        )
        try:
            result = await read_log(
                filters,
                page=_parse_page(page),
                page_size=page_size,
                reader=principal,
                reason=stated,
                store=store,
            )
        except Exception:
            log.exception("could not record a read of the audit log")
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "the audit trail is unavailable, so no entries can be shown; try again shortly",
            ) from None
        return {
            "total": result.total,
            "page": result.page,
            "page_size": result.page_size,
            "entries": [_entry_json(e) for e in result.entries],
        }

    return router


async def _log_denied(principal: Principal, reason: str, store: AuditLogStore) -> None:
    try:
        await record_denied_read(principal, reason, store=store)
    except Exception:
        # The request is refused either way; the failure to log it must still be seen.
        log.exception("could not record a refused read of the audit log")
