"""Settings common to every service, read from LATERAL_* environment variables (and `.env`).

Each service subclasses `ServiceSettings` with its own fields. `docs/configuration.md` is
generated from these classes (`lateral config-docs`), so a field's description is its documentation.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-in-development-only"  # noqa: S105 (refused in production)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LATERAL_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="`production` refuses placeholder secrets and development shortcuts.",
    )
    bus_url: str = Field(
        default="embedded:///data/bus.db",
        description="Event bus: `embedded:///PATH` (SQLite log) or `kafka://HOST:PORT[,HOST:PORT]`.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/service.db",
        description="This service's own database (SQLAlchemy URL): `sqlite+aiosqlite:///PATH` or "
        "`postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DB`.",
    )
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP server listens on.")
    http_port: int = Field(default=8000, description="Port the HTTP server listens on.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level (logs are JSON lines with no personal data)."
    )
    topic_partitions: int = Field(
        default=6, ge=1, description="Partitions for topics this service creates at start-up."
    )
    consumer_max_attempts: int = Field(
        default=5, ge=1, description="Attempts at an event before it goes to `<topic>.dlq`."
    )
    consumer_batch_size: int = Field(
        default=500,
        ge=1,
        description="Most events a consumer reads and handles at once. The matcher takes 5000 "
        "when unset and its database is SQLite (embedded mode: fewer, larger transactions).",
    )
    kafka_enable_idempotence: bool = Field(
        default=True,
        description="Idempotent Kafka producer. Turn off only for brokers without "
        "InitProducerId support (the Tansu test broker).",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Key that signs tokens and sessions. Must be set outside development.",
    )

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> ServiceSettings:
        if self.environment == "production":
            if self.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
                raise ValueError("LATERAL_SECRET_KEY must be set to a real secret in production")
            if len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("LATERAL_SECRET_KEY must be at least 32 characters in production")
        return self


class IndexSettings(BaseSettings):
    """Mixed into the settings of services that use the search index."""

    # The same config as ServiceSettings, so the mix-in works in either base order: pydantic lets
    # the last base's model_config win, and BaseSettings' own default has no LATERAL_ prefix.
    model_config = ServiceSettings.model_config

    index_url: str = Field(
        default="embedded:///data/index.db",
        description="Search index: `embedded:///PATH` or an OpenSearch URL `http(s)://HOST:PORT`.",
    )
    index_name: str = Field(default="lateral-persons", description="Name of the person index.")
