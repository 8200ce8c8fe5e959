"""Merge and split with stable identity: which person survives, and where a merged ID points.

A record that links to several persons shows they are one individual: they merge into the
survivor, the smallest person ID. Any fixed rule would do; this one depends on nothing but the IDs,
so a replay in another order picks the same survivor. A merged ID is never reused: it redirects to
its survivor ("where is this person now"), and the redirect is kept one hop long.

A data steward rejecting a link splits the record out of its person: it takes a person of its own,
and the persons its arrival merged in are restored. Every merge and split is recorded with its
reason, who and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

# Fixed namespace: a split-out person's ID must be the same on every replay.
SPLIT_NAMESPACE = uuid.UUID("3d0f7a52-6c1e-5b8a-9f42-7e1d2c3b4a59")


@dataclass(frozen=True, slots=True)
class Merge:
    """One person absorbed into another, and why."""

    survivor: str
    absorbed: str
    cause_record_key: str | None
    reason: str
    actor: str


@dataclass
class PersonRedirects:
    """Merged person ID -> survivor, kept one hop long as merges chain."""

    survivors: dict[str, str] = field(default_factory=dict)

    def current(self, person_id: str | None) -> str | None:
        """Where a person is now: its survivor if it was merged, else itself."""
        if person_id is None:
            return None
        return self.survivors.get(person_id, person_id)

    def merge(self, absorbed: str, *, into: str) -> None:
        for merged, survivor in list(self.survivors.items()):
            if survivor == absorbed:
                self.survivors[merged] = into
        self.survivors[absorbed] = into


def choose_survivor(person_ids: Iterable[str]) -> str:
    """The person that keeps its ID when `person_ids` merge."""
    return min(person_ids)


def merge_reason(cause_record_key: str) -> str:
    """Why the matcher merged persons (record keys are partner IDs, not personal data)."""
    return f"record {cause_record_key} links to each of these persons"


def split_person_id(record_key: str, from_person_id: str) -> str:
    """The ID of the person a record takes when split out of `from_person_id`."""
    return str(uuid.uuid5(SPLIT_NAMESPACE, f"{record_key}|{from_person_id}"))
