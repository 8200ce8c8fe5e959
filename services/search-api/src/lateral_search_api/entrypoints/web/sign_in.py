"""Signing in and out of the web front end: local accounts (embedded mode and small sites) and
the council's identity provider over OIDC (see `oidc.py`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lateral_search_api.service_layer.users import authenticate as check_password

from ..deps import BAD_SIGN_IN
from .base import CSRF_FIELD, FORM_EXPIRED, Web
from .oidc import CouncilSignIn
from .sessions import WebSession


def _sign_in_page(
    web: Web, request: Request, session: WebSession, status: int = 200, **context: object
) -> Response:
    ended = session.ended
    session = WebSession(csrf=session.csrf, return_to=session.return_to)
    return web.page(
        request,
        session,
        "sign_in.html",
        {
            "title": "Sign in",
            "ended": ended,
            "local": web.settings.web_local_accounts,
            "oidc": web.settings.oidc_enabled,
            "oidc_name": web.settings.oidc_provider_name,
            "field_errors": {},
            **context,
        },
        status,
    )


def build_sign_in_router(web: Web, council: CouncilSignIn | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/sign-in")
    async def sign_in_form(request: Request) -> Response:
        session = await web.cookies.load(request)
        if session.principal is not None:
            return web.redirect(session, "/")
        return _sign_in_page(web, request, session)

    @router.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        session = await web.cookies.load(request)
        form = await request.form()
        if not web.settings.web_local_accounts:
            return web.message(
                request,
                session,
                404,
                "Page not found",
                f"Sign in with {web.settings.oidc_provider_name} instead.",
            )
        if not session.csrf_matches(form.get(CSRF_FIELD)):
            return _sign_in_page(web, request, session, 403, errors=[{"text": FORM_EXPIRED}])
        username, password = str(form.get("username") or ""), str(form.get("password") or "")
        if not username or not password:
            return _missing(web, request, session, username, password)
        async with web.api.sessions() as db:
            principal = await check_password(db, username=username, password=password)
        if principal is None:
            errors = [{"text": "Enter a correct username and password", "href": "#username"}]
            return _sign_in_page(
                web,
                request,
                session,
                401,
                errors=errors,
                username=username,
                field_errors={"username": BAD_SIGN_IN.capitalize()},
            )
        return web.redirect(await web.cookies.begin(session, principal), "/")

    @router.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        session = await web.cookies.load(request)
        form = await request.form()
        if session.principal is not None and not session.csrf_matches(form.get(CSRF_FIELD)):
            return web.message(request, session, 403, "There is a problem", FORM_EXPIRED)
        await web.cookies.end(session)
        return web.redirect(WebSession(), "/sign-in")

    if council is not None:
        router.include_router(council.router(web))
    return router


def _missing(
    web: Web, request: Request, session: WebSession, username: str, password: str
) -> Response:
    field_errors = {}
    if not username:
        field_errors["username"] = "Enter your username"
    if not password:
        field_errors["password"] = "Enter your password"  # noqa: S105 (a message, not a secret)
    errors = [{"text": text, "href": f"#{field}"} for field, text in field_errors.items()]
    return _sign_in_page(
        web, request, session, 422, errors=errors, username=username, field_errors=field_errors
    )
