"""Settings of the audit service (LATERAL_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from lateral_shared.settings import ServiceSettings


class AuditSettings(ServiceSettings):
    audit_page_size: int = Field(
        default=50, ge=1, le=500,
        description="Audit entries returned per page by `GET /v1/audit`.",
    )  # fmt: skip
