"""Settings of the ingest-gateway, from LATERAL_* environment variables."""

from __future__ import annotations

from pydantic import Field

from lateral_shared.settings import ServiceSettings

HARD_MAX_RECORDS = 10_000


class GatewaySettings(ServiceSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/ingest-gateway.db",
        description="The ingest-gateway's database (partners, feeds, batches), a SQLAlchemy URL: "
        "`sqlite+aiosqlite:///PATH` or `postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB`.",
    )
    max_request_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="Largest request body a partner may POST, in bytes; a bigger one gets 413.",
    )
    max_records: int = Field(
        default=HARD_MAX_RECORDS,
        ge=1,
        le=HARD_MAX_RECORDS,
        description=f"Most records in one POST (at most {HARD_MAX_RECORDS}); more gets 422.",
    )
