"""Settings of the alerts service (LATERAL_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from lateral_shared.settings import ServiceSettings


class AlertsSettings(ServiceSettings):
    alerts_page_size: int = Field(
        default=50, ge=1, le=500, description="Alerts per page in `GET /v1/alerts`."
    )
