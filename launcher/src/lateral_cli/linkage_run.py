"""Records through the resolver one at a time, with an in-memory store of records by blocking key.

The store does what the matcher service does with its database: keeps every record under its
blocking keys, hands the resolver the records sharing a key with the next one (each key capped to
its most recent `KEY_CAP` records, the cap the resolver's docstring calls safe), and merges the
persons of a record that links to several (the first link survives; the others redirect to it).
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from lateral_matcher.domain.resolution import (
    CandidateRecord,
    Outcome,
    Resolver,
    blocking_keys,
)
from lateral_shared.contracts.records import CleanRecord

KEY_CAP = 200


@dataclass
class RunResult:
    person_of: list[str | None]  # the final person of each record (None: address only)
    keys: list[list[str]]  # each record's blocking keys
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    review_items: int = 0
    merges: int = 0
    seconds: float = 0.0  # wall-clock
    cpu_seconds: float = 0.0  # this process's CPU time (steadier on a shared machine)
    memory_growth: int | None = None  # bytes the store and the resolver's caches added (Linux)


class MemoryStore:
    """Stored records by blocking key, and persons with merge redirects."""

    def __init__(self, resolver: Resolver, key_cap: int = KEY_CAP) -> None:
        self.resolver = resolver
        self.key_cap = key_cap
        self.records: list[CleanRecord] = []
        self.person_at_link: list[str | None] = []
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.redirect: dict[str, str] = {}

    def current(self, person_id: str) -> str:
        """The survivor a (possibly merged) person ID now redirects to."""
        path = []
        while person_id in self.redirect:
            path.append(person_id)
            person_id = self.redirect[person_id]
        for merged in path:
            self.redirect[merged] = person_id
        return person_id

    def candidates(self, keys: Sequence[str]) -> list[CandidateRecord]:
        found: set[int] = set()
        for key in keys:
            stored = self.by_key.get(key)
            if stored:
                found.update(stored[-self.key_cap :] if len(stored) > self.key_cap else stored)
        return [
            CandidateRecord(self.current(person), self.records[i])
            for i in sorted(found)
            if (person := self.person_at_link[i]) is not None
        ]

    def add(self, record: CleanRecord, keys: Sequence[str]) -> tuple[Outcome, int]:
        """Resolve and store one record; the outcome and how many review items it raised."""
        resolution = self.resolver.resolve(record, self.candidates(keys))
        for match in resolution.links[1:]:
            if match.person_id != resolution.person_id:
                self.redirect[match.person_id] = self.current(resolution.person_id or "")
        index = len(self.records)
        self.records.append(record)
        self.person_at_link.append(resolution.person_id)
        for key in keys:
            self.by_key[key].append(index)
        return resolution.outcome, len(resolution.reviews)


def run_incremental(resolver: Resolver, records: Sequence[CleanRecord]) -> RunResult:
    """Every record through the resolver in the given order; timed (blocking keys included)."""
    store = MemoryStore(resolver)
    result = RunResult(person_of=[], keys=[])
    rss_before = _resident_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    for record in records:
        keys = blocking_keys(record)
        outcome, reviews = store.add(record, keys)
        result.outcomes[outcome] += 1
        result.review_items += reviews
        result.keys.append(keys)
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_started
    rss_after = _resident_bytes()
    if rss_before is not None and rss_after is not None:
        result.memory_growth = rss_after - rss_before
    result.merges = len(store.redirect)
    result.person_of = [
        store.current(person) if person is not None else None for person in store.person_at_link
    ]
    return result


def _resident_bytes() -> int | None:
    """This process's resident memory now (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
