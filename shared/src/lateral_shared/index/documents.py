"""The person and address documents the indexer writes and the search-api reads, and the search
contract (`PersonQuery`, `AddressQuery`)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lateral_shared.contracts.records import (
    PARTIAL_DATE_PATTERN,
    AgencyKind,
    LeadProfessional,
    RecordStatus,
)


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonName(_Doc):
    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None


class PersonAddress(_Doc):
    address_key: str | None = None
    lines: list[str] = Field(default_factory=list)
    postcode: str | None = None
    uprn: str | None = None
    last_seen: date | None = None


class RecordSummary(_Doc):
    record_key: str
    partner_id: str
    feed_id: str
    source_record_id: str
    agency_kind: AgencyKind
    event_type: str
    event_date: date
    status: RecordStatus
    end_date: date | None = None
    lead_professional: LeadProfessional | None = None


class RecordLink(_Doc):
    """Why the matcher put one record with this person, in plain words (no personal data)."""

    record_key: str
    rule: str
    score: float
    summary: str


class PersonDocument(_Doc):
    """One person as search sees them: every name, identifier, address and agency record."""

    person_id: str
    version: int
    names: list[PersonName] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    date_of_birth: str | None = None  # the most precise known, YYYY[-MM[-DD]]
    gender: str = "unknown"
    nhs_numbers: list[str] = Field(default_factory=list)
    addresses: list[PersonAddress] = Field(default_factory=list)
    postcodes: list[str] = Field(default_factory=list)
    agencies: list[AgencyKind] = Field(default_factory=list)
    has_open_case: bool = False
    records: list[RecordSummary] = Field(default_factory=list)
    links: list[RecordLink] = Field(default_factory=list)
    updated_at: datetime


class AddressResident(_Doc):
    """A person linked to an address, as the address page lists them."""

    person_id: str
    names: list[PersonName] = Field(default_factory=list)
    date_of_birth: str | None = None
    gender: str = "unknown"
    agencies: list[AgencyKind] = Field(default_factory=list)
    has_open_case: bool = False
    current: bool = True  # the address is where this person was seen most recently
    last_seen: date | None = None


_ADDRESS_ID = re.compile(r"^a-[0-9a-f]{32}$")


def address_id(address_key: str) -> str:
    """The opaque ID of an address, for URLs and the index: an address key can spell out the
    address ("addr:12 HIGH STREET|LS6 1AA"), which must not travel in URLs or access logs.

    A hash, so the indexer and the search-api agree without sharing state. It hides free-text
    addresses; a UPRN key could be found again by hashing every UPRN, and a UPRN is public."""
    return "a-" + hashlib.sha256(address_key.encode()).hexdigest()[:32]


def as_address_id(reference: str) -> str:
    """An address ID given either the ID itself or the address key it comes from."""
    return reference if _ADDRESS_ID.match(reference) else address_id(reference)


class AddressDocument(_Doc):
    """One address as search sees it: its residents and every record there, address-only
    (police, fire) records included. Stored and fetched by `address_id`."""

    address_id: str = ""  # filled in from address_key
    address_key: str
    version: int
    uprn: str | None = None
    lines: list[str] = Field(default_factory=list)
    postcode: str | None = None
    residents: list[AddressResident] = Field(default_factory=list)
    records: list[RecordSummary] = Field(default_factory=list)
    agencies: list[AgencyKind] = Field(default_factory=list)
    has_open_case: bool = False
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _id_from_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("address_id") and data.get("address_key"):
            return {**data, "address_id": address_id(str(data["address_key"]))}
        return data


class PersonQuery(_Doc):
    """What a practitioner searches by. Every given criterion must match (AND).

    - name: free text; each word must match a forename, middle name, surname or alias, with
      spelling mistakes tolerated (edit distance 1 for words of 3-5 letters, 2 for longer; a
      transposition is one edit; case and diacritics ignored). Exact matches rank first.
    - date_of_birth: YYYY, YYYY-MM or YYYY-MM-DD; matches a person whose known date of birth agrees
      at the shared precision (a person born 2012-03-04 matches "2012" and "2012-03"; a person
      known only as born 2012, or 2012-03, matches "2012-03-04": better an extra result to rule
      out than a missed one).
    - name also tolerates nicknames ("Bill" finds William, see `normalise.NICKNAMES`) and
      initials (a one-letter word matches any name starting with it; a name held as an initial
      matches any word starting with it); a nickname ranks below an exact match, above a
      misspelling; an initial ranks last.
    - postcode: a full postcode (any spacing or case) or an outward code alone ("LS6").
    - address: free text; every word must be an element of one of the person's addresses: house
      number, street or town word, UPRN, full postcode, outward code, sector ("LS6 1") or inward
      code; exact (case ignored), except that a street-type word matches its full form and
      abbreviations ("Rd" finds "Road" and back; "St" also finds "Saint": `street_words`), and
      a word of letters that no document holds as typed matches the words within the spelling
      tolerance of a name word ("Hihg" finds "High"; a held word such as "Leeds" never widens).
    - nhs_number: exact, ten digits (spaces allowed).
    - ref_id: a partner's source record ID, exact.
    """

    name: str | None = Field(default=None, max_length=200)
    date_of_birth: str | None = Field(default=None, pattern=PARTIAL_DATE_PATTERN)
    postcode: str | None = Field(default=None, max_length=12)
    address: str | None = Field(default=None, max_length=200)
    nhs_number: str | None = Field(default=None, max_length=20)
    ref_id: str | None = Field(default=None, max_length=64)
    page: int = Field(default=1, ge=1, le=1000)
    page_size: int = Field(default=20, ge=1, le=100)

    @field_validator(
        "name", "postcode", "address", "nhs_number", "ref_id", "date_of_birth", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _at_least_one(self) -> PersonQuery:
        given = (self.name, self.date_of_birth, self.postcode, self.address)
        if not any((*given, self.nhs_number, self.ref_id)):
            raise ValueError(
                "give at least one of: name, date_of_birth, postcode, address, nhs_number, ref_id"
            )
        return self


class AddressQuery(_Doc):
    """An address search: `postcode` and `address` as in `PersonQuery` (both must match).
    Results come ordered by address key (postcode area and street for keys without a UPRN)."""

    postcode: str | None = Field(default=None, max_length=12)
    address: str | None = Field(default=None, max_length=200)
    page: int = Field(default=1, ge=1, le=1000)
    page_size: int = Field(default=20, ge=1, le=100)

    @field_validator("postcode", "address", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _at_least_one(self) -> AddressQuery:
        if not (self.postcode or self.address):
            raise ValueError("give a postcode or an address")
        return self


class SearchHit(_Doc):
    person: PersonDocument
    score: float


class SearchResult(_Doc):
    total: int
    hits: list[SearchHit]


class AddressHit(_Doc):
    address: AddressDocument
    score: float


class AddressResult(_Doc):
    total: int
    hits: list[AddressHit]
