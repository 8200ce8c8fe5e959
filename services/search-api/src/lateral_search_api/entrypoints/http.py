"""The JSON API: sign in for a token, search persons and addresses, open one person or address.
Every search and view is audited before it is answered (see `service_layer.searching`)."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from lateral_search_api.domain.criteria import SearchRequest, ViewRequest, describe_errors
from lateral_search_api.domain.summaries import SearchResults
from lateral_search_api.service_layer.searching import (
    AddressView,
    AuditUnavailable,
    IndexUnavailable,
    PersonView,
    SearchPage,
    search_persons,
    view_address,
    view_person,
    view_person_details,
)
from lateral_search_api.service_layer.users import authenticate as check_password
from lateral_shared.auth import Principal, issue_token, staff_auth
from lateral_shared.index import PersonDocument, address_id, as_address_id

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
    return results_body(await checked_search(ctx, principal, raw, source)).model_dump(mode="json")


async def checked_search(
    ctx: SearchApiContext, principal: Principal, raw: dict[str, Any], source: str
) -> SearchPage:
    """Check, authorise, search and audit; the page of results (or an HTTP error)."""
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
        return await search_persons(request, principal=principal, index=ctx.index, audit=ctx.audit)
    except AuditUnavailable:
        raise HTTPException(503, AUDIT_DOWN) from None
    except IndexUnavailable:
        raise HTTPException(503, INDEX_DOWN) from None


def results_body(page: SearchPage) -> SearchResults:
    return SearchResults(
        total=page.total, page=page.page, page_size=page.page_size, results=page.results,
        address_total=page.address_total, addresses=page.addresses,
    )  # fmt: skip


def search_response(page: SearchPage) -> Response:
    """The page as JSON, serialised by pydantic in one pass (no dicts built on the way)."""
    body = results_body(page).model_dump_json()
    return Response(body, media_type="application/json", headers=NO_STORE)


def build_api_router(ctx: SearchApiContext) -> APIRouter:
    router = APIRouter()
    authenticate = staff_auth(ctx.secret)
    Staff = Annotated[Principal, Depends(authenticate)]
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
        address: str | None = None,
        nhs_number: str | None = None,
        ref_id: str | None = None,
        page: str | None = None,
        page_size: str | None = None,
        reason: str | None = None,
    ) -> Response:
        """Persons (and, for a search by place alone, addresses) matching every given criterion.
        Prefer POST: criteria in a URL can end up in logs outside Lateral."""
        given = {
            "name": name,
            "dob": dob,
            "postcode": postcode,
            "address": address,
            "nhs_number": nhs_number,
            "ref_id": ref_id,
            "page": page,
            "page_size": page_size,
            "reason": reason,
        }
        raw: dict[str, Any] = {k: v for k, v in given.items() if v}
        if "reason" not in raw and x_lateral_reason:
            raw["reason"] = x_lateral_reason
        return search_response(await checked_search(ctx, principal, raw, "query"))

    async def search_by_body(request: Request) -> Response:
        """Persons matching every given criterion, sent as JSON so they stay out of URLs."""
        principal = await authenticate(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise unprocessable("body", [{"msg": "send the search as a JSON object"}])
        raw = {k: v for k, v in body.items() if v not in (None, "")}
        if "reason" not in raw and (stated := request.headers.get("x-lateral-reason")):
            raw["reason"] = stated
        return search_response(await checked_search(ctx, principal, raw, "body"))

    # The busiest endpoint, so it is served as a plain Starlette route, matched first: FastAPI's
    # per-route machinery cost about a fifth of the search-api's own CPU per search (measured
    # with the index's answers replayed from memory). The same function as an API route below
    # is what the OpenAPI description shows; requests never reach it.
    router.add_route("/v1/search", search_by_body, methods=["POST"], include_in_schema=False)
    router.add_api_route(
        "/v1/search",
        search_by_body,
        methods=["POST"],
        tags=["search"],
        response_class=Response,
        openapi_extra={
            "parameters": [
                {"name": "x-lateral-reason", "in": "header", "required": False,
                 "description": "The reason, if not in the body.", "schema": {"type": "string"}}
            ],
            "requestBody": {
                "content": {"application/json": {"schema": SearchRequest.model_json_schema()}},
                "required": True,
            },
        },
    )  # fmt: skip

    @router.get("/v1/persons/{person_id}", tags=["search"])
    async def get_person(
        person_id: str,
        principal: Staff,
        reason: str | None = None,
        x_lateral_reason: ReasonHeader = None,
    ) -> JSONResponse:
        """Everything held about one person: names, identifiers, addresses, agency records, why
        the records were linked, the household and twelve months of activity."""
        view = await open_person_view(ctx, principal, person_id, reason or x_lateral_reason)
        return JSONResponse(person_json(view), headers=NO_STORE)

    @router.get("/v1/addresses/{address_id}", tags=["search"])
    async def get_address(
        address_id: str,
        principal: Staff,
        reason: str | None = None,
        x_lateral_reason: ReasonHeader = None,
    ) -> JSONResponse:
        """One address by its opaque ID (search results and person views give it): its UPRN,
        residents current and past, every record there (address-only police and fire records
        included) and twelve months of activity."""
        view = await open_address(ctx, principal, address_id, reason or x_lateral_reason)
        body = {**view.address.model_dump(mode="json"), "activity": view.activity.model_dump()}
        return JSONResponse(body, headers=NO_STORE)

    return router


def person_json(view: PersonView) -> dict[str, Any]:
    """The person document with the household and activity added, and each address's opaque
    ID (what `GET /v1/addresses/{address_id}` takes)."""
    person = view.person.model_dump(mode="json")
    for address in person["addresses"]:
        key = address["address_key"]
        address["address_id"] = None if key is None else address_id(key)
    return {
        **person,
        "household_address_id": view.household_address.address_id
        if view.household_address
        else None,
        "household": [m.model_dump(mode="json") for m in view.household],
        "activity": view.activity.model_dump(mode="json"),
    }


T = TypeVar("T")


async def _open(
    ctx: SearchApiContext,
    principal: Principal,
    *,
    action: str,
    criteria: dict[str, str],
    reason: str | None,
    source: str,
    fetch: Callable[[str], Awaitable[T | None]],
) -> T:
    """Authorise, check the reason, fetch and audit one thing (or an HTTP error; 404 if none)."""
    if not await authorise(ctx, principal, action=action, reason=reason or "", criteria=criteria):
        raise HTTPException(403, FORBIDDEN)
    try:
        stated = ViewRequest.model_validate({"reason": reason} if reason else {}).reason
    except ValidationError as exc:
        raise unprocessable(source, describe_errors(exc)) from None
    try:
        found = await fetch(stated)
    except AuditUnavailable:
        raise HTTPException(503, AUDIT_DOWN) from None
    except IndexUnavailable:
        raise HTTPException(503, INDEX_DOWN) from None
    if found is None:
        what = "person" if action == "view_person" else "address"
        raise HTTPException(404, f"no {what} has that ID; search again to find it")
    return found


async def open_person(
    ctx: SearchApiContext, principal: Principal, person_id: str, reason: str | None, source: str
) -> PersonDocument:
    """Check, authorise, fetch and audit one person (or an HTTP error; 404 if unknown)."""
    person_id = person_id[:200]
    return await _open(
        ctx, principal, action="view_person", criteria={"person_id": person_id},
        reason=reason, source=source,
        fetch=lambda stated: view_person(
            person_id, reason=stated, principal=principal, index=ctx.index, audit=ctx.audit
        ),
    )  # fmt: skip


async def open_person_view(
    ctx: SearchApiContext, principal: Principal, person_id: str, reason: str | None,
    source: str = "query",
) -> PersonView:  # fmt: skip
    """As `open_person`, with the household and twelve months of activity."""
    person_id = person_id[:200]
    return await _open(
        ctx, principal, action="view_person", criteria={"person_id": person_id},
        reason=reason, source=source,
        fetch=lambda stated: view_person_details(
            person_id, reason=stated, principal=principal, index=ctx.index, audit=ctx.audit
        ),
    )  # fmt: skip


async def open_address(
    ctx: SearchApiContext, principal: Principal, address: str, reason: str | None,
    source: str = "query",
) -> AddressView:  # fmt: skip
    """Check, authorise, fetch and audit one address, by ID (or key), or an HTTP error (404 if
    unknown)."""
    reference = as_address_id(address[:300])
    return await _open(
        ctx, principal, action="view_address", criteria={"address_id": reference},
        reason=reason, source=source,
        fetch=lambda stated: view_address(
            reference, reason=stated, principal=principal, index=ctx.index, audit=ctx.audit
        ),
    )  # fmt: skip
