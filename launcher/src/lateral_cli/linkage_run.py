"""Records through the resolver one at a time, with an in-memory store of persons.

The store does what the matcher service does with its database: keeps every record and the person
it joined, hands the resolver the records sharing a blocking key with the next one (found by
`linkage_prepare`, each key capped to its most recent `KEY_CAP` records, the cap the resolver's
docstring calls safe), and merges the persons of a record that links to several (the first link
survives; the others redirect to it). With `in_worker`, keys, candidates and comparisons are
worked out by a second process while this one resolves, still one record at a time, in order.
"""

from __future__ import annotations

import gc
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from lateral_matcher.domain.candidates import Compared, PersonScorer
from lateral_matcher.domain.profile import PersonProfile, cached_profile, has_person_details
from lateral_matcher.domain.resolution import Outcome, Resolver
from lateral_shared.collector import collect_young_every
from lateral_shared.contracts.records import CleanRecord

from .linkage_prepare import KEY_CAP, Prepared, Worker, can_fork, prepared_here

__all__ = ["KEY_CAP", "MemoryStore", "RunResult", "run_incremental"]
# Below this the candidate sets are small (~5 per record at `lateral synth --size test`, 50,000
# records) and the worker's own costs (its copy of every profile, the pipe) outweigh what it
# takes off the main loop; at region size (~600,000) it takes about half (resolver_throughput.py).
WORKER_MIN_RECORDS = 200_000
COLLECT_EVERY = 200_000  # the matcher service's setting (`lateral_matcher.entrypoints.main`)


@dataclass
class RunResult:
    person_of: list[str | None]  # the final person of each record (None: address only)
    keys: list[list[str]]  # each record's blocking keys
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    review_items: int = 0
    merges: int = 0
    seconds: float = 0.0  # wall-clock
    cpu_seconds: float = 0.0  # CPU time of this process and the worker (steadier when shared)
    memory_growth: int | None = None  # bytes the store and the resolver's caches added (Linux)


class MemoryStore:
    """Stored records, their profiles and persons, with merge redirects."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        # Compares a record with all its candidates at once when the worker has not (or there is
        # none), rather than pair by pair as the resolver would: the same comparisons, cheaper.
        self._scorer = PersonScorer(resolver.model)
        self.records: list[CleanRecord] = []
        self.profiles: list[PersonProfile | None] = []
        self.person_at_link: list[str | None] = []
        self.redirect: dict[str, str] = {}

    def current(self, person_id: str) -> str:
        """The survivor a (possibly merged) person ID now redirects to."""
        if person_id not in self.redirect:  # the usual case: never merged
            return person_id
        path = []
        while person_id in self.redirect:
            path.append(person_id)
            person_id = self.redirect[person_id]
        for merged in path:
            self.redirect[merged] = person_id
        return person_id

    def by_person(
        self, found: Sequence[int], compared: Sequence[Compared] | None = None
    ) -> tuple[dict[str, list[PersonProfile]], dict[str, list[Compared]]]:
        """The profiles of the records `found`, grouped by their persons as they are now, and
        `compared` (made elsewhere, one for each record found) grouped alike."""
        grouped: dict[str, list[PersonProfile]] = {}
        ahead: dict[str, list[Compared]] = {}
        profiles, person_at_link, redirect = self.profiles, self.person_at_link, self.redirect
        # One loop for both cases would test `compared` for every candidate: this runs for
        # every candidate of every record, the main loop's largest share.
        if not compared:
            for i in found:
                person, profile = person_at_link[i], profiles[i]
                if person is not None and profile is not None:
                    if person in redirect:
                        person = self.current(person)
                    if person in grouped:
                        grouped[person].append(profile)
                    else:
                        grouped[person] = [profile]
            return grouped, ahead
        for i, comparison in zip(found, compared, strict=True):
            person, profile = person_at_link[i], profiles[i]
            if person is not None and profile is not None:
                if person in redirect:
                    person = self.current(person)
                if person in grouped:
                    grouped[person].append(profile)
                    ahead[person].append(comparison)
                else:
                    grouped[person] = [profile]
                    ahead[person] = [comparison]
        return grouped, ahead

    def add(self, record: CleanRecord, prepared: Prepared) -> tuple[Outcome, int]:
        """Resolve and store one record; the outcome and how many review items it raised."""
        profile = cached_profile(record)
        compared = prepared.compared
        if (
            compared is None
            and prepared.candidates
            and profile is not None
            and has_person_details(record.person)
        ):
            profiles = self.profiles
            others = [p for i in prepared.candidates if (p := profiles[i]) is not None]
            compared = self._scorer.compared_against(profile, others)
        by_person, ahead = self.by_person(prepared.candidates, compared)
        if ahead and profile is not None:
            self.resolver.remember(profile, ahead)
        resolution = self.resolver.resolve_among(record, by_person)
        for match in resolution.links[1:]:
            if match.person_id != resolution.person_id:
                self.redirect[match.person_id] = self.current(resolution.person_id or "")
        self.records.append(record)
        self.profiles.append(profile)
        self.person_at_link.append(resolution.person_id)
        return resolution.outcome, len(resolution.reviews)


def run_incremental(
    resolver: Resolver, records: Sequence[CleanRecord], *, in_worker: bool | None = None
) -> RunResult:
    """Every record through the resolver in the given order; timed from cleansed records in to
    persons out (profiles, blocking keys, candidates and comparisons included, in either process).
    `in_worker` uses a second process where the platform can fork one; by default when there are
    `WORKER_MIN_RECORDS` records or more and a second CPU."""
    if in_worker is None:
        in_worker = len(records) >= WORKER_MIN_RECORDS and _cpus() >= 2
    store = MemoryStore(resolver)
    result = RunResult(person_of=[], keys=[])
    rss_before = _resident_bytes()
    with collector_as_in_the_matcher():
        started, cpu_started = time.perf_counter(), time.process_time()
        worker = Worker(records, resolver.model) if in_worker and can_fork() else None
        stream = worker.prepared() if worker is not None else prepared_here(records)
        for record, prepared in zip(records, stream, strict=True):
            outcome, reviews = store.add(record, prepared)
            result.outcomes[outcome] += 1
            result.review_items += reviews
            result.keys.append(prepared.keys)
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = time.process_time() - cpu_started
        result.cpu_seconds += worker.cpu_seconds if worker else 0.0
    rss_after = _resident_bytes()
    if rss_before is not None and rss_after is not None:
        result.memory_growth = rss_after - rss_before
    result.merges = len(store.redirect)
    result.person_of = [
        store.current(person) if person is not None else None for person in store.person_at_link
    ]
    return result


@contextmanager
def collector_as_in_the_matcher() -> Iterator[None]:
    """The garbage collector as the matcher service's process has it: what exists before the
    run (the cleansed records, the database's rows in the service) frozen, out of every
    collection, and the youngest generation collected every `COLLECT_EVERY` allocations
    (`lateral_matcher.entrypoints.main`). Both are put back afterwards."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    collect_young_every(COLLECT_EVERY)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _resident_bytes() -> int | None:
    """This process's resident memory now (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
