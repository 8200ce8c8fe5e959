"""Records per CPU second through the matcher's pure resolver (no database, no events).

The records of a `lateral synth` folder are read and cleansed as `lateral eval-linkage` does (in
event-date order; cached in `~/.cache/lateral-bench` after the first run), then each run feeds them
through the matcher's domain as the service would, in batches of `--batch`:
- `batch` (default): `BatchResolution.link` per record, with each batch's `KnownState` built from
  an in-memory store the way the repository builds it (candidates: the most recent 200 live
  records of each blocking key); `keys_to_load` and the `link` calls are timed;
- `incremental`: `Resolver.resolve` per record through `lateral eval-linkage`'s in-memory store.

Each run starts with empty profile and comparison caches. `--dump FILE` writes every record's
outcome (person, change, explanation, reviews, merges) as JSON lines, to check that a faster
resolver gives the same answers:

    .venv/bin/python bench/resolver_throughput.py /tmp/t7 --runs 3 --dump /tmp/before.jsonl

CPU time includes the cyclic garbage collector, as the service pays it; its cost grows with
every container object that outlives a young collection (a batch's records, explanations and
profiles), whatever else the process holds. `--no-gc` turns it off for the timed runs: the
difference is the collector's share, which a process-level setting (freezing what lives for
the whole run, a larger youngest generation: see `lateral_shared.collector`) mostly removes.
Point at an older resolver with `PYTHONPATH=<its src>` for a side-by-side ratio.

Target: <= 80 µs per record (>= 12,500 records per CPU second).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import pickle
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from lateral_cli.linkage_input import read_linkage_input
from lateral_cli.linkage_run import run_incremental
from lateral_matcher.domain import blocking, profile
from lateral_matcher.domain.batch import BatchResolution, KnownState, StoredRecord, keys_to_load
from lateral_matcher.domain.resolution import CandidateRecord, Resolver, default_resolver
from lateral_matcher.domain.shipped import load_shipped_model
from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanRecord

TARGET = 12_500
PER_KEY = 200  # the repository's CANDIDATES_PER_KEY


def cleansed_records(folder: Path) -> list[CleanRecord]:
    """The folder's records, cleansed, in event-date order (as `lateral eval-linkage` links)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}".encode())
            digest.update(path.read_bytes())
    cache = Path(os.environ.get("LATERAL_BENCH_CACHE", Path.home() / ".cache" / "lateral-bench"))
    pickled = cache / f"resolver-{digest.hexdigest()[:16]}.pickle"
    if pickled.exists():
        with pickled.open("rb") as file:
            return list(pickle.load(file))  # noqa: S301 (our own file)
    data = read_linkage_input(folder)
    records = sorted((t.record for t in data.records), key=lambda r: (r.event_date, r.record_key))
    cache.mkdir(parents=True, exist_ok=True)
    with pickled.open("wb") as file:
        pickle.dump(records, file, pickle.HIGHEST_PROTOCOL)
    return records


class ServiceStore:
    """What the matcher's tables hold, kept in memory: enough to build each batch's state.

    Held in forms the garbage collector does not walk (strings, tuples of strings and of record
    numbers), as the service holds them in its database: the collector's time is then spent on
    what the resolver keeps, not on this stand-in."""

    def __init__(self) -> None:
        self.numbered: list[str] = []  # record number -> record key
        self.number: dict[str, int] = {}
        self.stored: dict[str, tuple[str | None, str | None, str]] = {}
        self.links: dict[str, str] = {}  # record key -> explanation JSON
        self.person_of: dict[str, str] = {}  # live person records only
        self.record_of: dict[str, CleanRecord] = {}
        self.by_key: dict[str, tuple[int, ...]] = {}  # blocking key -> record numbers, in order
        self.members: dict[str, tuple[int, ...]] = {}  # person -> record numbers
        self.persons: set[str] = set()
        self.redirects: dict[str, str] = {}

    def known(self, loading: tuple[list[str], list[str], list[str]]) -> KnownState:
        record_keys, keys, new_ids = loading
        candidates: dict[str, CandidateRecord] = {}
        filed: dict[str, set[str]] = {}
        for key in keys:
            numbers = self.by_key.get(key)
            if not numbers:
                continue
            live = [k for k in map(self.numbered.__getitem__, numbers) if k in self.person_of]
            recent = live[-PER_KEY:]
            if recent:
                filed[key] = set(recent)
            for k in recent:
                candidates[k] = CandidateRecord(self.person_of[k], self.record_of[k])
        wanted = {c.person_id for c in candidates.values()} | set(new_ids)
        return KnownState(
            records={k: StoredRecord(*self.stored[k]) for k in record_keys if k in self.stored},
            links={
                k: LinkExplanation.model_validate_json(self.links[k])
                for k in record_keys
                if k in self.links
            },
            candidates=candidates,
            filed=filed,
            persons=wanted & self.persons,
            redirects={p: s for p, s in self.redirects.items() if p in wanted},
        )

    def write(self, resolution: BatchResolution) -> None:
        changes = resolution.changes
        self.persons |= set(changes.new_persons)
        self.redirects.update(changes.redirects.survivors)
        self.persons -= set(changes.redirects.survivors)
        for absorbed in changes.redirects.survivors:
            survivor = changes.redirects.current(absorbed)
            assert survivor is not None
            moved = self.members.pop(absorbed, None)
            if moved:
                for number in moved:
                    self.person_of[self.numbered[number]] = survivor
                self.members[survivor] = self.members.get(survivor, ()) + moved
        for key, write in changes.records.items():
            person_id = changes.redirects.current(write.person_id)
            self.stored[key] = (person_id, write.address_key, write.record.content_hash)
            self.links[key] = write.explanation.model_dump_json()
            if person_id is None:
                continue
            number = self.number.get(key, -1)
            if number < 0:
                number = self.number[key] = len(self.numbered)
                self.numbered.append(key)
                for blocking_key in changes.keys[key]:
                    self.by_key[blocking_key] = (*self.by_key.get(blocking_key, ()), number)
            self.person_of[key] = person_id
            self.record_of[key] = write.record
            self.members[person_id] = (*self.members.get(person_id, ()), number)


def run_batches(records: list[CleanRecord], size: int, dump: list[str] | None) -> float:
    """CPU seconds spent in the domain over every record: `keys_to_load` and
    `BatchResolution` (the store's part is the database's in the service, so not counted)."""
    resolver = default_resolver()
    store = ServiceStore()
    spent = 0.0
    for start in range(0, len(records), size):
        batch = records[start : start + size]
        cpu = time.process_time()
        loading = keys_to_load(batch)
        spent += time.process_time() - cpu
        known = store.known(loading)
        cpu = time.process_time()
        resolution = BatchResolution(known, resolver)
        outcomes = [resolution.link(record) for record in batch]
        spent += time.process_time() - cpu
        if dump is not None:
            _dump_batch(batch, outcomes, resolution, dump)
        store.write(resolution)
    return spent


def _dump_batch(
    batch: list[CleanRecord], outcomes: list[Any], resolution: BatchResolution, dump: list[str]
) -> None:
    """Each record's outcome as a line of JSON (strings: no load on the garbage collector)."""
    reviews = defaultdict(list)
    for review in resolution.changes.reviews:
        reviews[review.record_key].append(_match(review.match))
    for record, outcome in zip(batch, outcomes, strict=True):
        dump.append(json.dumps({
            "record_key": record.record_key, "change": outcome.change,
            "person_id": outcome.person_id, "merged": list(outcome.merged_person_ids),
            "explanation": _json(outcome.explanation), "reviews": reviews[record.record_key],
        }, sort_keys=True))  # fmt: skip


def run_direct(records: list[CleanRecord], dump: list[str] | None, in_worker: bool | None) -> float:
    """CPU seconds for `lateral eval-linkage`'s incremental run (blocking keys included; with
    `in_worker`, the worker's too); prints its wall time."""
    resolver = Resolver(load_shipped_model())
    traced = _Tracing(resolver, dump is not None)
    result = run_incremental(traced, records, in_worker=in_worker)  # type: ignore[arg-type]
    print(
        f"  wall {result.seconds:.2f} s ({result.seconds / len(records) * 1e6:.1f} µs per record)"
    )
    if dump is not None:
        for record, person_id, row in zip(records, result.person_of, traced.rows, strict=True):
            dump.append(json.dumps({"record_key": record.record_key, "final_person_id": person_id,
                                    **json.loads(row)}, sort_keys=True))  # fmt: skip
    return result.cpu_seconds


class _Tracing:
    """A resolver that notes every resolution it gives (outside the timed work: JSON later)."""

    def __init__(self, resolver: Resolver, tracing: bool) -> None:
        self._resolver = resolver
        self.thresholds = resolver.thresholds
        self.model = resolver.model
        self.remember = resolver.remember
        self._tracing = tracing
        self.rows: list[str] = []

    def resolve(self, record: CleanRecord, candidates: Any, *args: Any) -> Any:
        return self._trace(self._resolver.resolve(record, candidates, *args))

    def resolve_among(self, record: CleanRecord, by_person: Any, *args: Any) -> Any:
        return self._trace(self._resolver.resolve_among(record, by_person, *args))

    def _trace(self, r: Any) -> Any:
        if self._tracing:  # timed, unlike the batch path's dump: use it for answers only
            self.rows.append(json.dumps({
                "outcome": r.outcome.value, "person_id": r.person_id,
                "explanation": _json(r.explanation), "links": [_match(m) for m in r.links],
                "reviews": [_match(m) for m in r.reviews],
            }))  # fmt: skip
        return r


def _match(match: Any) -> dict[str, Any]:
    return {"person_id": match.person_id, "weight": match.match_weight,
            "probability": match.probability, "explanation": _json(match.explanation)}  # fmt: skip


def _json(explanation: LinkExplanation | None) -> Any:
    return None if explanation is None else explanation.model_dump(mode="json")


def _clear_caches() -> None:
    """Each run pays for profiling and blocking keys, as a new process would."""
    if hasattr(profile, "clear_profiles"):
        profile.clear_profiles()
    else:  # the resolver before it had one
        profile._profiles.clear()
    profile.name_key.cache_clear()
    getattr(blocking, "_keys", {}).clear()  # (older resolvers keep none)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a `lateral synth` folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500, help="records per batch")
    parser.add_argument("--path", choices=("batch", "incremental"), default="batch")
    parser.add_argument(
        "--worker", choices=("auto", "yes", "no"), default="auto",
        help="incremental: a second process prepares records (auto: as eval-linkage decides)",
    )  # fmt: skip
    parser.add_argument("--dump", type=Path, help="write every record's outcome (JSON lines)")
    parser.add_argument(
        "--no-gc", action="store_true", help="garbage collector off: the resolver's own CPU time"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    records = cleansed_records(args.folder)
    print(f"data set: {len(records):,} cleansed records ({time.perf_counter() - started:.1f} s)")
    gc.collect()
    gc.freeze()
    if args.no_gc:
        gc.disable()
    spent = []
    for run in range(1, args.runs + 1):
        _clear_caches()
        dump: list[str] | None = [] if args.dump and run == 1 else None
        if args.path == "batch":
            cpu = run_batches(records, args.batch, dump)
        else:
            in_worker = {"auto": None, "yes": True, "no": False}[args.worker]
            cpu = run_direct(records, dump, in_worker)
        spent.append(cpu)
        print(f"run {run}: {cpu / len(records) * 1e6:.1f} µs per record "
              f"({len(records) / cpu:,.0f} records per CPU second)")  # fmt: skip
        if dump is not None:
            with args.dump.open("w") as file:
                file.writelines(line + "\n" for line in dump)
    cpu = statistics.median(spent)
    verdict = "met" if len(records) / cpu >= TARGET else "NOT met"
    print(f"median: {cpu / len(records) * 1e6:.1f} µs per record, "
          f"{len(records) / cpu:,.0f} records per CPU second "
          f"(target >= {TARGET:,}: {verdict}; load {os.getloadavg()[0]:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
