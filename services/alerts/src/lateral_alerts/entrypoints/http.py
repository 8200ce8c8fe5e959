"""The duty managers' alerts API: list alerts, acknowledge one, assign one.

Query and body errors are answered here, not by FastAPI's default 422, so that no error response
ever echoes what was sent. (No `from __future__ import annotations`: FastAPI must see the
route's dependency annotations, which are built inside `build_router`.)
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import ValidationError

from lateral_alerts.adapters.repository import AlertStore
from lateral_alerts.domain.model import Alert, AlertStatus
from lateral_alerts.service_layer.handlers import Clock, utc_now
from lateral_shared.auth import Principal, Role, require_roles, staff_auth

from .schemas import AlertPageRead, AlertRead, AssignmentUpdate

MAX_PAGE = 100_000


def build_router(
    store: AlertStore, *, secret: str, page_size: int, clock: Clock = utc_now
) -> APIRouter:
    """The `/v1/alerts` routes over `store`, for duty managers and admins."""
    duty_manager = require_roles(staff_auth(secret), Role.DUTY_MANAGER, Role.ADMIN)
    DutyManager = Annotated[Principal, Depends(duty_manager)]
    router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

    @router.get("")
    async def list_alerts(
        _: DutyManager,
        status_filter: Annotated[
            str | None,
            Query(alias="status", description="`open` or `acknowledged`; all if absent."),
        ] = None,
        page: Annotated[str | None, Query(description="Page number, from 1.")] = None,
    ) -> AlertPageRead:
        """Alerts, newest first: IDs, rule, dates and status."""
        found = await store.list(
            status=_parse_status(status_filter), page=_parse_page(page), page_size=page_size
        )
        return AlertPageRead.of(found)

    @router.post("/{alert_id}/acknowledge")
    async def acknowledge(alert_id: str, principal: DutyManager) -> AlertRead:
        """Acknowledge an alert (acknowledging it again changes nothing)."""
        alert = await store.acknowledge(alert_id, by=principal.subject, at=clock())
        return AlertRead.of(_found(alert))

    @router.post(
        "/{alert_id}/assign",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": AssignmentUpdate.model_json_schema()}},
            }
        },
    )
    async def assign(alert_id: str, request: Request, _: DutyManager) -> AlertRead:
        """Assign an alert to a member of staff: JSON `{"assignee": "<user name>"}`."""
        update = _parse_body(await request.body())
        alert = await store.assign(alert_id, to=update.assignee)
        return AlertRead.of(_found(alert))

    return router


def _unprocessable(problems: list[dict[str, Any]]) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=problems)


def _parse_status(value: str | None) -> AlertStatus | None:
    if value is None or value == "":
        return None
    try:
        return AlertStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in AlertStatus)
        raise _unprocessable(
            [
                {
                    "loc": ["query", "status"],
                    "type": "enum",
                    "msg": f"status must be one of: {allowed}",
                }
            ]
        ) from None


def _parse_page(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise _unprocessable(
            [
                {
                    "loc": ["query", "page"],
                    "type": "int_parsing",
                    "msg": f"page must be a whole number from 1 to {MAX_PAGE}",
                }
            ]
        )
    return int(value)


def _parse_body(raw: bytes) -> AssignmentUpdate:
    try:
        return AssignmentUpdate.model_validate_json(raw or b"null")
    except ValidationError as exc:
        problems = [
            {"loc": ["body", *error["loc"]], "type": error["type"], "msg": error["msg"]}
            for error in exc.errors(include_input=False, include_url=False, include_context=False)
        ]
        raise _unprocessable(problems) from None


def _found(alert: Alert | None) -> Alert:
    if alert is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "no alert has this ID: take the ID from the alerts list"
        )
    return alert
