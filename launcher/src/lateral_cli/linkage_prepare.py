"""The part of linking each record that no earlier outcome changes, done ahead of the main loop.

A record's profile, its blocking keys, which earlier records share a key with it (each key capped
to its most recent `KEY_CAP` records, as the matcher service's repository caps it) and how it
compares with each of them depend on the records alone, never on which person an earlier record
joined. `prepared_here` works them out in this process; a `Worker` in a second process (forked:
it inherits the records), so the main loop only groups candidates by person, applies the rules
and decides, in order.

The worker also compares each record with its candidates while it is ahead of the main loop by
`LEAD` chunks or more; when it is not, it sends a chunk without comparisons and the main loop
makes them itself. Either side compares a record with all its candidates in one pass
(`PersonScorer.compared_against`). The two processes so share the comparisons, the bulk of the
work, whatever each one's speed; the answers are the same either way (a comparison is pure).
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from typing import NamedTuple, Protocol

from lateral_matcher.domain.candidates import Compared, PersonScorer
from lateral_matcher.domain.model import MatchModel
from lateral_matcher.domain.profile import PersonProfile, cached_profile, has_person_details
from lateral_matcher.domain.resolution import blocking_keys
from lateral_shared.contracts.records import CleanRecord

KEY_CAP = 200
CHUNK = 128  # records per message from the worker: few messages, a short wait for the first
LEAD = 2  # chunks the worker must be ahead by to make the comparisons too


class Prepared(NamedTuple):
    """One record, made ready for the resolver."""

    keys: list[str]
    candidates: list[int]  # earlier records (by position) sharing a key, about a person
    compared: list[Compared] | None  # the record against each candidate (None: not made)


class CandidateIndex:
    """Earlier records by blocking key, as the service's candidate query finds them."""

    def __init__(self, key_cap: int = KEY_CAP) -> None:
        self.key_cap = key_cap
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.about_person: list[bool] = []

    def add(self, record: CleanRecord, keys: Sequence[str]) -> list[int]:
        """The earlier records sharing a key with `record` (in order), then file it."""
        found: set[int] = set()
        for key in keys:
            stored = self.by_key.get(key)
            if stored:
                found.update(stored[-self.key_cap :] if len(stored) > self.key_cap else stored)
        about = self.about_person
        candidates = [i for i in sorted(found) if about[i]]
        index = len(about)
        # The resolver gives a record without person details no person: never a candidate.
        about.append(cached_profile(record) is not None and has_person_details(record.person))
        for key in keys:
            self.by_key[key].append(index)
        return candidates


def prepared_here(records: Sequence[CleanRecord]) -> Iterator[Prepared]:
    """Keys and candidates, in this process (the resolver makes the comparisons itself)."""
    index = CandidateIndex()
    for record in records:
        keys = blocking_keys(record)
        yield Prepared(keys, index.add(record, keys), None)


class Worker:
    """The second process, its stream of prepared records, and the CPU time it reported."""

    def __init__(self, records: Sequence[CleanRecord], model: MatchModel) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._taken = context.RawValue("q", 0)  # chunks the main loop has taken (it alone writes)
        self._process = context.Process(
            target=_work,
            args=(records, model, send, self._taken),
            name="linkage-prepare",
            daemon=True,
        )
        self._process.start()
        send.close()  # the worker holds the only sending end: its exit ends the stream
        self.cpu_seconds = 0.0

    def prepared(self) -> Iterator[Prepared]:
        """Each record's keys, candidates and comparisons, in the records' order."""
        table: list[Compared] = []  # each distinct comparison, sent once, then by number
        try:
            while True:
                message = self._receive.recv()
                if isinstance(message, float):
                    self.cpu_seconds = message
                    return
                if isinstance(message, str):
                    raise RuntimeError(f"the linkage worker failed: {message}")
                self._taken.value += 1
                new, chunk = message
                table.extend(new)
                for keys, candidates, numbers in chunk:
                    compared = None if numbers is None else list(map(table.__getitem__, numbers))
                    yield Prepared(keys, candidates, compared)
        except EOFError:
            raise RuntimeError("the linkage worker stopped before the last record") from None
        finally:
            self.close()

    def close(self) -> None:
        self._receive.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()


def can_fork() -> bool:
    """Whether a worker can inherit the records (Linux; not where fork is unavailable)."""
    return "fork" in multiprocessing.get_all_start_methods()


class _Counter(Protocol):
    value: int  # a shared counter (`multiprocessing.RawValue`)


_Wire = tuple[list[str], list[int], list[int] | None]  # a Prepared, comparisons by number


def _work(
    records: Sequence[CleanRecord], model: MatchModel, send: Connection, taken: _Counter
) -> None:
    """In the worker: every record's keys and candidates, and comparisons while ahead."""
    # No cyclic collector here: the worker makes no reference cycles (reference counting frees
    # all it drops), and what it keeps grows to millions of objects (profiles, the candidate
    # index, remembered comparisons) that each collection of the old generations walked again.
    # It exits at the end of the run; the main process keeps the matcher service's settings.
    gc.disable()
    try:
        numbered = _Numbered()
        compare = PersonScorer(model).compared_against
        profiles: list[PersonProfile | None] = []
        chunk: list[_Wire] = []
        sent = 0
        comparing = False
        for prepared in prepared_here(records):
            record = records[len(profiles)]
            profile = cached_profile(record)
            profiles.append(profile)
            numbers = None
            if comparing and profile is not None and has_person_details(record.person):
                others = [
                    other
                    for i in prepared.candidates
                    if (other := profiles[i]) is not None  # always so: candidates have persons
                ]
                numbers = numbered.each(compare(profile, others))
            chunk.append((prepared.keys, prepared.candidates, numbers))
            if len(chunk) == CHUNK:
                send.send((numbered.take_new(), chunk))
                chunk, sent = [], sent + 1
                comparing = sent - taken.value >= LEAD
        send.send((numbered.take_new(), chunk))
        send.send(time.process_time())
    except Exception as error:  # reported to the main process, by type only (no values)
        send.send(type(error).__name__)
    finally:
        send.close()


class _Numbered:
    """Numbers for distinct comparisons: far fewer than pairs, so most are sent as a number."""

    def __init__(self) -> None:
        self._numbers: dict[Compared, int] = {}
        self._new: list[Compared] = []

    def __call__(self, compared: Compared) -> int:
        number = self._numbers.get(compared)
        if number is None:
            number = self._numbers[compared] = len(self._numbers)
            self._new.append(compared)
        return number

    def each(self, compared: list[Compared]) -> list[int]:
        """The numbers of one record's comparisons, each distinct object looked up once (equal
        patterns share one: `PersonScorer.compared_against`), not hashed field by field."""
        seen: dict[int, int] = {}  # id of a comparison in `compared` (alive meanwhile) -> number
        numbers = []
        for one in compared:
            number = seen.get(id(one))
            if number is None:
                number = seen[id(one)] = self(one)
            numbers.append(number)
        return numbers

    def take_new(self) -> list[Compared]:
        """The comparisons numbered since the last call (the main process appends them)."""
        new, self._new = self._new, []
        return new
