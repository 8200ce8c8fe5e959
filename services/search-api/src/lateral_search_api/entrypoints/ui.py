"""A minimal, accessible HTML front end: sign in, search, open a person. No JavaScript.

Criteria and the reason travel in POST bodies, never in URLs. The token sits in an HttpOnly,
SameSite=Strict cookie, so other sites cannot send requests with it. Searches and person views go
through the same audited code as the JSON API (`run_search`, `open_person`).
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from lateral_search_api.domain.summaries import display_name
from lateral_search_api.service_layer.users import authenticate as check_password
from lateral_shared.auth import Principal, issue_token, verify_token
from lateral_shared.index import PersonName

from .deps import BAD_SIGN_IN, NO_STORE, SearchApiContext
from .http import open_person, run_search

COOKIE = "lateral_session"
FORM_FIELDS = ("name", "dob", "postcode", "nhs_number", "ref_id", "reason")
SECURITY_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _full_name(name: PersonName | Mapping[str, Any]) -> str:
    """A name as one line, from a PersonName or its JSON form (search results are JSON)."""
    return display_name(name if isinstance(name, PersonName) else PersonName.model_validate(name))


templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals.update(display_name=_full_name)


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def _error_page(
    request: Request, principal: Principal, exc: HTTPException, form: dict[str, str]
) -> Response:
    if exc.status_code == 422 and isinstance(exc.detail, list):
        errors = [
            {"field": d["loc"][-1] if len(d["loc"]) > 1 else None, "msg": d["msg"]}
            for d in exc.detail
        ]
        return _page(
            request, "search.html", {"user": principal, "form": form, "errors": errors}, 422
        )
    return _page(
        request,
        "message.html",
        {"user": principal, "status": exc.status_code, "message": exc.detail},
        exc.status_code,
    )


def build_ui_router(ctx: SearchApiContext) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def signed_in(request: Request) -> Principal | None:
        token = request.cookies.get(COOKIE)
        try:
            return verify_token(ctx.secret, token) if token else None
        except ValueError:
            return None

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        principal = signed_in(request)
        if principal is None:
            return _page(request, "sign_in.html", {"user": None})
        return _page(request, "search.html", {"user": principal, "form": {}})

    @router.post("/ui/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        username, password = str(form.get("username") or ""), str(form.get("password") or "")
        async with ctx.sessions() as session:
            principal = await check_password(session, username=username, password=password)
        if principal is None:
            return _page(request, "sign_in.html", {"user": None, "error": BAD_SIGN_IN}, 401)
        token = issue_token(
            ctx.secret,
            subject=principal.subject,
            roles=sorted(principal.roles),
            ttl_s=ctx.token_ttl_s,
        )
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=ctx.token_ttl_s,
            httponly=True,
            samesite="strict",
            secure=ctx.cookie_secure,
            path="/",
        )
        return response

    @router.post("/ui/sign-out")
    async def sign_out() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @router.post("/ui/search", response_class=HTMLResponse)
    async def search(request: Request) -> Response:
        principal = signed_in(request)
        if principal is None:
            return _page(request, "sign_in.html", {"user": None, "expired": True}, 401)
        submitted = await request.form()
        form = {f: str(submitted.get(f) or "").strip() for f in FORM_FIELDS}
        raw = {k: v for k, v in form.items() if v}
        try:
            page = await run_search(ctx, principal, raw, "form")
        except HTTPException as exc:
            return _error_page(request, principal, exc, form)
        return _page(request, "search.html", {"user": principal, "form": form, "page": page})

    @router.post("/ui/persons/{person_id}", response_class=HTMLResponse)
    async def person(request: Request, person_id: str) -> Response:
        principal = signed_in(request)
        if principal is None:
            return _page(request, "sign_in.html", {"user": None, "expired": True}, 401)
        reason = str((await request.form()).get("reason") or "").strip()
        try:
            found = await open_person(ctx, principal, person_id, reason, "form")
        except HTTPException as exc:
            return _error_page(request, principal, exc, {"reason": reason})
        return _page(request, "person.html", {"user": principal, "person": found, "reason": reason})

    return router
