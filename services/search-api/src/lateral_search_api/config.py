"""Settings of the search-api (LATERAL_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from lateral_shared.settings import IndexSettings, ServiceSettings


class SearchApiSettings(ServiceSettings, IndexSettings):
    token_ttl_minutes: int = Field(
        default=15, ge=1, le=24 * 60,
        description="Lifetime of a staff access token issued at sign-in, in minutes.",
    )  # fmt: skip
    session_cookie_secure: bool = Field(
        default=False,
        description="Mark the web sign-in cookie `Secure` (HTTPS only). Always on in production.",
    )

    @property
    def cookie_secure(self) -> bool:
        return self.session_cookie_secure or self.environment == "production"
