"""The matcher's settings, from LATERAL_* environment variables."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from lateral_shared.settings import ServiceSettings

# Events per batch when the store is SQLite (embedded mode: one matcher owns the file) and
# LATERAL_CONSUMER_BATCH_SIZE is not set. A batch's statements, its commit and the snapshots of
# persons and addresses it touches are paid once per batch, however many of its records share
# them: over the first 250,000 records of the synthetic region, 5,000 matched ~16% more records a
# second than 2,000, side by side, and 10,000 ~8% more again (`bench/matcher_throughput.py`).
# 5,000 keeps a batch's transaction to about two seconds, which a steward's decision (the review
# API writes the same file) may have to wait for. A consumer takes what is waiting, up to this:
# a trickle of records is still handled as it comes. PostgreSQL keeps the common default:
# replicas lock a batch's blocking keys, and bigger batches wait longer.
SQLITE_BATCH_SIZE = 5_000


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

    @model_validator(mode="before")
    @classmethod
    def _bigger_batches_on_sqlite(cls, values: Any) -> Any:
        if isinstance(values, dict) and "consumer_batch_size" not in values:
            url = values.get("database_url", cls.model_fields["database_url"].default)
            if str(url).startswith("sqlite"):
                values = {**values, "consumer_batch_size": SQLITE_BATCH_SIZE}
        return values
