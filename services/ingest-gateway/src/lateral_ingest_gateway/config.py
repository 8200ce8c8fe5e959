"""Settings of the ingest-gateway, from LATERAL_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator

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
    # CSV files: uploads and the drop folder.
    max_upload_bytes: int = Field(
        default=500 * 1024 * 1024,
        ge=1024,
        description="Largest CSV upload (`POST /v1/feeds/{feed_id}/files`), in bytes; a bigger "
        "one gets 413. Uploads are streamed, so memory does not grow with this.",
    )
    upload_spool_dir: Path | None = Field(
        default=None,
        description="Folder for the temporary copy of an upload while it is processed (deleted "
        "at once; it holds personal data, so use an encrypted disk). Default: the system's.",
    )
    chunk_rows: int = Field(
        default=1000,
        ge=1,
        le=HARD_MAX_RECORDS,
        description="Rows validated, published and recorded together while a batch is processed.",
    )
    ingest_workers: int | None = Field(
        default=None,
        ge=0,
        le=32,
        description="Worker processes that parse, validate and encode the rows of CSV files, so "
        "big files use more than one core. 0: a thread of the gateway's own process instead. "
        "Unset: one fewer than the machine's cores (at least 1, at most 4).",
    )
    ingest_chunks_in_flight: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Chunks of a batch on their way to the event bus at once (each is recorded "
        "only once the bus has acknowledged it). More keeps a remote Kafka busier.",
    )
    batch_stall_s: int = Field(
        default=600,
        ge=10,
        description="A batch still `processing` that has recorded nothing for this many seconds "
        "was left part-way by a gateway that stopped: it is marked failed (send it again). "
        "Looked for at start-up and every minute.",
    )
    drop_folder_root: Path | None = Field(
        default=None,
        description="Root of the partners' drop folders: CSV files left in "
        "`ROOT/<feed_id>/incoming/` are processed like uploads, then moved to `processed/` or "
        "`failed/` beside it. Unset: no drop folders. Run one watching replica per folder.",
    )
    drop_folder_poll_s: float = Field(
        default=10.0,
        gt=0,
        description="Seconds between looks at the drop folders. A file is processed once its "
        "size and modification time are the same at two looks in a row.",
    )
    # Partner authentication (OAuth2 client credentials).
    partner_token_ttl_s: int = Field(
        default=600,
        ge=60,
        le=900,
        description="Lifetime in seconds of the access tokens the gateway's token endpoint "
        "(`POST /v1/oauth/token`) issues to partners (at most 900, i.e. 15 minutes).",
    )
    partner_token_key: SecretStr | None = Field(
        default=None,
        description="Key that signs partner access tokens (HS256). Default: a key derived from "
        "LATERAL_SECRET_KEY, distinct from the one that signs staff tokens.",
    )
    token_requests_per_minute: float = Field(
        default=30,
        gt=0,
        description="Access tokens a partner client may ask for per minute (after a burst of "
        "LATERAL_TOKEN_REQUESTS_BURST); more gets 429 with Retry-After. Per client ID (per "
        "address when none is given), in each gateway process.",
    )
    token_requests_burst: int = Field(
        default=10,
        ge=1,
        description="Access token requests a partner client may make at once before the per-"
        "minute limit applies.",
    )
    partner_jwks_url: str | None = Field(
        default=None,
        description="JWKS URL of an external identity provider that issues partner access "
        "tokens. When set, the gateway accepts only that provider's tokens (its own token "
        "endpoint is off); LATERAL_PARTNER_TOKEN_ISSUER and _AUDIENCE are then required.",
    )
    partner_token_issuer: str | None = Field(
        default=None, description="The `iss` the external identity provider's tokens must carry."
    )
    partner_token_audience: str | None = Field(
        default=None, description="The `aud` the external identity provider's tokens must carry."
    )
    partner_client_id_claim: str = Field(
        default="client_id",
        description="Claim of an external token that holds the partner's client ID "
        "(`client_id` per RFC 9068; Microsoft Entra ID uses `azp`, or `appid` in v1 tokens).",
    )
    partner_scope_claim: str = Field(
        default="scope",
        description="Claim of an external token that holds its scopes, space-separated or a "
        "list (`scope`; Microsoft Entra ID puts application permissions in `roles`).",
    )
    partner_jwks_cache_s: int = Field(
        default=300,
        ge=0,
        description="Seconds the external identity provider's key set is cached (a token "
        "signed with an unknown key ID refreshes it sooner).",
    )

    def preparation_workers(self) -> int:
        """LATERAL_INGEST_WORKERS, or when unset what suits the machine."""
        if self.ingest_workers is not None:
            return self.ingest_workers
        return min(4, max(1, (os.cpu_count() or 2) - 1))

    @model_validator(mode="after")
    def _external_tokens_need_issuer_and_audience(self) -> GatewaySettings:
        external = self.partner_jwks_url
        if external and not (self.partner_token_issuer and self.partner_token_audience):
            raise ValueError(
                "LATERAL_PARTNER_JWKS_URL needs LATERAL_PARTNER_TOKEN_ISSUER and "
                "LATERAL_PARTNER_TOKEN_AUDIENCE as well"
            )
        if external and self.environment == "production" and not external.startswith("https://"):
            raise ValueError("LATERAL_PARTNER_JWKS_URL must be an https:// URL in production")
        return self
