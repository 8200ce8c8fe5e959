"""The person page, the address page and the "this is not the same person" report. Each view
goes through the same audited, fail-closed service call as the JSON API, with the session's
reason for looking."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lateral_search_api.domain.activity_chart import Activity, agency_label, render_svg
from lateral_search_api.domain.date_input import age_in_years
from lateral_search_api.domain.summaries import display_name
from lateral_search_api.service_layer.searching import AuditUnavailable, PersonView
from lateral_shared.auth import Principal
from lateral_shared.contracts.events import LinkReported
from lateral_shared.contracts.topics import LINKS_REPORTED
from lateral_shared.index import RecordSummary

from ..deps import AUDIT_DOWN
from ..http import open_person_view
from .base import REFUSED_TITLES, Visit, Web, audited_view_page, posted_form

NOT_SENT = "The report could not be sent; try again shortly."


def _newest_first(records: list[RecordSummary]) -> list[RecordSummary]:
    return sorted(records, key=lambda r: r.event_date, reverse=True)


def _record_label(record: RecordSummary | None) -> str:
    if record is None:
        return "A record no longer held"
    what = record.event_type.replace("_", " ")
    return f"{agency_label(record.agency_kind)}: {what}, {record.event_date:%-d %b %Y}"


def person_context(view: PersonView) -> dict[str, Any]:
    """Everything the person page shows, from the audited person view."""
    person = view.person
    activity = Activity.from_months(view.activity.months, view.activity.by_agency)
    by_key = {r.record_key: r for r in person.records}
    links = [
        {
            "record_key": link.record_key,
            "rule": link.rule,
            "summary": link.summary,
            "record_label": _record_label(by_key.get(link.record_key)),
        }
        for link in person.links
    ]
    addresses = sorted(person.addresses, key=lambda a: a.last_seen or date.min, reverse=True)
    return {
        "title": display_name(person.names[0]) if person.names else "Name not known",
        "person": person,
        "records": _newest_first(person.records),
        "addresses": addresses,
        "links": links,
        "activity": activity,
        "chart_svg": render_svg(activity, title_id="activity-chart-title"),
        "age": age_in_years(person.date_of_birth, today=date.today()),
        "household": sorted(view.household, key=lambda m: (not m.current, m.name or "")),
    }


def build_people_router(web: Web) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/people/{person_id}")
    async def person_page(request: Request, person_id: str, reported: str = "") -> Response:
        async def opened(principal: Principal, reason: str) -> PersonView:
            return await open_person_view(web.api, principal, person_id, reason, "form")

        def context(view: PersonView) -> dict[str, Any]:
            return {**person_context(view), "reported": reported == "1"}

        return await audited_view_page(web, request, "person.html", opened, context)

    @router.post("/people/{person_id}/report-link")
    async def report_link(request: Request, person_id: str) -> Response:
        posted = await posted_form(web, request)
        if isinstance(posted, Response):
            return posted
        visit, form = posted
        record_key, words = form.get("record_key", "")[:200], form.get("report_reason", "")
        back = {"back_href": f"/people/{person_id}", "back_text": "Back to the person"}
        if not record_key or not 1 <= len(words) <= 2000:
            return web.message(
                request,
                visit.session,
                422,
                "There is a problem",
                "Say in up to 2,000 characters why the record is not about this "
                "person, then send it again.",
                **back,
            )
        try:
            await _report(web, visit, person_id[:200], record_key, words)
        except AuditUnavailable:
            return web.message(request, visit.session, 503, REFUSED_TITLES[503], AUDIT_DOWN, **back)
        except Exception:
            return web.message(request, visit.session, 503, REFUSED_TITLES[503], NOT_SENT, **back)
        return web.redirect(visit.session, f"/people/{person_id}?reported=1")

    return router


async def _report(web: Web, visit: Visit, person_id: str, record_key: str, words: str) -> None:
    """Audit the report (fail closed), then send it to the matcher's review queue."""
    await web.api.audit.record(
        visit.principal,
        action="report_link",
        reason=visit.session.reason or "",
        criteria={"person_id": person_id, "record_key": record_key},
        result_ids=[person_id],
    )
    if web.publisher is None:
        raise RuntimeError("no event publisher is configured")
    event = LinkReported(
        person_id=person_id,
        record_key=record_key,
        reported_by=visit.principal.subject,
        reason=words,
    )
    await web.publisher.publish(LINKS_REPORTED, [(person_id, event)])
