"""The reason-for-looking page and the search page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from lateral_search_api.domain.criteria import SearchRequest
from lateral_search_api.domain.date_input import DateOfBirthInput, read_date_of_birth
from lateral_search_api.domain.reasons import ReasonProblem, choose_reason, remember

from ..http import run_search
from .base import Visit, Web, posted_form, signed_in_visit

# The search takes any element of an address in `address` once the index supports it; until
# then the box is searched as a postcode.
ADDRESS_FIELD = "address" if "address" in SearchRequest.model_fields else "postcode"
SEARCH_BOXES = ("name", "dob-day", "dob-month", "dob-year", "address", "nhs_number", "ref_id")
# Where each field the search can reject is on the form, and what to say (GOV.UK style).
FORM_FIELD = {
    "name": "name",
    "dob": "dob-day",
    "postcode": "address",
    "address": "address",
    "nhs_number": "nhs_number",
    "ref_id": "ref_id",
    "page": "name",
}
MESSAGES = {
    "nhs_number": "Enter a 10-digit NHS number with a valid check digit",
    "name": "Name must be 200 characters or fewer",
    "ref_id": "Partner reference must be 64 characters or fewer",
}
NOTHING_GIVEN = (
    "Enter at least one detail: a name, a date of birth, an address, an NHS number or a reference"
)


def _search_page(
    web: Web,
    request: Request,
    visit: Visit,
    form: dict[str, str],
    status: int = 200,
    **context: Any,
) -> Response:
    return web.page(
        request,
        visit.session,
        "search.html",
        {
            "title": "Search results" if context.get("page") else "Find a person or an address",
            "nav": "search",
            "reason": visit.session.reason,
            "form": form,
            "field_errors": {},
            "dob_boxes": frozenset(),
            **context,
        },
        status,
    )


def _problems(exc: HTTPException) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The error summary and per-field messages for a refused search."""
    errors: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}
    details = exc.detail if isinstance(exc.detail, list) else [{"loc": [], "msg": exc.detail}]
    for detail in details:
        field = detail["loc"][-1] if len(detail["loc"]) > 1 else None
        target = FORM_FIELD.get(str(field), "name")
        text = MESSAGES.get(str(field)) or (
            NOTHING_GIVEN if field is None else _sentence(str(detail["msg"]))
        )
        field_errors.setdefault("dob" if field == "dob" else target, text)
        errors.append({"text": text, "href": f"#{target}"})
    return errors, field_errors


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def build_search_router(web: Web) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/reason")
    async def reason_form(request: Request) -> Response:
        visit = await signed_in_visit(web, request)
        if isinstance(visit, Response):
            return visit
        return _reason_page(web, request, visit, {})

    @router.post("/reason")
    async def choose(request: Request) -> Response:
        posted = await posted_form(web, request)
        if isinstance(posted, Response):
            return posted
        visit, form = posted
        session = visit.session
        choice = form.get("choice", "")
        previous = _pick(choice, "previous", session.reasons)
        if previous is not None:
            chosen = previous
        else:
            try:
                chosen = _chosen(web, form, choice)
            except ReasonProblem as problem:
                target = "case_reference" if problem.field == "case_reference" else "choice"
                errors = [{"text": problem.message, "href": f"#{target}"}]
                return _reason_page(
                    web,
                    request,
                    visit,
                    form,
                    422,
                    errors=errors,
                    field_errors={target: problem.message},
                )
        chosen_session = session.with_reason(chosen, remember(session.reasons, chosen))
        return web.redirect(*chosen_session.next_page("/search"))

    @router.get("/search")
    async def search_form(request: Request) -> Response:
        visit = await signed_in_visit(web, request)
        if isinstance(visit, Response):
            return visit
        if visit.session.reason is None:
            return web.redirect(visit.session, "/reason")
        return _search_page(web, request, visit, {})

    @router.post("/search")
    async def search(request: Request) -> Response:
        posted = await posted_form(web, request)
        if isinstance(posted, Response):
            return posted
        visit, form = posted
        if visit.session.reason is None:
            return web.redirect(visit.session, "/reason")
        form = {k: form.get(k, "") for k in (*SEARCH_BOXES, "page")}
        return await _run(web, request, visit, form)

    return router


def _chosen(web: Web, form: dict[str, str], choice: str) -> str:
    purposes = web.settings.web_reason_purposes
    kind = choice.partition(":")[0]
    purpose = _pick(choice, "purpose", purposes) or ""
    return choose_reason(
        kind=kind, case_reference=form.get("case_reference", ""), purpose=purpose, purposes=purposes
    ).text


def _pick(choice: str, kind: str, options: Sequence[str]) -> str | None:
    """The option a radio value such as "purpose:2" names, if it is one of `kind`."""
    chosen_kind, _, index = choice.partition(":")
    if chosen_kind == kind and index.isdigit() and int(index) < len(options):
        return options[int(index)]
    return None


def _reason_page(
    web: Web,
    request: Request,
    visit: Visit,
    form: dict[str, str],
    status: int = 200,
    **context: Any,
) -> Response:
    return web.page(
        request,
        visit.session,
        "reason.html",
        {
            "title": "Why are you looking?",
            "nav": "reason",
            "form": form,
            "field_errors": {},
            "purposes": web.settings.web_reason_purposes,
            "reasons": visit.session.reasons,
            **context,
        },
        status,
    )


async def _run(web: Web, request: Request, visit: Visit, form: dict[str, str]) -> Response:
    typed = DateOfBirthInput(form["dob-day"], form["dob-month"], form["dob-year"])
    dob = read_date_of_birth(typed, today=date.today())
    if dob.problem:
        errors = [{"text": dob.problem, "href": f"#dob-{sorted(dob.boxes)[0]}"}]
        return _search_page(
            web,
            request,
            visit,
            form,
            422,
            errors=errors,
            field_errors={"dob": dob.problem},
            dob_boxes=dob.boxes,
        )
    raw = {
        "name": form["name"],
        "dob": dob.value,
        ADDRESS_FIELD: form["address"],
        "nhs_number": form["nhs_number"],
        "ref_id": form["ref_id"],
        "page": form.get("page") or "1",
        "reason": visit.session.reason,
    }
    try:
        given = {k: v for k, v in raw.items() if v}
        page = await run_search(web.api, visit.principal, given, "form")
    except HTTPException as exc:
        if exc.status_code != 422:
            title, detail = _title(exc.status_code), str(exc.detail)
            message = detail[:1].upper() + detail[1:]
            return web.message(request, visit.session, exc.status_code, title, message)
        errors, field_errors = _problems(exc)
        return _search_page(
            web, request, visit, form, 422, errors=errors, field_errors=field_errors
        )
    return _search_page(web, request, visit, form, page=page)


def _title(status: int) -> str:
    return {403: "You cannot search Lateral", 503: "Sorry, no results can be shown"}.get(
        status, "There is a problem"
    )
