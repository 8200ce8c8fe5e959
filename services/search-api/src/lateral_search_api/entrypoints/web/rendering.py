"""Page rendering: GOV.UK Frontend templates (govuk-frontend-jinja), the vendored assets at
`/assets`, and the security headers every page carries."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from lateral_search_api.domain.activity_chart import agency_label, month_label
from lateral_search_api.domain.summaries import display_name
from lateral_shared.index import PersonName, address_id

from ..deps import NO_STORE

ENTRYPOINTS = Path(__file__).resolve().parent.parent
STATIC = ENTRYPOINTS / "static"
GOVUK_JINJA = "govuk_frontend_jinja"
ASSETS = {
    "govuk-frontend.min.css": "text/css",
    "govuk-frontend.min.js": "text/javascript",
    "lateral.css": "text/css",
}
# The two inline scripts: GOV.UK's template marks the body as JS-capable, ours starts the
# components. They are allowed by hash, so no other inline script can run.
TEMPLATE_SCRIPT = (
    "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype"
    " ? ' govuk-frontend-supported' : '');"
)
INIT_SCRIPT = 'import { initAll } from "/assets/govuk-frontend.min.js"; initAll();'


def script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CSP = (
    "default-src 'none'; "
    f"script-src 'self' {script_hash(TEMPLATE_SCRIPT)} {script_hash(INIT_SCRIPT)}; "
    "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _name(name: PersonName | dict[str, Any]) -> str:
    """A name as one line, from a PersonName or its JSON form (search results are JSON)."""
    return display_name(name if isinstance(name, PersonName) else PersonName.model_validate(name))


def nhs_format(number: str) -> str:
    """An NHS number as it is usually shown: 3-3-4 digits."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def address_href(address_key: str) -> str:
    """The address page's path: by the address's opaque ID, as the key can spell out the
    address, and URLs end up in browser histories and proxy logs."""
    return f"/addresses/{address_id(address_key)}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(ENTRYPOINTS / "templates"),
                jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader(GOVUK_JINJA)}),
            ]
        ),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
    )
    env.globals.update(
        display_name=_name,
        agency_label=agency_label,
        month_label=month_label,
        init_script=INIT_SCRIPT,
        address_href=address_href,
    )
    env.filters["nhs_format"] = nhs_format
    return env


ENVIRONMENT = _environment()


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The page `template` with `context`, carrying the security headers."""
    html = ENVIRONMENT.get_template(template).render({"request": request, **context})
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def build_assets_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/assets/{name}")
    async def asset(name: str) -> Response:
        """GOV.UK Frontend's CSS and JavaScript and Lateral's small stylesheet (a fixed list)."""
        if name not in ASSETS:
            raise HTTPException(404, "no such asset")
        return FileResponse(
            STATIC / name,
            media_type=ASSETS[name],
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    return router
