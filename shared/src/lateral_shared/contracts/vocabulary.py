"""What each agency kind sends: its event types, categories and which parts a record must have.

This is part of the published data schema (docs/data-schema.md, `GET /v1/schema/{agency_kind}`);
the gateway validates against it, the synthetic generator writes to it. Version it with the
schema: adding a value is compatible, removing or renaming one is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .records import AgencyKind

SCHEMA_VERSION: Final = "1.0"


@dataclass(frozen=True)
class KindSpec:
    """The rules of one agency kind's feed."""

    kind: AgencyKind
    event_types: tuple[str, ...]
    needs_person: bool  # False: an address-only record (no person) is allowed
    needs_address: bool  # True: an address (lines, postcode or UPRN) is required
    categories: tuple[str, ...] = ()  # allowed `category` values; () means no category
    category_required_for: tuple[str, ...] = ()  # event types that must carry a category
    attend_code_required_for: tuple[str, ...] = ()  # event types that must carry one


# NHS "attended or did not attend" codes (NHS Data Dictionary): 2 cancelled by patient, 3 did not
# attend without warning ("was not brought" for a child), 4 cancelled or postponed by the provider,
# 5 seen, 6 arrived late but seen, 7 arrived late and not seen.
ATTEND_CODES: Final = (2, 3, 4, 5, 6, 7)
ATTEND_CODE_MEANINGS: Final[dict[int, str]] = {
    2: "cancelled by the patient",
    3: "did not attend without warning (for a child: was not brought)",
    4: "cancelled or postponed by the provider",
    5: "seen",
    6: "arrived late, but seen",
    7: "arrived late and not seen",
}

POLICE_CATEGORIES: Final = (
    "domestic_abuse", "concern_for_welfare", "anti_social_behaviour", "missing_person",
    "child_sexual_exploitation", "public_safety", "crime", "transport", "other",
)  # fmt: skip
FIRE_CATEGORIES: Final = ("fire", "special_service", "false_alarm")

KIND_SPECS: Final[dict[AgencyKind, KindSpec]] = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: KindSpec(
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        ("child_in_need", "child_protection_plan", "looked_after", "early_help"),
        needs_person=True, needs_address=False,
    ),
    AgencyKind.ADULT_SOCIAL_CARE: KindSpec(
        AgencyKind.ADULT_SOCIAL_CARE,
        ("open_case", "safeguarding_enquiry"),
        needs_person=True, needs_address=False,
    ),
    AgencyKind.HEALTH: KindSpec(
        AgencyKind.HEALTH,
        ("emergency_attendance", "missed_appointment"),
        needs_person=True, needs_address=False,
        attend_code_required_for=("missed_appointment",),
    ),
    AgencyKind.POLICE: KindSpec(
        AgencyKind.POLICE,
        ("emergency_call", "non_emergency_call", "incident"),
        needs_person=False, needs_address=True,
        categories=POLICE_CATEGORIES,
        category_required_for=("emergency_call", "non_emergency_call", "incident"),
    ),
    AgencyKind.FIRE: KindSpec(
        AgencyKind.FIRE,
        ("incident", "home_fire_safety_visit"),
        needs_person=False, needs_address=True,
        categories=FIRE_CATEGORIES,
        category_required_for=("incident",),
    ),
}  # fmt: skip
