"""The record shapes that travel between services: as a partner sent it, and as cleansed.

Records carry headline data only: who, where, when, which agency, what kind of contact, open or
closed, and whom to call. Never case notes.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


class AgencyKind(StrEnum):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    ADULT_SOCIAL_CARE = "adult_social_care"
    HEALTH = "health"
    POLICE = "police"
    FIRE = "fire"


class RecordStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN)

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\s/]+$")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonFields(_Strict):
    """A person as a partner knows them. Every field may be missing; partial dates are allowed."""

    forename: ShortText | None = None
    middle_names: ShortText | None = None
    surname: ShortText | None = None
    other_names: list[ShortText] = Field(default_factory=list, max_length=20)
    date_of_birth: Annotated[str, StringConstraints(pattern=PARTIAL_DATE_PATTERN)] | None = None
    gender: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    nhs_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = (
        None
    )
    person_ref: Identifier | None = Field(
        default=None, description="The partner's own ID for this person, if it has one."
    )


class AddressFields(_Strict):
    lines: list[ShortText] = Field(default_factory=list, max_length=6)
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] | None = None
    uprn: Annotated[str, StringConstraints(pattern=r"^\d{1,12}$")] | None = None


class LeadProfessional(_Strict):
    name: ShortText | None = None
    team: ShortText | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)] | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None


class PartnerRecord(_Strict):
    """One row of a partner feed, as received and shape-checked by the ingest-gateway."""

    source_record_id: Identifier
    agency_kind: AgencyKind
    event_type: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
    ]
    event_date: date
    status: RecordStatus
    end_date: date | None = None
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    attend_code: int | None = Field(default=None, ge=0, le=9)
    person: PersonFields | None = None
    address: AddressFields | None = None
    lead_professional: LeadProfessional | None = None


class QualityFlag(_Strict):
    """One cleansing decision, kept on the record so nobody has to guess what was changed."""

    field: str
    code: str
    message: str


DatePrecision = Literal["day", "month", "year"]


class CleanPerson(_Strict):
    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None
    aliases: list[str] = Field(default_factory=list)
    date_of_birth: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    dob_precision: DatePrecision | None = None
    gender: Literal["male", "female", "other", "unknown"] = "unknown"
    nhs_number: str | None = None  # present only when it passed the Modulus 11 check
    person_ref: str | None = None
    # The names exactly as the partner sent them (the cleaned ones above may drop titles etc.).
    original_forename: str | None = None
    original_middle_names: str | None = None
    original_surname: str | None = None
    # Comparison forms for matching: case-folded, no diacritics, no spaces/hyphens/apostrophes.
    forename_key: str | None = None
    surname_key: str | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _partial_date(cls, value: str | None) -> str | None:
        if value is not None and not _PARTIAL_DATE.match(value):
            raise ValueError("date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD")
        return value


class AddressParts(_Strict):
    """An address parsed into BS7666-like parts, upper case, abbreviations spelt out."""

    sao: str | None = None  # secondary addressable object: the flat, e.g. "3", "A", "GROUND FLOOR"
    pao_number: str | None = None  # primary addressable object number, e.g. "12" or "12-14"
    pao_suffix: str | None = None  # e.g. "A" in 12A
    building_name: str | None = None  # e.g. "ROSE COTTAGE"
    street: str | None = None  # e.g. "HIGH STREET"
    locality: str | None = None
    town: str | None = None


class CleanAddress(_Strict):
    lines: list[str] = Field(default_factory=list)
    parts: AddressParts | None = None  # None when there were no lines to parse
    postcode: str | None = None  # normalised: upper case, one space before the inward code
    outward_code: str | None = None
    sector: str | None = None  # postcode sector, e.g. "LS6 2"
    uprn: str | None = None
    uprn_method: str | None = None  # how the UPRN was found: partner, exact, fuzzy
    uprn_confidence: float | None = None  # 0..1
    address_key: str | None = None  # UPRN when known, else a normalised form; None: no real address
    no_fixed_abode: bool = False


class CleanRecord(_Strict):
    """A record after cleansing: normalised, checked, flagged. `record_key` is unique in Lateral."""

    record_key: str  # "<feed_id>/<source_record_id>"
    partner_id: str
    feed_id: str
    source_record_id: str
    agency_kind: AgencyKind
    event_type: str
    event_date: date
    status: RecordStatus
    end_date: date | None = None
    category: str | None = None  # police and fire: what kind of call or incident
    attend_code: int | None = None  # health missed appointments: the NHS attend code
    person: CleanPerson | None = None
    address: CleanAddress | None = None
    lead_professional: LeadProfessional | None = None
    quality_flags: list[QualityFlag] = Field(default_factory=list)
    content_hash: str  # hash of the partner's content, to tell an update from a resend


def record_key(feed_id: str, source_record_id: str) -> str:
    """The key that identifies one partner record everywhere in Lateral."""
    return f"{feed_id}/{source_record_id}"
