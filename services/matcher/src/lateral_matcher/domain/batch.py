"""Resolving a whole batch in memory: what the store held when the batch began, in; changes, out.

The caller loads `KnownState` for the batch in a few queries (the batch's own records, and every
stored record sharing a blocking key with one of them: the candidates), `BatchResolution.link`
asks the resolver where each record belongs, in order (so two records of one new person in a batch
find each other, and a record key sent twice is stored once), and the caller writes `BatchChanges`
in bulk. A record that links to several persons merges them into the survivor (`merging`). No I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanAddress, CleanRecord

from .households import household_address_key
from .merging import Merge, PersonRedirects, choose_survivor, merge_reason
from .profile import cached_profile
from .resolution import (
    CandidateRecord,
    Outcome,
    PersonMatch,
    Resolution,
    StewardDecisions,
    blocking_keys,
    new_person_id,
)

Change = Literal["created", "updated", "unchanged", "withdrawn"]


class PersonResolver(Protocol):
    """Where a record belongs among its candidates' persons (`resolution.Resolver`)."""

    def resolve(
        self,
        record: CleanRecord,
        candidates: Sequence[CandidateRecord],
        decisions: StewardDecisions,
    ) -> Resolution: ...


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """What the store holds about a record key."""

    person_id: str | None
    address_key: str | None
    content_hash: str
    withdrawn: bool = False


@dataclass
class KnownState:
    """What the store held, when the batch began, about the batch's records and candidates."""

    records: dict[str, StoredRecord] = field(default_factory=dict)
    links: dict[str, LinkExplanation] = field(default_factory=dict)
    candidates: dict[str, CandidateRecord] = field(default_factory=dict)
    filed: dict[str, set[str]] = field(default_factory=dict)  # blocking key -> record keys
    persons: set[str] = field(default_factory=set)  # live persons among those of interest
    redirects: dict[str, str] = field(default_factory=dict)  # merged person -> survivor
    decisions: StewardDecisions = field(default_factory=StewardDecisions)


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What resolving did with one record."""

    change: Change
    person_id: str | None
    address_key: str | None
    explanation: LinkExplanation | None
    merged_person_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordWrite:
    record: CleanRecord
    person_id: str | None  # as linked; the writer follows `BatchChanges.redirects`
    address_key: str | None
    explanation: LinkExplanation


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    """A doubtful pair for a data steward: this record, that person."""

    record_key: str
    match: PersonMatch


@dataclass
class BatchChanges:
    """Everything a batch changes, to be written in bulk in one transaction."""

    new_persons: dict[str, int] = field(default_factory=dict)  # person ID -> version
    bumped_persons: Counter[str] = field(default_factory=Counter)  # person ID -> changes
    records: dict[str, RecordWrite] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)  # record key -> its blocking keys
    addresses: dict[str, CleanAddress] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)  # record keys withdrawn by this batch
    merges: list[Merge] = field(default_factory=list)
    reviews: list[ReviewRequest] = field(default_factory=list)
    redirects: PersonRedirects = field(default_factory=PersonRedirects)


# (record key, content hash) -> the record's blocking keys: the same content, the same keys.
RecordKeys = dict[tuple[str, str], list[str]]


def records_keys(records: Sequence[CleanRecord]) -> RecordKeys:
    """Each record's blocking keys, computed once for the batch (load, then resolve)."""
    found: RecordKeys = {}
    for record in records:
        at = (record.record_key, record.content_hash)
        if at not in found:
            found[at] = blocking_keys(record)
    return found


def keys_to_load(
    records: Sequence[CleanRecord],
    withdrawn_keys: Sequence[str] = (),
    by_record: RecordKeys | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """The record keys, blocking keys and would-be new person IDs a batch needs known
    (`by_record`: the records' keys from `records_keys`, if already computed)."""
    record_keys = list(dict.fromkeys([*(r.record_key for r in records), *withdrawn_keys]))
    found = records_keys(records) if by_record is None else by_record
    keys = list(dict.fromkeys(key for r in found.values() for key in r))
    return record_keys, keys, [new_person_id(k) for k in record_keys]


class BatchResolution:
    """Resolves a batch's records in order against `KnownState`, through the resolver."""

    def __init__(
        self, known: KnownState, resolver: PersonResolver, keys: RecordKeys | None = None
    ) -> None:
        self._resolver = resolver
        self._keys: RecordKeys = keys or {}  # blocking keys already computed (`records_keys`)
        self._records = dict(known.records)
        self._links = dict(known.links)
        self._candidates = dict(known.candidates)
        # Shared with `known` (left as it was): a key's set is copied before its first change.
        self._filed = dict(known.filed)
        self._own_filed: set[str] = set()
        self._persons = set(known.persons)
        self._decisions = known.decisions
        self.changes = BatchChanges(redirects=PersonRedirects(dict(known.redirects)))

    def link(self, record: CleanRecord) -> RecordOutcome:
        """Resolve one record; an unchanged resend changes nothing."""
        stored = self._records.get(record.record_key)
        if (
            stored is not None
            and not stored.withdrawn
            and stored.content_hash == record.content_hash
        ):
            link = self._links.get(record.record_key)
            current = self.changes.redirects.current(stored.person_id)
            return RecordOutcome("unchanged", current, stored.address_key, link)
        address_key = household_address_key(record.address)
        if record.address is not None and address_key is not None:
            self.changes.addresses[address_key] = record.address
        keys = self._keys.get((record.record_key, record.content_hash))
        if keys is None:
            keys = blocking_keys(record)
        person_id, explanation, merged = self._place(record, stored, keys)
        self._store(record, person_id, address_key, explanation, keys)
        change: Change = "created" if stored is None else "updated"
        return RecordOutcome(change, person_id, address_key, explanation, merged)

    def withdraw(self, record_key: str) -> RecordOutcome | None:
        """Take a record out of Lateral (its partner deleted it); None if it was never here.

        A record withdrawn before is reported withdrawn again, so a redelivered withdrawal is
        published again and heals a crash between commit and publish.
        """
        stored = self._records.get(record_key)
        if stored is None:
            return None
        person_id = self.changes.redirects.current(stored.person_id)
        if not stored.withdrawn:
            self._records[record_key] = StoredRecord(
                person_id, stored.address_key, stored.content_hash, withdrawn=True
            )
            self.changes.withdrawn.add(record_key)
            self._forget_candidate(record_key)
            if person_id is not None:
                self._bump(person_id)
        return RecordOutcome(
            "withdrawn", person_id, stored.address_key, self._links.get(record_key)
        )

    def _place(
        self, record: CleanRecord, stored: StoredRecord | None, keys: list[str]
    ) -> tuple[str | None, LinkExplanation, tuple[str, ...]]:
        """The person a record belongs to, why, and the persons merged into it on the way.

        An update keeps the person it is linked to: identity stays stable, and moving a corrected
        record is for a data steward (a practitioner reports it, the steward splits it out).
        """
        previous = self._links.get(record.record_key)
        if stored is not None and stored.person_id is not None and previous is not None:
            person_id = self.changes.redirects.current(stored.person_id)
            assert person_id is not None
            self._bump(person_id)
            return person_id, previous, ()
        candidates = self._candidates_of(record.record_key, keys)
        resolution = self._resolver.resolve(record, candidates, self._decisions)
        for match in resolution.reviews:
            self.changes.reviews.append(ReviewRequest(record.record_key, match))
        if resolution.outcome is Outcome.ADDRESS_ONLY or resolution.person_id is None:
            return None, resolution.explanation, ()
        if resolution.outcome is Outcome.LINK:
            linked = list(dict.fromkeys(m.person_id for m in resolution.links))
            survivor, merged = self._merge(record.record_key, linked or [resolution.person_id])
            self._bump(survivor)
            return survivor, resolution.explanation, merged
        self._create(resolution.person_id)
        return resolution.person_id, resolution.explanation, ()

    def _candidates_of(self, record_key: str, keys: list[str]) -> list[CandidateRecord]:
        """The stored and earlier-in-batch records sharing one of `keys` (the record's own)."""
        found: set[str] = set()
        filed, candidates = self._filed, self._candidates
        for key in keys:
            if filed_under := filed.get(key):
                found.update(filed_under)
        if self._decisions.same:
            found |= self._decided_same(record_key)
        found.discard(record_key)
        return [candidates[k] for k in sorted(found) if k in candidates]

    def _decided_same(self, record_key: str) -> set[str]:
        """The candidate records of the persons a data steward said `record_key` is, whether or
        not they share a key with it (the one it shared may have been split out: review queue,
        gap 1). Decisions are few, so the candidates are looked through."""
        current = self.changes.redirects.current
        named = {current(p) or p for k, p in self._decisions.same if k == record_key}
        if not named:
            return set()
        return {k for k, c in self._candidates.items() if c.person_id in named}

    def _merge(self, cause: str, person_ids: list[str]) -> tuple[str, tuple[str, ...]]:
        """Merge the persons a record links to into the survivor; the IDs merged away."""
        current = list(dict.fromkeys(self.changes.redirects.current(p) or p for p in person_ids))
        survivor = choose_survivor(current)
        absorbed = tuple(p for p in current if p != survivor)
        for person_id in absorbed:
            # Merges are rare: the person's candidate records are found by looking through all.
            moved = sorted(k for k, c in self._candidates.items() if c.person_id == person_id)
            for record_key in moved:
                moving = self._candidates[record_key]
                self._candidates[record_key] = CandidateRecord(
                    survivor, moving.record, moving.profile
                )
            self.changes.redirects.merge(person_id, into=survivor)
            self.changes.merges.append(
                Merge(survivor, person_id, cause, merge_reason(cause), actor="matcher")
            )
            self._persons.discard(person_id)
        return survivor, absorbed

    def _create(self, person_id: str) -> None:
        if person_id in self._persons:  # made earlier (a replayed or re-filed record)
            self._bump(person_id)
            return
        self.changes.new_persons[person_id] = 1
        self._persons.add(person_id)

    def _bump(self, person_id: str) -> None:
        """Count one more change to an existing person (or one made earlier in this batch)."""
        if person_id in self.changes.new_persons:
            self.changes.new_persons[person_id] += 1
        else:
            self.changes.bumped_persons[person_id] += 1

    def _store(
        self,
        record: CleanRecord,
        person_id: str | None,
        address_key: str | None,
        explanation: LinkExplanation,
        keys: list[str],
    ) -> None:
        """Note the write, and file the record as a candidate for the rest of the batch."""
        key = record.record_key
        self.changes.records[key] = RecordWrite(record, person_id, address_key, explanation)
        self.changes.withdrawn.discard(key)
        self._records[key] = StoredRecord(person_id, address_key, record.content_hash)
        self._links[key] = explanation
        self._forget_candidate(key)
        self.changes.keys[key] = keys
        if person_id is None:
            return
        self._candidates[key] = CandidateRecord(person_id, record, cached_profile(record))
        for blocking_key in keys:
            self._file(blocking_key, key)

    def _file(self, blocking_key: str, record_key: str) -> None:
        if blocking_key in self._own_filed:
            self._filed[blocking_key].add(record_key)
        else:
            self._filed[blocking_key] = {*self._filed.get(blocking_key, ()), record_key}
            self._own_filed.add(blocking_key)

    def _forget_candidate(self, record_key: str) -> None:
        self._candidates.pop(record_key, None)
