"""The web session: a signed cookie holding who is signed in, their CSRF token and their reasons,
and a row server-side for each signed-in session (`adapters.web_sessions`), so that signing out,
or an administrator disabling the account, ends it at once: a copied cookie stops working then,
not only at the idle time-out.

Signed (HS256, with a key derived from `LATERAL_SECRET_KEY` for this purpose only, so a session
cookie is never accepted as an API bearer token), HttpOnly, SameSite=Strict, Secure off loopback.
It holds no personal data about the people searched for: search criteria travel in POST bodies.
The server enforces the idle time-out and the maximum age from the signed times, so a copied
cookie stops working too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_search_api.adapters import web_sessions
from lateral_shared.auth import Principal

COOKIE = "lateral_session"
_AUDIENCE = "lateral-web-session"
RETURN_PATHS = ("/people/", "/addresses/")
FLOW_COOKIE = "lateral_oidc_flow"
_FLOW_AUDIENCE = "lateral-web-sign-in-flow"


@dataclass(frozen=True)
class WebSession:
    """One browser's session; `subject` is None until someone signs in."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    subject: str | None = None
    roles: tuple[str, ...] = ()
    started: int = 0
    seen: int = 0
    reason: str | None = None
    reasons: tuple[str, ...] = ()
    ended: bool = False  # a signed-in session that just timed out: say so on the sign-in page
    return_to: str | None = None  # a record page to go on to after signing in or giving a reason
    sid: str | None = None  # the server-side session's ID, once signed in

    @property
    def principal(self) -> Principal | None:
        if self.subject is None:
            return None
        return Principal(subject=self.subject, roles=frozenset(self.roles))

    def signed_in(self, principal: Principal, *, now: int, sid: str) -> WebSession:
        """A fresh session (new CSRF token, no reason yet) for someone who just signed in."""
        return WebSession(
            subject=principal.subject,
            roles=tuple(sorted(principal.roles)),
            started=now,
            seen=now,
            return_to=self.return_to,
            sid=sid,
        )

    def with_reason(self, reason: str, reasons: list[str]) -> WebSession:
        return replace(self, reason=reason, reasons=tuple(reasons))

    def going_to(self, path: str | None) -> WebSession:
        """Remember a record page (a person or an address: IDs only) to return to."""
        kept = path if path and path.startswith(RETURN_PATHS) else None
        return replace(self, return_to=kept)

    def next_page(self, default: str) -> tuple[WebSession, str]:
        """Where to go now: the remembered record page, or `default`; forgets the former."""
        return replace(self, return_to=None), self.return_to or default

    def csrf_matches(self, submitted: object) -> bool:
        return isinstance(submitted, str) and hmac.compare_digest(
            submitted.encode(), self.csrf.encode()
        )


class SessionCookies:
    """Reads and writes `WebSession` cookies, and starts and ends the signed-in sessions kept in
    the search-api's database (`store`)."""

    def __init__(
        self,
        secret: str,
        store: async_sessionmaker[AsyncSession],
        *,
        idle_s: int,
        max_age_s: int,
        secure: bool,
    ) -> None:
        derived = hmac.new(secret.encode(), b"lateral web session v1", hashlib.sha256).digest()
        self._key = OctKey.import_key(derived)
        self._store = store
        self.idle_s, self.max_age_s, self.secure = idle_s, max_age_s, secure

    async def load(self, request: Request, *, now: int | None = None) -> WebSession:
        """The request's session; a new anonymous one if absent, forged, idle, too old, signed
        out or its account disabled."""
        now = int(time.time()) if now is None else now
        claims = self._decode(request.cookies.get(COOKIE))
        if claims is None:
            return WebSession()
        session = _from_claims(claims)
        if session.subject is None:
            return session
        if self._expired(session, now) or not await self._active(session.sid):
            return WebSession(ended=True)
        return session

    async def begin(self, session: WebSession, principal: Principal) -> WebSession:
        """The signed-in session for `principal`, recorded server-side; the browser's session
        before it, if any, is ended (and sessions past their maximum age forgotten)."""
        now, sid = int(time.time()), secrets.token_urlsafe(32)
        async with self._store() as db:
            if session.sid is not None:
                await web_sessions.end(db, session.sid, now=_at(now))
            await web_sessions.forget_started_before(db, _at(now - self.max_age_s))
            await web_sessions.start(db, sid, subject=principal.subject, now=_at(now))
            await db.commit()
        return session.signed_in(principal, now=now, sid=sid)

    async def end(self, session: WebSession) -> None:
        """End a signed-in session server-side: its cookie, wherever copied, no longer works."""
        if session.sid is None:
            return
        async with self._store() as db:
            await web_sessions.end(db, session.sid, now=datetime.now(UTC))
            await db.commit()

    async def _active(self, sid: str | None) -> bool:
        if sid is None:
            return False
        async with self._store() as db:
            return await web_sessions.is_active(db, sid)

    def save(self, response: Response, session: WebSession, *, now: int | None = None) -> None:
        """Write the session back, marking this moment as its latest activity."""
        now = int(time.time()) if now is None else now
        if session.subject is not None:
            session = replace(session, seen=now)
        token = jwt.encode({"alg": "HS256"}, _to_claims(session), self._key)
        response.set_cookie(
            COOKIE,
            token,
            max_age=self.max_age_s,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )

    def save_flow(
        self, response: Response, state: dict[str, Any], *, path: str, max_age: int
    ) -> None:
        """Keep a sign-in flow's state (OIDC state and nonce) in a SameSite=Lax cookie, which the
        browser sends back when the identity provider redirects to Lateral."""
        token = jwt.encode({"alg": "HS256"}, {"aud": _FLOW_AUDIENCE, "state": state}, self._key)
        response.set_cookie(
            FLOW_COOKIE,
            token,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path=path,
        )

    def load_flow(self, request: Request) -> dict[str, Any]:
        """The sign-in flow's state, or an empty one if the cookie is absent or forged."""
        claims = self._decode(request.cookies.get(FLOW_COOKIE), _FLOW_AUDIENCE)
        state = (claims or {}).get("state")
        return dict(state) if isinstance(state, dict) else {}

    def _decode(self, token: str | None, audience: str = "") -> dict[str, Any] | None:
        if not token:
            return None
        try:
            claims = jwt.decode(token, self._key, algorithms=["HS256"]).claims
        except (JoseError, ValueError):
            return None
        return claims if claims.get("aud") == (audience or _AUDIENCE) else None

    def _expired(self, session: WebSession, now: int) -> bool:
        return now - session.seen > self.idle_s or now - session.started > self.max_age_s


def _to_claims(session: WebSession) -> dict[str, Any]:
    return {
        "aud": _AUDIENCE,
        "csrf": session.csrf,
        "sub": session.subject,
        "roles": list(session.roles),
        "started": session.started,
        "seen": session.seen,
        "reason": session.reason,
        "reasons": list(session.reasons),
        "ended": session.ended,
        "return_to": session.return_to,
        "sid": session.sid,
    }


def _from_claims(claims: dict[str, Any]) -> WebSession:
    return WebSession(
        csrf=str(claims["csrf"]),
        subject=claims.get("sub"),
        roles=tuple(map(str, claims.get("roles") or ())),
        started=int(claims.get("started") or 0),
        seen=int(claims.get("seen") or 0),
        reason=claims.get("reason"),
        reasons=tuple(map(str, claims.get("reasons") or ())),
        ended=bool(claims.get("ended")),
        return_to=claims.get("return_to"),
        sid=claims.get("sid"),
    )


def _at(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)
