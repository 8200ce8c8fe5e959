"""The synthetic partnership: two councils, two NHS trusts, one police force, one fire service,
and which feed each district's records go to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lateral_shared.contracts.records import AgencyKind

CSV_COLUMNS: Final = (
    "action", "source_record_id", "event_type", "event_date", "status", "end_date", "category",
    "attend_code", "forename", "middle_names", "surname", "other_names", "date_of_birth", "gender",
    "nhs_number", "person_ref", "address_line_1", "address_line_2", "address_line_3",
    "address_line_4", "postcode", "uprn", "lead_professional_name", "lead_professional_team",
    "lead_professional_phone", "lead_professional_email",
)  # fmt: skip
NORTH, SOUTH = "north", "south"


@dataclass(frozen=True, slots=True)
class Feed:
    """One partner system's feed. `area` is the council area it serves (None: every district)."""

    feed_id: str
    partner_id: str
    partner_name: str
    agency_kind: AgencyKind
    id_prefix: str
    area: str | None = None

    @property
    def email_domain(self) -> str:
        return f"{self.partner_id}.example.org.uk"


FEEDS: Final = (
    Feed("northshire-csc", "northshire-council", "Northshire Council (synthetic)",
         AgencyKind.CHILDRENS_SOCIAL_CARE, "CSC", NORTH),
    Feed("northshire-asc", "northshire-council", "Northshire Council (synthetic)",
         AgencyKind.ADULT_SOCIAL_CARE, "ASC", NORTH),
    Feed("southvale-csc", "southvale-council", "Southvale Council (synthetic)",
         AgencyKind.CHILDRENS_SOCIAL_CARE, "SVC", SOUTH),
    Feed("southvale-asc", "southvale-council", "Southvale Council (synthetic)",
         AgencyKind.ADULT_SOCIAL_CARE, "SVA", SOUTH),
    Feed("northshire-hospitals", "northshire-nhs", "Northshire Hospitals NHS Trust (synthetic)",
         AgencyKind.HEALTH, "NHS", NORTH),
    Feed("southvale-health", "southvale-nhs", "Southvale Health NHS Trust (synthetic)",
         AgencyKind.HEALTH, "SVH", SOUTH),
    Feed("northshire-police-cad", "northshire-police", "Northshire Police (synthetic)",
         AgencyKind.POLICE, "CAD"),
    Feed("northshire-fire-irs", "northshire-fire", "Northshire Fire and Rescue (synthetic)",
         AgencyKind.FIRE, "IRS"),
)  # fmt: skip
FEED_BY_ID: Final = {feed.feed_id: feed for feed in FEEDS}
# Share of A&E attendances at the other trust's hospital (people travel, or are taken).
ATTENDS_OTHER_TRUST: Final = 0.12


def area_of(district: int) -> str:
    """The council area a district belongs to: alternate districts, so every size has both."""
    return NORTH if district % 2 == 0 else SOUTH


def feed_for(kind: AgencyKind, area: str) -> Feed:
    """The feed that carries records of `kind` about people or homes in `area`."""
    for feed in FEEDS:
        if feed.agency_kind is kind and feed.area in (None, area):
            return feed
    raise LookupError(f"no feed for {kind} in {area}")


def other_area(area: str) -> str:
    return SOUTH if area == NORTH else NORTH
