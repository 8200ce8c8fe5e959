"""The JSON API: sign in for a token, search persons, open one person. Every search and view is
audited before it is answered (see `service_layer.searching`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from lateral_search_api.domain.criteria import SearchRequest, ViewRequest, describe_errors
from lateral_search_api.service_layer.searching import (
    AuditUnavailable,
    IndexUnavailable,
    search_persons,
    view_person,
)
from lateral_search_api.service_layer.users import authenticate as check_password
from lateral_shared.auth import Principal, issue_token, staff_auth
from lateral_shared.index import PersonDocument

from .deps import (
    AUDIT_DOWN,
    BAD_SIGN_IN,
    FORBIDDEN,
    INDEX_DOWN,
    NO_STORE,
    SearchApiContext,
    attempted_criteria,
    authorise,
    unprocessable,
)


async def run_search(
    ctx: SearchApiContext, principal: Principal, raw: dict[str, Any], source: str
) -> dict[str, Any]:
    """Check, authorise, search and audit; the JSON page of results (or an HTTP error)."""
    if not await authorise(
        ctx,
        principal,
        action="search",
        reason=str(raw.get("reason") or ""),
        criteria=attempted_criteria(raw),
    ):
        raise HTTPException(403, FORBIDDEN)
    try:
        request = SearchRequest.model_validate(raw)
        request.to_query()
    except ValidationError as exc:
        raise unprocessable(source, describe_errors(exc)) from None
    except ValueError as exc:
        raise unprocessable(source, [{"msg": str(exc)}]) from None
    try:
        page = await search_persons(request, principal=principal, index=ctx.index, audit=ctx.audit)
    except AuditUnavailable:
        raise HTTPException(503, AUDIT_DOWN) from None
    except IndexUnavailable:
        raise HTTPException(503, INDEX_DOWN) from None
    return {
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "results": [r.model_dump(mode="json") for r in page.results],
    }


def build_api_router(ctx: SearchApiContext) -> APIRouter:
    router = APIRouter()
    Staff = Annotated[Principal, Depends(staff_auth(ctx.secret))]
    ReasonHeader = Annotated[str | None, Header(description="The reason, if not in the query.")]

    @router.post("/v1/auth/token", tags=["auth"])
    async def issue_access_token(request: Request) -> JSONResponse:
        """Sign in with form fields `username` and `password` (OAuth2 password grant style)."""
        form = await request.form()
        fields = {name: form.get(name) for name in ("username", "password")}
        missing = [
            {"field": n, "msg": "this field is required"}
            for n, v in fields.items()
            if not isinstance(v, str) or not v
        ]
        if missing:
            raise unprocessable("body", missing)
        async with ctx.sessions() as session:
            principal = await check_password(
                session, username=str(fields["username"]), password=str(fields["password"])
            )
        if principal is None:
            raise HTTPException(401, BAD_SIGN_IN, headers={"WWW-Authenticate": "Bearer"})
        token = issue_token(
            ctx.secret,
            subject=principal.subject,
            roles=sorted(principal.roles),
            ttl_s=ctx.token_ttl_s,
        )
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": ctx.token_ttl_s},
            headers=NO_STORE,
        )

    @router.get("/v1/search", tags=["search"])
    async def search_by_query(
        *,
        principal: Staff,
        x_lateral_reason: ReasonHeader = None,
        name: str | None = None,
        dob: str | None = None,
        postcode: str | None = None,
        nhs_number: str | None = None,
        ref_id: str | None = None,
        page: str | None = None,
        page_size: str | None = None,
        reason: str | None = None,
    ) -> JSONResponse:
        """Persons matching every given criterion. Prefer POST: criteria in a URL get logged."""
        given = {
            "name": name,
            "dob": dob,
            "postcode": postcode,
            "nhs_number": nhs_number,
            "ref_id": ref_id,
            "page": page,
            "page_size": page_size,
            "reason": reason,
        }
        raw: dict[str, Any] = {k: v for k, v in given.items() if v}
        if "reason" not in raw and x_lateral_reason:
            raw["reason"] = x_lateral_reason
        return JSONResponse(await run_search(ctx, principal, raw, "query"), headers=NO_STORE)

    @router.post(
        "/v1/search",
        tags=["search"],
        openapi_extra={
            "requestBody": {
                "content": {"application/json": {"schema": SearchRequest.model_json_schema()}},
                "required": True,
            }
        },
    )
    async def search_by_body(
        request: Request, principal: Staff, x_lateral_reason: ReasonHeader = None
    ) -> JSONResponse:
        """Persons matching every given criterion, sent as JSON so they stay out of URLs."""
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise unprocessable("body", [{"msg": "send the search as a JSON object"}])
        raw = {k: v for k, v in body.items() if v not in (None, "")}
        if "reason" not in raw and x_lateral_reason:
            raw["reason"] = x_lateral_reason
        return JSONResponse(await run_search(ctx, principal, raw, "body"), headers=NO_STORE)

    @router.get("/v1/persons/{person_id}", tags=["search"])
    async def get_person(
        person_id: str,
        principal: Staff,
        reason: str | None = None,
        x_lateral_reason: ReasonHeader = None,
    ) -> JSONResponse:
        """Everything held about one person: names, identifiers, addresses, agency records."""
        person = await open_person(ctx, principal, person_id, reason or x_lateral_reason, "query")
        return JSONResponse(person.model_dump(mode="json"), headers=NO_STORE)

    return router


async def open_person(
    ctx: SearchApiContext, principal: Principal, person_id: str, reason: str | None, source: str
) -> PersonDocument:
    """Check, authorise, fetch and audit one person (or an HTTP error; 404 if unknown)."""
    if not await authorise(
        ctx,
        principal,
        action="view_person",
        reason=reason or "",
        criteria={"person_id": person_id[:200]},
    ):
        raise HTTPException(403, FORBIDDEN)
    try:
        stated = ViewRequest.model_validate({"reason": reason} if reason else {}).reason
    except ValidationError as exc:
        raise unprocessable(source, describe_errors(exc)) from None
    try:
        person = await view_person(
            person_id[:200], reason=stated, principal=principal, index=ctx.index, audit=ctx.audit
        )
    except AuditUnavailable:
        raise HTTPException(503, AUDIT_DOWN) from None
    except IndexUnavailable:
        raise HTTPException(503, INDEX_DOWN) from None
    if person is None:
        raise HTTPException(404, "no person has that ID; search again to find them")
    return person
