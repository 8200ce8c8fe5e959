"""Sign-in with the council's identity provider over OIDC (authorization code flow), through
Authlib's Starlette client. Roles come from a configured claim of the ID token.

Authlib keeps its state and nonce in `request.session`. Lateral's session cookie is
SameSite=Strict, which the browser does not send when the identity provider redirects back, so
the flow's state travels in its own short-lived, signed, SameSite=Lax cookie.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lateral_search_api.config import SearchApiSettings
from lateral_shared.auth import Principal, Role

from .rendering import SECURITY_HEADERS
from .sessions import FLOW_COOKIE

if TYPE_CHECKING:
    from .base import Web

log = logging.getLogger(__name__)
FLOW_PATH = "/sign-in/oidc"
RETURN_KEY = "lateral_return_to"
FLOW_SECONDS = 600
NO_ROLE = (
    "Your council account has no Lateral role (practitioner, duty_manager, ig_officer or "
    "admin). Ask your Lateral administrator to give you one."
)
FAILED = "Signing in with your council account did not work. Try again."


def roles_from_claims(claims: Mapping[str, Any], claim: str) -> frozenset[str]:
    """Lateral's roles among the values of `claim` (a list, or one space-separated string)."""
    value = claims.get(claim) or []
    values = value.split() if isinstance(value, str) else [str(v) for v in value]
    known = {r.value for r in Role}
    return frozenset(v for v in values if v in known)


def principal_from_claims(claims: Mapping[str, Any], claim: str) -> Principal | None:
    """Who signed in (their username or e-mail, else the subject) and their roles, if any."""
    roles = roles_from_claims(claims, claim)
    subject = claims.get("preferred_username") or claims.get("email") or claims.get("sub")
    if not roles or not subject:
        return None
    return Principal(subject=str(subject), roles=roles)


def _oauth_client(settings: SearchApiSettings) -> Any:
    # Authlib warns on import that its httpx integration will move to the httpx2 package (and
    # its `deprecate` module installs an "always" filter for that warning when first imported,
    # so it is imported first). The integration works as documented; the warning is only noise.
    from authlib.deprecate import AuthlibDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
        from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    issuer = str(settings.oidc_issuer_url).rstrip("/")
    secret = settings.oidc_client_secret
    oauth.register(
        name="council",
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        client_kwargs={"scope": "openid profile email"},
    )
    return oauth.create_client("council")


class CouncilSignIn:
    """The two OIDC routes: start (redirect to the provider) and the callback."""

    def __init__(self, settings: SearchApiSettings) -> None:
        self._client = _oauth_client(settings)
        self._claim = settings.oidc_roles_claim

    def router(self, web: Web) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.get(FLOW_PATH)
        async def start(request: Request) -> Response:
            # The page to go on to travels with the flow: the session cookie will not come back.
            going = (await web.cookies.load(request)).return_to
            request.scope["session"] = {RETURN_KEY: going} if going else {}
            callback = str(request.url_for("oidc_callback"))
            response: Response = await self._client.authorize_redirect(request, callback)
            web.cookies.save_flow(
                response, request.scope["session"], path=FLOW_PATH, max_age=FLOW_SECONDS
            )
            return response

        @router.get(f"{FLOW_PATH}/callback", name="oidc_callback")
        async def callback(request: Request) -> Response:
            request.scope["session"] = web.cookies.load_flow(request)
            session = await web.cookies.load(request)
            try:
                token = await self._client.authorize_access_token(request)
            except Exception as exc:
                log.warning("OIDC sign-in failed", extra={"error": type(exc).__name__})
                return _ended(web, request, session, 401, FAILED)
            principal = principal_from_claims(token.get("userinfo") or {}, self._claim)
            if principal is None:
                return _ended(web, request, session, 403, NO_ROLE)
            going = request.scope["session"].get(RETURN_KEY)
            fresh = (await web.cookies.begin(session, principal)).going_to(going)
            return _continue(web, fresh)

        return router


def _ended(web: Web, request: Request, session: Any, status: int, message: str) -> Response:
    response = web.message(
        request,
        session,
        status,
        "You are not signed in",
        message,
        back_href="/sign-in",
        back_text="Back to sign in",
    )
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return response


def _continue(web: Web, session: Any) -> Response:
    """A page that moves on to Lateral by itself. A redirect would still count as the identity
    provider's navigation, and the browser would hold back the new SameSite=Strict cookie."""
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="0;url=/"><title>Signed in - Lateral</title></head>'
        '<body><p>Signed in. <a href="/">Continue to Lateral</a></p></body></html>'
    )
    response = HTMLResponse(html, headers=SECURITY_HEADERS)
    web.cookies.save(response, session)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return response
