"""Settings of the cleanser, from LATERAL_* environment variables."""

from __future__ import annotations

from lateral_shared.settings import ServiceSettings


class CleanserSettings(ServiceSettings):
    """The cleanser keeps no database of its own: it needs only the bus (`LATERAL_BUS_URL`)."""
