"""The person document the indexer writes and the search-api reads, and the search contract."""

from __future__ import annotations

from datetime import date, datetime

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
    updated_at: datetime


class PersonQuery(_Doc):
    """What a practitioner searches by. Every given criterion must match (AND).

    - name: free text; each word must match a forename, middle name, surname or alias, with
      spelling mistakes tolerated (edit distance 1 for words of 3-5 letters, 2 for longer; a
      transposition is one edit; case and diacritics ignored). Exact matches rank first.
    - date_of_birth: YYYY, YYYY-MM or YYYY-MM-DD; matches a person whose known date of birth agrees
      at the shared precision (a person born 2012-03-04 matches "2012" and "2012-03"; a person
      known only as born 2012, or 2012-03, matches "2012-03-04": better an extra result to rule
      out than a missed one).
    - postcode: a full postcode (any spacing or case) or an outward code alone ("LS6").
    - nhs_number: exact, ten digits (spaces allowed).
    - ref_id: a partner's source record ID, exact.
    """

    name: str | None = Field(default=None, max_length=200)
    date_of_birth: str | None = Field(default=None, pattern=PARTIAL_DATE_PATTERN)
    postcode: str | None = Field(default=None, max_length=12)
    nhs_number: str | None = Field(default=None, max_length=20)
    ref_id: str | None = Field(default=None, max_length=64)
    page: int = Field(default=1, ge=1, le=1000)
    page_size: int = Field(default=20, ge=1, le=100)

    @field_validator("name", "postcode", "nhs_number", "ref_id", "date_of_birth", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _at_least_one(self) -> PersonQuery:
        if not any((self.name, self.date_of_birth, self.postcode, self.nhs_number, self.ref_id)):
            raise ValueError(
                "give at least one of: name, date_of_birth, postcode, nhs_number, ref_id"
            )
        return self


class SearchHit(_Doc):
    person: PersonDocument
    score: float


class SearchResult(_Doc):
    total: int
    hits: list[SearchHit]
