"""What every web page handler shares: the session, the signed-in check, CSRF, responses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lateral_search_api.config import SearchApiSettings
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher

from ..deps import SEARCH_ROLES, SearchApiContext
from .rendering import SECURITY_HEADERS, render
from .sessions import SessionCookies, WebSession

CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Web:
    """The web front end's wiring, built once by `build_ui_router`."""

    api: SearchApiContext
    cookies: SessionCookies
    settings: SearchApiSettings
    publisher: EventPublisher | None

    def page(
        self,
        request: Request,
        session: WebSession,
        template: str,
        context: dict[str, Any],
        status: int = 200,
    ) -> HTMLResponse:
        """A page, with the session written back (so activity extends the idle time-out)."""
        shared = {
            "user": session.principal,
            "csrf": session.csrf,
        }
        response = render(request, template, {**shared, **context}, status)
        self.cookies.save(response, session)
        return response

    def message(
        self,
        request: Request,
        session: WebSession,
        status: int,
        title: str,
        message: str,
        **links: str,
    ) -> HTMLResponse:
        return self.page(
            request, session, "message.html", {"title": title, "message": message, **links}, status
        )

    def redirect(self, session: WebSession, to: str) -> Response:
        response = RedirectResponse(to, status_code=303, headers=SECURITY_HEADERS)
        self.cookies.save(response, session)
        return response


@dataclass(frozen=True)
class Visit:
    """A request from someone signed in with a role that may search."""

    session: WebSession
    principal: Principal


def may_search(principal: Principal) -> bool:
    return bool(principal.roles & SEARCH_ROLES)


NOT_ALLOWED = (
    "Searching and opening records needs the practitioner, duty manager or admin role. "
    "Ask your Lateral administrator if you need it."
)
FORM_EXPIRED = (
    "This form has expired or did not come from Lateral. Go back, reload the page and try again."
)


async def signed_in_visit(
    web: Web, request: Request, *, check_role: bool = True
) -> Visit | Response:
    """The visit, or the response to send instead: sign in, or not allowed (403). Pages that
    open records pass `check_role=False`: the audited service call refuses and records it."""
    session = await web.cookies.load(request)
    principal = session.principal
    if principal is None:
        return web.redirect(session.going_to(request.url.path), "/sign-in")
    if check_role and not may_search(principal):
        return web.message(request, session, 403, "You cannot search Lateral", NOT_ALLOWED)
    return Visit(session, principal)


async def posted_form(web: Web, request: Request) -> tuple[Visit, dict[str, str]] | Response:
    """A signed-in visit's submitted form, once its CSRF token is checked."""
    visit = await signed_in_visit(web, request)
    if isinstance(visit, Response):
        return visit
    submitted = await request.form()
    if not visit.session.csrf_matches(submitted.get(CSRF_FIELD)):
        return web.message(request, visit.session, 403, "There is a problem", FORM_EXPIRED)
    form = {k: v.strip() for k, v in submitted.items() if isinstance(v, str)}
    return visit, form


View = TypeVar("View")
REFUSED_TITLES = {
    403: "You cannot open this record",
    404: "Not found",
    503: "Sorry, this cannot be shown",
}


async def audited_view_page(
    web: Web,
    request: Request,
    template: str,
    open_view: Callable[[Principal, str], Awaitable[View]],
    context: Callable[[View], dict[str, Any]],
) -> Response:
    """A page showing one audited view (a person, an address): signed in, with a reason given
    for this session (asked for first, then back here), and a refusal shown as a page."""
    visit = await signed_in_visit(web, request, check_role=False)
    if isinstance(visit, Response):
        return visit
    if visit.session.reason is None:
        return web.redirect(visit.session.going_to(request.url.path), "/reason")
    try:
        view = await open_view(visit.principal, visit.session.reason)
    except HTTPException as exc:
        return refused_page(web, request, visit, exc)
    return web.page(request, visit.session, template, context(view))


def refused_page(web: Web, request: Request, visit: Visit, exc: HTTPException) -> Response:
    """The service's refusal (no role, not found, audit down) in words, with its status."""
    detail = exc.detail
    message = detail if isinstance(detail, str) else "; ".join(d["msg"] for d in detail)
    message = message[:1].upper() + message[1:]
    title = REFUSED_TITLES.get(exc.status_code, "There is a problem")
    return web.message(request, visit.session, exc.status_code, title, message)
