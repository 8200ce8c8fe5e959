"""The data steward's review queue as pages: the open items (oldest first), one item with the
record and the person's records side by side and a decision form, a confirmation, and the items
already decided (newest first: who decided, when, which way and why).

Every page calls the matcher's review API on behalf of the signed-in steward (see
`review_client.py`), so the matcher audits each look and decision under the steward's own user
ID, and refuses (fail closed) when it cannot. URLs carry review item IDs only, never personal data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lateral_search_api.service_layer.searching import record_denied
from lateral_shared.auth import Principal, Role

from .base import CSRF_FIELD, FORM_EXPIRED, Visit, Web, signed_in_visit
from .review_client import (
    AlreadyDecided,
    MatcherReviews,
    ReviewPage,
    ReviewProblem,
    matcher_url,
)
from .review_display import (
    comparison_rows,
    decided_rows,
    decision_words,
    pagination,
    queue_rows,
    side_by_side,
    when,
    why_raised,
)

STEWARD = Role.DATA_STEWARD.value
PAGE_SIZE = 20
REASON_MAX = 2000
NOT_A_STEWARD = (
    "Deciding doubtful links needs the data steward role. "
    "Ask your Lateral administrator if you need it."
)
TITLES = {
    403: "You cannot review links",
    404: "Review item not found",
    409: "This item has already been decided",
}
UNAVAILABLE_TITLE = "Sorry, the review queue is not available"
TO_QUEUE = {"back_href": "/review", "back_text": "Go to the review queue"}
CHOOSE = "Select whether the records are about the same person"
GIVE_REASON = "Enter the reason for your decision"
TOO_LONG = f"The reason must be {REASON_MAX:,} characters or fewer"


def may_review(principal: Principal) -> bool:
    return STEWARD in principal.roles


def build_review_router(web: Web, reviews: MatcherReviews | None = None) -> APIRouter:
    """The review pages; `reviews` is the matcher's API (built from the settings if not given)."""
    matcher = reviews or MatcherReviews(matcher_url(web.settings), web.api.secret)
    router = APIRouter(include_in_schema=False)

    async def steward(
        request: Request, review_id: str = "", action: str = "review_queue"
    ) -> StewardVisit | Response:
        visit = await _steward_visit(web, request, review_id, action)
        if isinstance(visit, Response):
            return visit
        return StewardVisit(web, matcher, request, visit)

    @router.get("/review")
    async def queue(request: Request, page: str = "1") -> Response:
        visit = await steward(request)
        if isinstance(visit, Response):
            return visit
        return await visit.queue_page(_page_number(page))

    @router.get("/review/decided")  # before `/review/{review_id}`, which would take the path
    async def decided_list(request: Request, page: str = "1") -> Response:
        visit = await steward(request)
        if isinstance(visit, Response):
            return visit
        return await visit.decided_page(_page_number(page))

    @router.get("/review/{review_id}")
    async def item_page(request: Request, review_id: str) -> Response:
        visit = await steward(request, review_id)
        if isinstance(visit, Response):
            return visit
        return await visit.item_page(review_id, {})

    @router.post("/review/{review_id}")
    async def decide(request: Request, review_id: str) -> Response:
        visit = await steward(request, review_id, "decide_review_item")
        if isinstance(visit, Response):
            return visit
        submitted = await request.form()
        if not visit.visit.session.csrf_matches(submitted.get(CSRF_FIELD)):
            return web.message(
                request, visit.visit.session, 403, "There is a problem", FORM_EXPIRED
            )
        form = {k: str(submitted.get(k) or "").strip() for k in ("decision", "reason")}
        field_errors = _problems(form)
        if field_errors:
            return await visit.item_page(review_id, form, field_errors)
        return await visit.decide(review_id, form)

    @router.get("/review/{review_id}/decided")
    async def decided(request: Request, review_id: str) -> Response:
        visit = await steward(request, review_id)
        if isinstance(visit, Response):
            return visit
        return await visit.confirmation(review_id)

    return router


async def _steward_visit(
    web: Web, request: Request, review_id: str, action: str
) -> Visit | Response:
    """The visit of a signed-in data steward; anyone else gets the 403 page, and the refusal is
    audited as `action` (a page view, or a decision) on the item, if the URL names one."""
    visit = await signed_in_visit(web, request, check_role=False)
    if isinstance(visit, Response):
        return visit
    if may_review(visit.principal):
        return visit
    checked = _checked_id(review_id)  # an item ID only: a URL could carry anything, even a name
    criteria = {"review_id": checked} if checked else {}
    await record_denied(
        web.api.audit, visit.principal, action=action, reason="review queue", criteria=criteria
    )
    return web.message(request, visit.session, 403, TITLES[403], NOT_A_STEWARD)


@dataclass(frozen=True)
class StewardVisit:
    """One request from a data steward, and the matcher's API to answer it with."""

    web: Web
    matcher: MatcherReviews
    request: Request
    visit: Visit

    def page(self, template: str, context: dict[str, Any], status: int = 200) -> Response:
        return self.web.page(self.request, self.visit.session, template, context, status)

    def problem(self, problem: ReviewProblem) -> Response:
        title = TITLES.get(problem.status, UNAVAILABLE_TITLE)
        return self.web.message(
            self.request, self.visit.session, problem.status, title, problem.message, **TO_QUEUE
        )

    async def item(self, review_id: str) -> dict[str, Any]:
        """The item from the matcher (a look it audits); `ReviewProblem` if it cannot be had."""
        checked = _checked_id(review_id)
        if checked is None:
            raise ReviewProblem(404, "There is no review item with this ID.")
        return await self.matcher.item(self.visit.principal, checked)

    async def queue_page(self, number: int) -> Response:
        try:
            found = await self.matcher.queue(self.visit.principal, page=number, page_size=PAGE_SIZE)
        except ReviewProblem as problem:
            return self.problem(problem)
        return self.page(
            "review_queue.html",
            {
                "title": "Review queue",
                **_listing(found, number, path="/review", label="Review queue pages"),
                "rows": queue_rows(found.items, first_number=(number - 1) * PAGE_SIZE + 1),
            },
        )

    async def decided_page(self, number: int) -> Response:
        try:
            found = await self.matcher.decided(
                self.visit.principal, page=number, page_size=PAGE_SIZE
            )
        except ReviewProblem as problem:
            return self.problem(problem)
        return self.page(
            "review_decisions.html",
            {
                "title": "Decided items",
                **_listing(found, number, path="/review/decided", label="Decided items pages"),
                "rows": decided_rows(found.items, first_number=(number - 1) * PAGE_SIZE + 1),
            },
        )

    async def item_page(
        self, review_id: str, form: dict[str, str], field_errors: dict[str, str] | None = None
    ) -> Response:
        try:
            item = await self.item(review_id)
        except ReviewProblem as problem:
            return self.problem(problem)
        field_errors = field_errors or {}
        # The first radio carries the "decision" ID, so the error summary's link lands on it.
        errors = [{"text": text, "href": f"#{field}"} for field, text in field_errors.items()]
        context = {
            "title": "Are these records about the same person?",
            "nav": "review",
            "item": item,
            "raised": when(item.get("created_at")),
            "why": why_raised(item),
            "explanation": (item.get("explanation") or {}).get("summary"),
            "compared": comparison_rows(item.get("explanation")),
            "table": side_by_side(item),
            "form": form,
            "field_errors": field_errors,
            "errors": errors,
            **(_decision(item) if item.get("status") != "open" else {}),
        }
        return self.page("review_item.html", context, 422 if field_errors else 200)

    async def decide(self, review_id: str, form: dict[str, str]) -> Response:
        """Send a checked decision to the matcher; on to the confirmation once it is kept."""
        checked = _checked_id(review_id)
        try:
            if checked is None:
                raise ReviewProblem(404, "There is no review item with this ID.")
            await self.matcher.decide(
                self.visit.principal, checked, decision=form["decision"], reason=form["reason"]
            )
        except AlreadyDecided:
            return await self.already_decided(review_id)
        except ReviewProblem as problem:
            return self.problem(problem)
        return self.web.redirect(self.visit.session, f"/review/{checked}/decided")

    async def already_decided(self, review_id: str) -> Response:
        """Someone decided the item first: say so kindly, with what they decided."""
        try:
            item = await self.item(review_id)
        except ReviewProblem:
            item = {}
        context = {"title": TITLES[409], "nav": "review", "item": item, **_decision(item)}
        return self.page("review_already_decided.html", context, 409)

    async def confirmation(self, review_id: str) -> Response:
        try:
            item = await self.item(review_id)
        except ReviewProblem as problem:
            return self.problem(problem)
        if item.get("status") == "open":
            return self.web.redirect(self.visit.session, f"/review/{item['review_id']}")
        context = {"title": "Decision saved", "nav": "review", **_decision(item)}
        return self.page("review_decided.html", context)


def _page_number(page: str) -> int:
    return int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1


def _listing(found: ReviewPage, number: int, *, path: str, label: str) -> dict[str, Any]:
    """What page `number` of a list of items needs: its counts, and links to its other pages."""
    pages = max(1, -(-found.total // PAGE_SIZE))
    first = (number - 1) * PAGE_SIZE + 1
    return {
        "nav": "review", "total": found.total, "page": number, "pages": pages, "first": first,
        "last": first + len(found.items) - 1,
        "pagination": pagination(number, pages, path=path, label=label),
    }  # fmt: skip


def _checked_id(review_id: str) -> str | None:
    """A review item ID (a UUID), or None: anything else cannot name an item."""
    try:
        return str(uuid.UUID(review_id))
    except ValueError:
        return None


def _problems(form: dict[str, str]) -> dict[str, str]:
    """Each missing or wrong field of the decision form and what to say, in form order."""
    problems = {}
    if form["decision"] not in ("same", "not_same"):
        problems["decision"] = CHOOSE
    if not form["reason"]:
        problems["reason"] = GIVE_REASON
    elif len(form["reason"]) > REASON_MAX:
        problems["reason"] = TOO_LONG
    return problems


def _decision(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "decision": decision_words(item.get("status")),
        "decision_code": item.get("status"),
        "decided_by": item.get("decided_by"),
        "decided_at": when(item.get("decided_at")),
        "decision_reason": item.get("decision_reason"),
        "review_id": item.get("review_id"),
    }
