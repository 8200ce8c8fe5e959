"""The short form of a person or an address shown in a list of search results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from lateral_shared.contracts.records import AgencyKind
from lateral_shared.index.documents import (
    AddressHit,
    PersonAddress,
    PersonDocument,
    PersonName,
    SearchHit,
)


class CurrentAddress(BaseModel):
    model_config = ConfigDict(frozen=True)

    lines: list[str]
    postcode: str | None
    last_seen: date | None


class PersonSummary(BaseModel):
    """One search result: enough to tell people apart and decide whom to open."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    names: list[PersonName]
    date_of_birth: str | None
    gender: str
    current_address: CurrentAddress | None
    postcode: str | None
    agencies: list[AgencyKind]
    has_open_case: bool
    score: float
    why: list[str] = Field(default_factory=list)  # which criteria matched, and how


class AddressSummary(BaseModel):
    """One address found: where it is, who lives there, which agencies know it."""

    model_config = ConfigDict(frozen=True)

    address_id: str  # opaque: what `GET /v1/addresses/{address_id}` takes
    address_key: str
    uprn: str | None
    lines: list[str]
    postcode: str | None
    current_residents: int
    past_residents: int
    records: int
    agencies: list[AgencyKind]
    has_open_case: bool
    why: list[str] = Field(default_factory=list)


class SearchResults(BaseModel):
    """A page of search results as the JSON API answers it."""

    total: int
    page: int
    page_size: int
    results: list[PersonSummary]
    address_total: int
    addresses: list[AddressSummary]


def current_address(addresses: list[PersonAddress]) -> PersonAddress | None:
    """The address seen most recently (one never dated counts as oldest)."""
    if not addresses:
        return None
    return max(addresses, key=lambda a: a.last_seen or date.min)


def summarise(hit: SearchHit, why: Sequence[str] = ()) -> PersonSummary:
    """A person found, with `why` they matched."""
    person: PersonDocument = hit.person
    address = current_address(person.addresses)
    return PersonSummary(
        person_id=person.person_id,
        names=person.names,
        date_of_birth=person.date_of_birth,
        gender=person.gender,
        current_address=None
        if address is None
        else CurrentAddress(
            lines=address.lines, postcode=address.postcode, last_seen=address.last_seen
        ),
        postcode=address.postcode
        if address
        else (person.postcodes[0] if person.postcodes else None),
        agencies=person.agencies,
        has_open_case=person.has_open_case,
        score=hit.score,
        why=list(why),
    )


def summarise_address(hit: AddressHit, why: Sequence[str] = ()) -> AddressSummary:
    """An address found, with `why` it matched."""
    address = hit.address
    current = sum(1 for r in address.residents if r.current)
    return AddressSummary(
        address_id=address.address_id,
        address_key=address.address_key,
        uprn=address.uprn,
        lines=address.lines,
        postcode=address.postcode,
        current_residents=current,
        past_residents=len(address.residents) - current,
        records=len(address.records),
        agencies=address.agencies,
        has_open_case=address.has_open_case,
        why=list(why),
    )


def display_name(name: PersonName) -> str:
    """A name as one line of text, parts in the usual order."""
    return " ".join(p for p in (name.forename, name.middle_names, name.surname) if p)
