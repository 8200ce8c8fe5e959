"""Every rate the generator uses, in one place: sizes, activity per kind, and the error table.

Activity rates are records per 1,000 eligible residents per year, set so the "region" size gives
about 600,000 records about 250,000 people (the shape MAST saw in one UK region) with the mix of a
real partnership: A&E and police busiest, child protection plans and looked-after children rare.
Error rates are the chance of that mistake on one record where it can occur (a nickname needs a
forename that has one; a swapped day and month needs a day of 12 or less).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lateral_shared.contracts.records import AgencyKind

CSC, ASC = AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE
HEALTH, POLICE, FIRE = AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.FIRE


@dataclass(frozen=True)
class Size:
    """One named size: how many residents, in districts of about how many residents each."""

    name: str
    population: int
    district_population: int


SIZES: Final = {
    "demo": Size("demo", 4_400, 2_200),
    "test": Size("test", 44_000, 7_400),
    "region": Size("region", 550_000, 8_000),
    "nation": Size("nation", 4_400_000, 8_000),
}

# Records per 1,000 eligible residents per year: (kind, event type, who is eligible, rate).
# "child" is under 18, "older" 65 and over, "adult" 18 to 64; "home" rates count occupied homes,
# "older_home" homes where someone 65 or over lives.
ACTIVITY: Final = (
    (CSC, "early_help", "child", 40.0),
    (CSC, "child_in_need", "child", 50.0),
    (CSC, "child_protection_plan", "child", 9.0),
    (CSC, "looked_after", "child", 6.0),
    (ASC, "open_case", "older", 200.0),
    (ASC, "open_case", "adult", 18.0),
    (ASC, "safeguarding_enquiry", "older", 30.0),
    (ASC, "safeguarding_enquiry", "adult", 5.0),
    (HEALTH, "emergency_attendance", "anyone", 560.0),
    (HEALTH, "missed_appointment", "anyone", 230.0),
    (POLICE, "emergency_call", "home", 220.0),
    (POLICE, "non_emergency_call", "home", 160.0),
    (POLICE, "incident", "home", 100.0),
    (FIRE, "incident", "home", 20.0),
    (FIRE, "home_fire_safety_visit", "older_home", 60.0),
)
# How unevenly contacts fall: each person's (and home's) propensity is drawn from a gamma
# distribution with this shape and mean 1. Shape 1 makes a few very busy people and homes and
# leaves about half the residents with no record in the year.
PROPENSITY_SHAPE: Final = 1.0
# Siblings brought into the same children's social care case as a child.
SIBLINGS_IN_CASE: Final = 0.6
POLICE_CATEGORIES: Final = {
    "domestic_abuse": 18, "concern_for_welfare": 20, "anti_social_behaviour": 18,
    "missing_person": 5, "child_sexual_exploitation": 1, "public_safety": 10, "crime": 18,
    "transport": 5, "other": 5,
}  # fmt: skip
FIRE_CATEGORIES: Final = {"fire": 35, "special_service": 30, "false_alarm": 35}
# NHS attend codes of missed appointments: 3 did not attend (was not brought), 2 cancelled by
# the patient, 4 by the provider, 7 arrived late and not seen.
ATTEND_CODE_WEIGHTS: Final = {3: 60, 2: 15, 4: 15, 7: 10}
# Share of police records that name a person (the rest are address-only).
POLICE_NAMES_PERSON: Final = 0.3
# Share of police calls that give a street location with no property (no UPRN in truth).
POLICE_STREET_ONLY: Final = 0.03
# Share of fire incidents at a flat that are logged at the block's common parts (the block's UPRN).
FIRE_AT_BLOCK: Final = 0.25
# Share of records still open at the end of the year, by kind (social care cases run for months).
OPEN_SHARE: Final = {CSC: 0.45, ASC: 0.5, HEALTH: 0.0, POLICE: 0.15, FIRE: 0.0}
# Longest a closed record runs, in days.
LONGEST_DAYS: Final = {CSC: 300, ASC: 240, HEALTH: 0, POLICE: 21, FIRE: 0}

# Households and life events.
VACANT_SHARE: Final = 0.08  # homes standing empty (room for people moving house)
MOVED_IN_YEAR: Final = 0.10  # households that moved home in the 12 months
MARRIED_IN_YEAR: Final = 0.04  # couples who married in the 12 months (one took the other's name)
TOOK_PARTNERS_NAME: Final = 0.85  # married people who took their partner's surname

# The error table: the chance of each mistake on one record where it can occur.
ERROR_RATES: Final = {
    "forename_typo": 0.03,
    "surname_typo": 0.03,
    "nickname": 0.12,  # of forenames that have a usual nickname (William -> Bill)
    "initial_only": 0.02,  # forename given as its initial
    "middle_names_dropped": 0.4,
    "alias": 0.03,  # another surname the person is known by, in other_names
    "maiden_name_after_marriage": 0.25,  # the old surname still used after a marriage
    "maiden_name_as_alias": 0.3,  # the old surname kept in other_names after a marriage
    "dob_day_month_swapped": 0.01,  # of dates of birth whose day is 12 or less
    "dob_year_only": 0.02,
    "dob_year_month": 0.02,
    "dob_missing": 0.01,
    "dob_one_digit_wrong": 0.005,  # of full dates: one digit mistyped, still a real date
    "dob_year_off_by_one": 0.005,  # of full dates: the year one out
    "gender_not_recorded": 0.02,
    "gender_wrong": 0.002,  # the other of male and female
    "nhs_number_spaced": 0.2,  # written 3-3-4, as on letters
    "old_address_after_move": 0.2,  # the partner still has the home before the move
    "address_shouted": 0.08,  # address in capitals
    "address_abbreviated": 0.3,  # Road -> Rd, Street -> St
    "address_no_locality": 0.3,
    "address_no_town": 0.15,
    "flat_form_varied": 0.5,  # "3/12 High St", "12 High St Flat 3", ... instead of "Flat 3"
    "postcode_missing": 0.03,
    "postcode_no_space": 0.05,
    "postcode_lower_case": 0.03,
    "uprn_wrong": 0.002,  # of records that carry a UPRN: a neighbour's
    "zz99_postcode": 0.04,  # of A&E attendances: no fixed abode or not known
}
# Share of records whose partner does NOT hold the NHS number (common outside health).
NHS_NUMBER_MISSING: Final = {CSC: 0.35, ASC: 0.2, HEALTH: 0.04, POLICE: 0.95, FIRE: 1.0}
# Share of address records whose partner does NOT send a UPRN.
UPRN_MISSING: Final = {CSC: 0.25, ASC: 0.2, HEALTH: 0.85, POLICE: 0.55, FIRE: 0.2}
