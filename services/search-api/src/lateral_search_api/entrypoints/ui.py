"""The practitioner web front end (GOV.UK Frontend, server-rendered, works without JavaScript).

Sign in (local accounts or the council's identity provider), give a reason for looking, search,
open a person or an address, report a wrong link; data stewards decide the matcher's review
queue (`web/review.py`, which calls the matcher's API on the steward's behalf). Search criteria
travel in POST bodies, never in URLs. Every search and view goes through the same audited,
fail-closed code as the JSON API. The pieces live in `entrypoints/web/`; this module puts them
together.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lateral_search_api.config import SearchApiSettings
from lateral_shared.bus import EventPublisher

from .deps import SearchApiContext
from .web.addresses import build_addresses_router
from .web.base import NOT_ALLOWED, Web, may_search
from .web.oidc import CouncilSignIn
from .web.people import build_people_router
from .web.rendering import build_assets_router
from .web.review import build_review_router, may_review
from .web.searching import build_search_router
from .web.sessions import SessionCookies
from .web.sign_in import build_sign_in_router


def build_ui_router(
    ctx: SearchApiContext,
    settings: SearchApiSettings | None = None,
    publisher: EventPublisher | None = None,
) -> APIRouter:
    """Every web page. `publisher` sends "this is not the same person" reports to the matcher."""
    settings = settings or SearchApiSettings(secret_key=ctx.secret, environment="test")
    cookies = SessionCookies(
        ctx.secret,
        ctx.sessions,
        idle_s=settings.web_idle_timeout_minutes * 60,
        max_age_s=settings.web_session_max_hours * 3600,
        secure=settings.cookie_secure,
    )
    web = Web(
        api=ctx,
        cookies=cookies,
        settings=settings,
        publisher=publisher,
    )
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def home(request: Request) -> Response:
        """Signed out: sign in. Signed in: give a reason, then search."""
        session = await cookies.load(request)
        principal = session.principal
        if principal is None:
            return web.redirect(session, "/sign-in")
        if not may_search(principal):
            if may_review(principal):  # a data steward who does not search: the review queue
                return web.redirect(session, "/review")
            return web.message(request, session, 200, "You are signed in", NOT_ALLOWED)
        if session.reason is None:
            return web.redirect(session, "/reason")
        return web.redirect(*session.next_page("/search"))

    council = CouncilSignIn(settings) if settings.oidc_enabled else None
    for part in (
        build_assets_router(),
        build_sign_in_router(web, council),
        build_search_router(web),
        build_people_router(web),
        build_addresses_router(web),
        build_review_router(web),
    ):
        router.include_router(part)
    return router
