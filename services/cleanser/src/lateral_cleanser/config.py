"""Settings of the cleanser, from LATERAL_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from lateral_shared.settings import ServiceSettings


class CleanserSettings(ServiceSettings):
    """The cleanser keeps no database of its own: it needs the bus (`LATERAL_BUS_URL`) and,
    for UPRN look-up, an address gazetteer."""

    gazetteer_path: Path | None = Field(
        default=None,
        description="Address gazetteer CSV (BS7666 layout: uprn,parent_uprn,sao,pao,street,"
        "locality,town,postcode,x,y) for UPRN look-up. Unset: no look-up; partners' UPRNs are "
        "kept as sent.",
    )
