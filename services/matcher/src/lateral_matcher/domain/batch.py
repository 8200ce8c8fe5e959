"""Linking a whole batch in memory: what the store held when the batch began, in; changes, out.

The caller loads `KnownState` for the batch in a few queries, `BatchLinking.link` applies the
rules to each record in order (so two records of one new person in a batch find each other, and a
record key sent twice is stored once), and the caller writes `BatchChanges` in bulk. No I/O here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanAddress, CleanRecord

from .linking import IdentifierKind, LinkDecision, decide_link, new_person_id, person_keys

Change = Literal["created", "updated", "unchanged", "withdrawn"]
IdentifierKey = tuple[IdentifierKind, str]


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """What the store holds about a record key."""

    person_id: str | None
    address_key: str | None
    content_hash: str
    withdrawn: bool = False


@dataclass
class KnownState:
    """What the store held, when the batch began, about the batch's keys."""

    records: dict[str, StoredRecord] = field(default_factory=dict)
    links: dict[str, LinkExplanation] = field(default_factory=dict)
    identifiers: dict[IdentifierKey, str] = field(default_factory=dict)
    persons: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What linking did with one record."""

    change: Change
    person_id: str | None
    address_key: str | None
    explanation: LinkExplanation | None


@dataclass(frozen=True, slots=True)
class RecordWrite:
    record: CleanRecord
    person_id: str | None
    address_key: str | None
    explanation: LinkExplanation


@dataclass
class BatchChanges:
    """Everything a batch changes, to be written in bulk in one transaction."""

    new_persons: dict[str, int] = field(default_factory=dict)  # person ID -> version
    bumped_persons: Counter[str] = field(default_factory=Counter)  # person ID -> changes
    identifiers: dict[IdentifierKey, str] = field(default_factory=dict)  # newly claimed keys
    records: dict[str, RecordWrite] = field(default_factory=dict)
    addresses: dict[str, CleanAddress] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)  # record keys withdrawn by this batch


def keys_to_load(
    records: list[CleanRecord], withdrawn_keys: Sequence[str] = ()
) -> tuple[list[str], list[IdentifierKey], list[str]]:
    """The record keys, look-up keys and candidate new person IDs a batch needs known."""
    record_keys = list(dict.fromkeys([*(r.record_key for r in records), *withdrawn_keys]))
    identifiers = [pair for r in records for pair in person_keys(r.person).as_identifiers()]
    return record_keys, list(dict.fromkeys(identifiers)), [new_person_id(k) for k in record_keys]


class BatchLinking:
    """Applies the linking rules to a batch's records in order, against `KnownState`."""

    def __init__(self, known: KnownState) -> None:
        self._records = dict(known.records)
        self._links = dict(known.links)
        self._identifiers = dict(known.identifiers)
        self._persons = set(known.persons)
        self.changes = BatchChanges()

    def link(self, record: CleanRecord) -> Outcome:
        """Link one record; an unchanged resend changes nothing."""
        stored = self._records.get(record.record_key)
        if (
            stored is not None
            and not stored.withdrawn
            and stored.content_hash == record.content_hash
        ):
            link = self._links.get(record.record_key)
            return Outcome("unchanged", stored.person_id, stored.address_key, link)
        address_key = record.address.address_key if record.address else None
        if record.address is not None and address_key is not None:
            self.changes.addresses[address_key] = record.address
        decision = self._decide(record, stored)
        if decision.person_id is not None:
            self._touch_person(decision, record)
        write = RecordWrite(record, decision.person_id, address_key, decision.explanation)
        self.changes.records[record.record_key] = write
        self._records[record.record_key] = StoredRecord(
            decision.person_id, address_key, record.content_hash
        )
        self._links[record.record_key] = decision.explanation
        self.changes.withdrawn.discard(record.record_key)
        change: Change = "created" if stored is None else "updated"
        return Outcome(change, decision.person_id, address_key, decision.explanation)

    def withdraw(self, record_key: str) -> Outcome | None:
        """Take a record out of Lateral (its partner deleted it); None if it was never here.

        A record withdrawn before is reported withdrawn again, so a redelivered withdrawal is
        published again and heals a crash between commit and publish.
        """
        stored = self._records.get(record_key)
        if stored is None:
            return None
        link = self._links.get(record_key)
        if not stored.withdrawn:
            self._records[record_key] = StoredRecord(
                stored.person_id, stored.address_key, stored.content_hash, withdrawn=True
            )
            self.changes.withdrawn.add(record_key)
            if stored.person_id is not None:
                self._bump(stored.person_id)
        return Outcome("withdrawn", stored.person_id, stored.address_key, link)

    def _bump(self, person_id: str) -> None:
        """Count one more change to an existing person (or one made earlier in this batch)."""
        if person_id in self.changes.new_persons:
            self.changes.new_persons[person_id] += 1
        else:
            self.changes.bumped_persons[person_id] += 1

    def _decide(self, record: CleanRecord, stored: StoredRecord | None) -> LinkDecision:
        """The rules; an update keeps the person the record is already linked to.

        Moving a corrected record to another person (and merging persons) needs the review queue
        of the probabilistic matcher; until then a link, once made, stays.
        """
        previous = self._links.get(record.record_key)
        if stored is not None and stored.person_id is not None and previous is not None:
            return LinkDecision(stored.person_id, False, previous)
        keys = person_keys(record.person)
        return decide_link(
            record_key=record.record_key,
            person=record.person,
            person_by_nhs_number=self._find(IdentifierKind.NHS_NUMBER, keys.nhs_number),
            person_by_name_and_dob=self._find(IdentifierKind.NAME_AND_DOB, keys.name_and_dob),
        )

    def _find(self, kind: IdentifierKind, value: str | None) -> str | None:
        return None if value is None else self._identifiers.get((kind, value))

    def _touch_person(self, decision: LinkDecision, record: CleanRecord) -> None:
        """Create the person or count a change to it, and give it the record's free keys."""
        person_id = decision.person_id
        assert person_id is not None
        if decision.is_new_person and person_id not in self._persons:
            self.changes.new_persons[person_id] = 1
            self._persons.add(person_id)
        else:
            self._bump(person_id)
        for key in person_keys(record.person).as_identifiers():
            if key not in self._identifiers:  # the first person to claim a key keeps it
                self._identifiers[key] = person_id
                self.changes.identifiers[key] = person_id
