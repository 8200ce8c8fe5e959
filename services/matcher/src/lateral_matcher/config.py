"""The matcher's settings, from LATERAL_* environment variables."""

from __future__ import annotations

from pydantic import Field

from lateral_shared.settings import ServiceSettings


class MatcherSettings(ServiceSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/matcher.db",
        description="The matcher's database (persons, records, addresses, links, review queue), "
        "a SQLAlchemy URL: `sqlite+aiosqlite:///PATH` or "
        "`postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB`.",
    )
    household_window_days: int = Field(
        default=365,
        ge=1,
        description="A household is everyone with a record at the address within this many days "
        "of the latest activity there (open records always count).",
    )
