"""The matcher's review API, called by the web app on behalf of the signed-in data steward.

Services never import each other: the web app speaks to the matcher over HTTP, with a short-lived
staff token for the steward's own user ID and roles, so the matcher audits the steward (not a
service account) for every look and every decision. In embedded mode the matcher is behind the
same HTTP server as the web app; elsewhere `LATERAL_MATCHER_URL` says where it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from lateral_search_api.config import SearchApiSettings
from lateral_shared.auth import Principal, issue_token

log = logging.getLogger(__name__)

TOKEN_TTL_S = 60  # long enough for one call; the token never leaves the server
TIMEOUT_S = 15.0
UNREACHABLE = "The review queue is not available just now. Try again in a few minutes."
AUDIT_DOWN = (
    "The audit trail is unavailable, so nothing can be shown or decided. "
    "Try again in a few minutes."
)


class ReviewProblem(Exception):
    """The matcher did not answer as hoped; `status` is what the page should answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AlreadyDecided(ReviewProblem):
    def __init__(self) -> None:
        super().__init__(409, "This item has already been decided.")


def matcher_url(settings: SearchApiSettings) -> str:
    """The matcher's base URL: the setting, else this same server (embedded mode)."""
    if settings.matcher_url:
        return settings.matcher_url.rstrip("/")
    host = settings.http_host
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 (listening everywhere: call it on loopback)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.http_port}"


@dataclass(frozen=True)
class ReviewPage:
    total: int
    page: int
    page_size: int
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class MatcherReviews:
    """The review calls. Each raises `ReviewProblem` (or `AlreadyDecided`) on failure.
    Callers pass only review IDs they have checked are UUIDs."""

    base_url: str
    secret: str

    async def queue(self, principal: Principal, *, page: int, page_size: int) -> ReviewPage:
        params = {"status": "open", "page": str(page), "page_size": str(page_size)}
        body = await self._call(principal, "GET", "/v1/review-items", params=params)
        return _page(body)

    async def decided(self, principal: Principal, *, page: int, page_size: int) -> ReviewPage:
        """Past decisions, newest first."""
        params = {"page": str(page), "page_size": str(page_size)}
        body = await self._call(principal, "GET", "/v1/review-items/decided", params=params)
        return _page(body)

    async def item(self, principal: Principal, review_id: str) -> dict[str, Any]:
        return await self._call(principal, "GET", f"/v1/review-items/{review_id}")

    async def decide(
        self, principal: Principal, review_id: str, *, decision: str, reason: str
    ) -> dict[str, Any]:
        path = f"/v1/review-items/{review_id}/decision"
        body = {"decision": decision, "reason": reason}
        return await self._call(principal, "POST", path, json=body)

    async def _call(
        self,
        principal: Principal,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        token = issue_token(
            self.secret, subject=principal.subject, roles=sorted(principal.roles), ttl_s=TOKEN_TTL_S
        )
        try:
            # trust_env off: a service-to-service call never goes through a proxy from the env.
            async with httpx.AsyncClient(
                base_url=self.base_url, timeout=TIMEOUT_S, trust_env=False
            ) as client:
                response = await client.request(
                    method,
                    path,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {token}"},
                )
        except httpx.HTTPError as exc:
            # No URL or body in the log: the path holds an item ID, the body a steward's words.
            log.warning("the matcher's review API cannot be reached (%s)", type(exc).__name__)
            raise ReviewProblem(503, UNREACHABLE) from None
        return _answer(response)


def _page(body: dict[str, Any]) -> ReviewPage:
    return ReviewPage(
        total=int(body["total"]),
        page=int(body["page"]),
        page_size=int(body["page_size"]),
        items=list(body["items"]),
    )


def _answer(response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if status == 200:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ReviewProblem(503, UNREACHABLE)
        return body
    if status == 409:
        raise AlreadyDecided
    if status == 404 and _detail(response) != "Not Found":  # not a missing route: no such item
        raise ReviewProblem(404, "There is no review item with this ID.")
    if status == 403:
        raise ReviewProblem(403, "Reviewing links needs the data steward role.")
    if status == 503:
        raise ReviewProblem(503, AUDIT_DOWN)
    # 401 (the services' secret keys differ), 404 of the whole API (a wrong matcher URL), ...
    log.warning("the matcher's review API answered %s", status)
    raise ReviewProblem(503, UNREACHABLE)


def _detail(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None
