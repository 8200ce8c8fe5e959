"""What the HTTP and HTML entry points share: wiring, access checks and error shapes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_search_api.domain.criteria import CRITERIA_FIELDS
from lateral_search_api.service_layer.searching import AuditTrail, record_denied
from lateral_shared.auth import Principal, Role
from lateral_shared.index import SearchIndex

SEARCH_ROLES = frozenset({Role.PRACTITIONER.value, Role.DUTY_MANAGER.value, Role.ADMIN.value})
AUDIT_DOWN = "the audit trail is unavailable, so no results can be shown; try again shortly"
INDEX_DOWN = "the search index is unavailable; try again shortly"
BAD_SIGN_IN = "the username or password is not right"
FORBIDDEN = "searching needs one of the roles: admin, duty_manager, practitioner"
# Responses that carry personal data must not be kept by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class SearchApiContext:
    """Everything a request handler needs, built once by `bootstrap`."""

    sessions: async_sessionmaker[AsyncSession]
    index: SearchIndex
    audit: AuditTrail
    secret: str
    token_ttl_s: int
    cookie_secure: bool


def attempted_criteria(raw: Mapping[str, Any]) -> dict[str, str]:
    """What a refused caller tried to search by, for the audit log (trimmed, unvalidated)."""
    return {f: str(v)[:200] for f in CRITERIA_FIELDS if (v := raw.get(f)) not in (None, "")}


async def authorise(
    ctx: SearchApiContext,
    principal: Principal,
    *,
    action: str,
    reason: str,
    criteria: Mapping[str, str],
) -> bool:
    """Whether `principal` may search or view persons; a refusal is audited."""
    if principal.roles & SEARCH_ROLES:
        return True
    await record_denied(ctx.audit, principal, action=action, reason=reason[:200], criteria=criteria)
    return False


def unprocessable(source: str, problems: list[dict[str, Any]]) -> HTTPException:
    """A 422 naming each field and its problem. FastAPI's own 422 would echo the input."""
    detail = [
        {"loc": [source, p["field"]] if p.get("field") else [source], "msg": p["msg"],
         "type": p.get("type", "value_error")}
        for p in problems
    ]  # fmt: skip
    return HTTPException(422, detail=detail)
