"""Settings of the search-api (LATERAL_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from lateral_shared.settings import IndexSettings, ServiceSettings

DEFAULT_PURPOSES = [
    "Section 47 enquiry",
    "Child in need assessment",
    "Strategy discussion",
    "Adult safeguarding enquiry",
    "Multi-agency referral screening",
    "Duty call about a concern",
]


class SearchApiSettings(ServiceSettings, IndexSettings):
    token_ttl_minutes: int = Field(
        default=15, ge=1, le=24 * 60,
        description="Lifetime of a staff access token issued at sign-in, in minutes.",
    )  # fmt: skip
    session_cookie_secure: bool = Field(
        default=False,
        description="Mark the web session cookie `Secure` (HTTPS only). Always on in production "
        "and whenever the site is not served on the loopback address.",
    )
    web_idle_timeout_minutes: int = Field(
        default=30, ge=1, le=12 * 60,
        description="A web session with no activity for this many minutes ends: sign in again.",
    )  # fmt: skip
    web_session_max_hours: int = Field(
        default=10, ge=1, le=24,
        description="A web session ends this many hours after sign-in, however active.",
    )  # fmt: skip
    web_reason_purposes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PURPOSES),
        description="Purposes a practitioner may choose as the reason for looking when there is "
        "no case reference (JSON list).",
    )
    web_local_accounts: bool = Field(
        default=True,
        description="Offer sign-in with local accounts (`lateral-search-api users add`). Turn "
        "off when everyone signs in with the council's identity provider.",
    )
    matcher_url: str | None = Field(
        default=None,
        description="Base URL of the matcher's review API, which the web app's review queue "
        "pages call for data stewards (for example `http://matcher:8000`). Unset: the matcher "
        "is behind the same HTTP server as the web app (embedded mode).",
    )
    oidc_issuer_url: str | None = Field(
        default=None,
        description="The council identity provider's OIDC issuer (for Entra ID the tenant-"
        "specific `https://login.microsoftonline.com/TENANT/v2.0`); unset: no OIDC sign-in.",
    )
    oidc_client_id: str | None = Field(default=None, description="Lateral's OIDC client ID.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Lateral's OIDC client secret."
    )
    oidc_roles_claim: str = Field(
        default="roles",
        description="The ID-token claim listing the user's Lateral roles (practitioner, "
        "duty_manager, ig_officer, admin, data_steward); other values in it are ignored.",
    )
    oidc_provider_name: str = Field(
        default="your council account",
        description="How the sign-in button names the identity provider.",
    )

    @property
    def cookie_secure(self) -> bool:
        loopback = self.http_host in {"127.0.0.1", "localhost", "::1"}
        return self.session_cookie_secure or self.environment == "production" or not loopback

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer_url and self.oidc_client_id)

    @model_validator(mode="after")
    def _oidc_is_complete(self) -> SearchApiSettings:
        if self.oidc_issuer_url and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError(
                "LATERAL_OIDC_ISSUER_URL needs LATERAL_OIDC_CLIENT_ID and "
                "LATERAL_OIDC_CLIENT_SECRET"
            )
        if not self.web_reason_purposes:
            raise ValueError("LATERAL_WEB_REASON_PURPOSES must list at least one purpose")
        return self
