"""What every web page handler shares: the session, the signed-in check, CSRF, responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
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
    session = web.cookies.load(request)
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
