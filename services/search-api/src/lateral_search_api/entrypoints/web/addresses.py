"""The address page: the address and its UPRN, residents now and in the past, every record there
(police and fire callouts included) and its activity. Audited and fail-closed like a person view."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lateral_search_api.domain.activity_chart import Activity, render_svg
from lateral_search_api.domain.date_input import age_in_years
from lateral_search_api.domain.summaries import display_name
from lateral_search_api.service_layer.searching import AddressView
from lateral_shared.auth import Principal
from lateral_shared.index import AddressResident

from ..http import open_address
from .base import Web, audited_view_page
from .people import _newest_first


def resident_row(resident: AddressResident, *, today: date) -> dict[str, Any]:
    """One resident: name, age, whether they live there now, agencies, open case."""
    return {
        "person_id": resident.person_id,
        "name": display_name(resident.names[0]) if resident.names else "Name not known",
        "age": age_in_years(resident.date_of_birth, today=today),
        "agencies": resident.agencies,
        "has_open_case": resident.has_open_case,
        "current": resident.current,
        "last_seen": resident.last_seen,
    }


def address_context(view: AddressView) -> dict[str, Any]:
    """Everything the address page shows, from the audited address view."""
    today, address = date.today(), view.address
    records = _newest_first(address.records)
    activity = Activity.from_months(view.activity.months, view.activity.by_agency)
    residents = sorted(
        (resident_row(r, today=today) for r in address.residents),
        key=lambda r: (not r["current"], r["name"]),
    )
    title = ", ".join([*address.lines[:1], address.postcode or ""]).strip(", ") or "Address"
    return {
        "title": title,
        "address": address,
        "records": records,
        "residents": residents,
        "activity": activity,
        "chart_svg": render_svg(activity, title_id="address-activity-chart-title"),
    }


def build_addresses_router(web: Web) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/addresses/{address_id}")
    async def address_page(request: Request, address_id: str) -> Response:
        async def opened(principal: Principal, reason: str) -> AddressView:
            return await open_address(web.api, principal, address_id, reason, "form")

        return await audited_view_page(web, request, "address.html", opened, address_context)

    return router
