"""The deterministic linking rules ("rules-v1"): which person a cleansed record is about.

Rules, strongest first:
1. `nhs_number`: a valid NHS number already held by a person links to that person;
2. `name_and_dob`: the same case-folded forename and surname and the same full date of birth
   (day precision) link to that person;
3. `new_person`: otherwise the record starts a new person, whose ID is derived from the record key
   so that replaying the topic from the beginning reproduces the same IDs.

A record without any person details (an address-only police or fire record) links to no person
(`address_only`). This module is pure: the caller looks the keys up and passes the answers in.
The probabilistic matcher (fuzzy names, partial dates, a review queue) will replace these rules
behind the same `decide_link` shape, with its own `model_version`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from lateral_shared.contracts.events import LinkExplanation, LinkField
from lateral_shared.contracts.records import CleanPerson

MODEL_VERSION = "rules-v1"

# Fixed namespace: person IDs must be the same on every replay and in every deployment.
PERSON_ID_NAMESPACE = uuid.UUID("6f1c2d4e-8a57-5b0e-9c3a-1d2e3f405a6b")


class IdentifierKind(StrEnum):
    """The look-up keys a person is found by."""

    NHS_NUMBER = "nhs_number"
    NAME_AND_DOB = "name_and_dob"


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """The look-up keys a record offers, each `None` when the record cannot supply it."""

    nhs_number: str | None
    name_and_dob: str | None

    def as_identifiers(self) -> list[tuple[IdentifierKind, str]]:
        """The keys as (kind, value) pairs, strongest first, for storing against a person."""
        pairs = [
            (IdentifierKind.NHS_NUMBER, self.nhs_number),
            (IdentifierKind.NAME_AND_DOB, self.name_and_dob),
        ]
        return [(kind, value) for kind, value in pairs if value is not None]


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Where a record belongs: an existing person, a new person, or no person at all."""

    person_id: str | None
    is_new_person: bool
    explanation: LinkExplanation


def has_person_details(person: CleanPerson | None) -> bool:
    """Whether a record names or identifies a person at all (gender alone does not)."""
    if person is None:
        return False
    fields = (
        person.forename,
        person.middle_names,
        person.surname,
        person.date_of_birth,
        person.nhs_number,
        person.person_ref,
    )
    return any(fields) or bool(person.aliases)


def person_keys(person: CleanPerson | None) -> PersonKeys:
    """The look-up keys of a record's person details."""
    if person is None:
        return PersonKeys(nhs_number=None, name_and_dob=None)
    return PersonKeys(nhs_number=person.nhs_number or None, name_and_dob=_name_and_dob(person))


def _name_and_dob(person: CleanPerson) -> str | None:
    """Case-folded forename|surname|YYYY-MM-DD, or None unless all three are known in full."""
    forename, surname, dob = _fold(person.forename), _fold(person.surname), person.date_of_birth
    if not forename or not surname or dob is None or len(dob) != len("YYYY-MM-DD"):
        return None
    return f"{forename}|{surname}|{dob}"


def _fold(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


def new_person_id(record_key: str) -> str:
    """The ID of the person a record creates: the same on every replay of the topic."""
    return str(uuid.uuid5(PERSON_ID_NAMESPACE, record_key))


def decide_link(
    *,
    record_key: str,
    person: CleanPerson | None,
    person_by_nhs_number: str | None,
    person_by_name_and_dob: str | None,
) -> LinkDecision:
    """Apply the rules in order to a record whose keys have been looked up by the caller."""
    if not has_person_details(person):
        return LinkDecision(None, False, explain_address_only())
    if person_by_nhs_number is not None:
        return LinkDecision(person_by_nhs_number, False, explain_nhs_number())
    if person_by_name_and_dob is not None:
        return LinkDecision(person_by_name_and_dob, False, explain_name_and_dob())
    return LinkDecision(new_person_id(record_key), True, explain_new_person(person_keys(person)))


def explain_nhs_number() -> LinkExplanation:
    return LinkExplanation(
        rule="nhs_number",
        model_version=MODEL_VERSION,
        score=1.0,
        fields=[LinkField(field="nhs_number", agreement="exact", weight=1.0)],
        summary="Linked on the same NHS number.",
    )


def explain_name_and_dob() -> LinkExplanation:
    return LinkExplanation(
        rule="name_and_dob",
        model_version=MODEL_VERSION,
        score=0.9,
        fields=[
            LinkField(field="forename", agreement="exact", weight=0.3),
            LinkField(field="surname", agreement="exact", weight=0.3),
            LinkField(field="date_of_birth", agreement="exact", weight=0.3),
        ],
        summary="Linked on the same name and date of birth.",
    )


def explain_new_person(keys: PersonKeys) -> LinkExplanation:
    """A new person: say which keys were available and matched nobody."""
    fields = [
        LinkField(field=field, agreement="missing" if value is None else "disagree")
        for field, value in (("nhs_number", keys.nhs_number), ("name_and_dob", keys.name_and_dob))
    ]
    return LinkExplanation(
        rule="new_person",
        model_version=MODEL_VERSION,
        score=0.0,
        fields=fields,
        summary="New person: no existing person has the same NHS number, "
        "or the same name and full date of birth.",
    )


def explain_address_only() -> LinkExplanation:
    return LinkExplanation(
        rule="address_only",
        model_version=MODEL_VERSION,
        score=0.0,
        fields=[],
        summary="No person details: the record is attached to its address only.",
    )
