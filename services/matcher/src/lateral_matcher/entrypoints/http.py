"""The review API for data stewards: list the queue, open an item, decide it, list past
decisions; and where a person is now. Every request is audited before it is answered, a decision
before it is kept, and a refusal as the action refused on the ID it named.

No `from __future__ import annotations` here: FastAPI must see the local `Staff` alias itself.
"""

import contextlib
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from lateral_matcher.adapters.reviews import ReviewItem
from lateral_matcher.entrypoints.schemas import (
    DecisionCreate,
    IdentityChangeRead,
    IdentityRead,
    ReviewItemDetail,
    ReviewItemPage,
    ReviewItemRead,
)
from lateral_matcher.service_layer.audit import AuditUnavailable
from lateral_matcher.service_layer.reviewing import (
    AlreadyDecided,
    PersonsBusy,
    ReviewDesk,
    ReviewItemNotFound,
)
from lateral_shared.auth import Principal, Role, staff_auth

AUDIT_DOWN = "the audit trail is unavailable, so nothing can be shown or decided; try again shortly"
NOT_FOUND = "no review item has this ID"
PERSONS_BUSY = (
    "the persons under review are being updated by new records; nothing was decided, "
    "try again in a moment"
)
BUSY_RETRY_AFTER_S = 2
# Responses that carry personal data must not be kept by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
STEWARDS = frozenset({Role.DATA_STEWARD.value})
IDENTITY_READERS = frozenset(
    {Role.DATA_STEWARD.value, Role.PRACTITIONER.value, Role.DUTY_MANAGER.value, Role.ADMIN.value}
)


def build_review_router(desk: ReviewDesk, secret: str) -> APIRouter:
    router = APIRouter(tags=["review"])
    Staff = Annotated[Principal, Depends(staff_auth(secret))]
    _add_identity_route(router, desk, secret)

    @router.get("/v1/review-items")
    async def list_review_items(
        principal: Staff,
        status: Annotated[str | None, Query(pattern="^(open|same|not_same)$")] = "open",
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> JSONResponse:
        """The review queue, oldest first (`status`: open by default, same or not_same)."""
        await _allow(desk, principal, STEWARDS, "list_review_items")
        try:
            total, items = await desk.list_items(
                status=status, page=page, page_size=page_size, principal=principal
            )
        except AuditUnavailable:
            raise HTTPException(503, AUDIT_DOWN) from None
        return _page(total, page, page_size, items)

    @router.get("/v1/review-items/decided")  # before `{review_id}`, which would take the path
    async def list_decided_review_items(
        principal: Staff,
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> JSONResponse:
        """Past decisions, newest first: who decided, when, which way and why."""
        await _allow(desk, principal, STEWARDS, "list_decided_review_items")
        try:
            total, items = await desk.list_decided(
                page=page, page_size=page_size, principal=principal
            )
        except AuditUnavailable:
            raise HTTPException(503, AUDIT_DOWN) from None
        return _page(total, page, page_size, items)

    @router.get("/v1/review-items/{review_id}")
    async def get_review_item(review_id: str, principal: Staff) -> JSONResponse:
        """One item, with the record and the reviewed person's records side by side."""
        await _allow(desk, principal, STEWARDS, "view_review_item", review_id=review_id)
        try:
            view = await desk.view_item(review_id, principal=principal)
        except AuditUnavailable:
            raise HTTPException(503, AUDIT_DOWN) from None
        if view is None:
            raise HTTPException(404, NOT_FOUND)
        body = ReviewItemDetail(
            **ReviewItemRead.of(view.item).model_dump(), record=view.record,
            current_person_id=view.current_person_id, person_records=view.person_records,
        )  # fmt: skip
        return JSONResponse(body.model_dump(mode="json"), headers=NO_STORE)

    @router.post("/v1/review-items/{review_id}/decision")
    async def decide_review_item(review_id: str, request: Request, principal: Staff) -> Any:
        """Decide an open item: {"decision": "same" | "not_same", "reason": "..."}."""
        await _allow(desk, principal, STEWARDS, "decide_review_item", review_id=review_id)
        decision = await _read_decision(request)
        try:
            item = await desk.decide(
                review_id, decision=decision.decision, reason=decision.reason, principal=principal
            )
        except ReviewItemNotFound:
            raise HTTPException(404, NOT_FOUND) from None
        except AlreadyDecided:
            raise HTTPException(409, "this review item has already been decided") from None
        except AuditUnavailable:
            raise HTTPException(503, AUDIT_DOWN) from None
        except PersonsBusy:
            raise HTTPException(
                503, PERSONS_BUSY, headers={"Retry-After": str(BUSY_RETRY_AFTER_S)}
            ) from None
        return JSONResponse(ReviewItemRead.of(item).model_dump(mode="json"), headers=NO_STORE)

    return router


def _add_identity_route(router: APIRouter, desk: ReviewDesk, secret: str) -> None:
    Staff = Annotated[Principal, Depends(staff_auth(secret))]

    @router.get("/v1/identity/{person_id}")
    async def get_identity(person_id: str, principal: Staff) -> JSONResponse:
        """Where a person ID is now (its survivor if merged) and its merges and splits."""
        await _allow(desk, principal, IDENTITY_READERS, "view_identity", person_id=person_id)
        try:
            view = await desk.where_is(person_id, principal=principal)
        except AuditUnavailable:
            raise HTTPException(503, AUDIT_DOWN) from None
        if view is None:
            raise HTTPException(404, "no person has ever had this ID")
        body = IdentityRead(person_id=view.person_id, current_person_id=view.current_person_id,
                            changes=[IdentityChangeRead.of(c) for c in view.changes])  # fmt: skip
        return JSONResponse(body.model_dump(mode="json"), headers=NO_STORE)


async def _allow(
    desk: ReviewDesk, principal: Principal, roles: frozenset[str], action: str, **criteria: str
) -> None:
    """403 unless the principal holds one of `roles`; the refusal is audited (best effort)
    as the action refused, on the item or person it named (its ID, never a value)."""
    if principal.roles & roles:
        return
    named = {name: checked for name, value in criteria.items() if (checked := _an_id(value))}
    with contextlib.suppress(AuditUnavailable):
        await desk.audit.record(principal, action=action, reason="review queue",
                                criteria=named, result_ids=[], outcome="denied")  # fmt: skip
    raise HTTPException(403, f"this needs one of the roles: {', '.join(sorted(roles))}")


def _page(total: int, page: int, page_size: int, items: list[ReviewItem]) -> JSONResponse:
    body = ReviewItemPage(total=total, page=page, page_size=page_size,
                          items=[ReviewItemRead.of(i) for i in items])  # fmt: skip
    return JSONResponse(body.model_dump(mode="json"), headers=NO_STORE)


def _an_id(value: str) -> str:
    """`value` if it is an ID (a UUID), else "": a path could carry anything, even a name."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return ""


async def _read_decision(request: Request) -> DecisionCreate:
    """The decision in the body, or a 422 naming each field and problem (never the value)."""
    try:
        raw = json.loads(await request.body() or b"null")
        return DecisionCreate.model_validate(raw)
    except json.JSONDecodeError:
        raise HTTPException(422, [{"loc": ["body"], "msg": "the body is not JSON"}]) from None
    except ValidationError as exc:
        detail = [
            {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise HTTPException(422, detail) from None
