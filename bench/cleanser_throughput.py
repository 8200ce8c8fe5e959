"""Records per second through the pure cleanser, with UPRN look-up, on one core.

The data set is a synthetic region from `lateral_synthetic` (default), or files given by path:
a gazetteer CSV (BS7666 layout), partner feed CSVs (the published layout; the feed ID is the file
name, the agency kind comes from the synthetic feed of that name or `--agency-kind`) and, for
`uprn_accuracy.py`, the truth CSV (feed_id, source_record_id, true_person_id, true_uprn).

    .venv/bin/python bench/cleanser_throughput.py --size region
    .venv/bin/python bench/cleanser_throughput.py --gazetteer G.csv --records F1.csv F2.csv

The gazetteer is written to a temporary CSV and loaded through the service's own loader, so its
load time is what the cleanser pays at start-up. Each run starts with empty memo caches.
A generated data set is kept in `~/.cache/lateral-bench` (`$LATERAL_BENCH_CACHE`), keyed by size,
seed and the source of the generator and the contracts, so a second run starts in seconds;
`--no-cache` generates afresh. Target: >= 10,000 records/s.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import os
import pickle
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer
from lateral_cleanser.collector import COLLECT_EVERY
from lateral_cleanser.domain import Gazetteer, cleanse_record
from lateral_cleanser.domain.caches import clear_caches
from lateral_shared.collector import tune_collector
from lateral_shared.contracts.records import AgencyKind, PartnerRecord

TODAY = date(2025, 6, 1)
TARGET = 10_000


@dataclass
class BenchRecord:
    feed_id: str
    partner_id: str
    record: PartnerRecord


@dataclass
class Dataset:
    """Partner records, the gazetteer's CSV file, and the true UPRN of each record if known."""

    gazetteer_csv: Path
    records: list[BenchRecord] = field(default_factory=list)
    truth: dict[tuple[str, str], str | None] = field(default_factory=dict)
    skipped: int = 0  # rows the gateway would have rejected


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the data set comes from: the generator (default) or files."""
    parser.add_argument("--size", default="test", help="synthetic size: demo, test, region")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gazetteer", type=Path, help="gazetteer CSV (instead of generating)")
    parser.add_argument("--records", type=Path, nargs="*", default=[], help="feed CSV files")
    parser.add_argument("--truth", type=Path, help="truth CSV (feed_id, source_record_id, ...)")
    parser.add_argument("--agency-kind", default="police", help="kind of feeds not in FEEDS")
    parser.add_argument("--no-cache", action="store_true", help="generate, do not reuse a cache")


def load_dataset(args: argparse.Namespace, workdir: Path) -> Dataset:
    """The data set the arguments name."""
    if args.gazetteer is not None:
        return _from_files(args)
    if args.no_cache:
        return _generated(args.size, args.seed, workdir)
    return _cached(args.size, args.seed, workdir)


def _cached(size: str, seed: int, workdir: Path) -> Dataset:
    """The generated data set from the cache, generating (and keeping) it when missing; the
    gazetteer CSV is kept beside it and copied into `workdir`."""
    cache = Path(os.environ.get("LATERAL_BENCH_CACHE", Path.home() / ".cache" / "lateral-bench"))
    stem = cache / f"{size}-{seed}-{_generator_fingerprint()}"
    pickled, gazetteer_csv = stem.with_suffix(".pickle"), stem.with_suffix(".csv")
    if pickled.exists() and gazetteer_csv.exists():
        with pickled.open("rb") as file:
            records, truth, skipped = pickle.load(file)  # noqa: S301 (our own file, see below)
        dataset = Dataset(workdir / "gazetteer.csv", truth=truth, skipped=skipped)
        dataset.records = [BenchRecord(*item) for item in records]
        dataset.gazetteer_csv.write_bytes(gazetteer_csv.read_bytes())
        return dataset
    dataset = _generated(size, seed, workdir)
    cache.mkdir(parents=True, exist_ok=True)
    gazetteer_csv.write_bytes(dataset.gazetteer_csv.read_bytes())
    # Plain tuples: the classes of this script live in `__main__` or in `cleanser_throughput`.
    records = [(item.feed_id, item.partner_id, item.record) for item in dataset.records]
    with pickled.open("wb") as file:
        pickle.dump((records, dataset.truth, dataset.skipped), file, pickle.HIGHEST_PROTOCOL)
    return dataset


def _generator_fingerprint() -> str:
    """A digest of the generator's and the contracts' source: a change to either makes a new
    data set, never a stale one."""
    import lateral_shared.contracts
    import lateral_synthetic

    digest = hashlib.sha256(TODAY.isoformat().encode())
    for package in (lateral_synthetic, lateral_shared.contracts):
        for source in sorted(Path(package.__file__ or "").parent.rglob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _generated(size: str, seed: int, workdir: Path) -> Dataset:
    from lateral_synthetic import GAZETTEER_COLUMNS, generate_region

    dataset = Dataset(workdir / "gazetteer.csv")
    with dataset.gazetteer_csv.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(GAZETTEER_COLUMNS)
        for district in generate_region(size=size, seed=seed, today=TODAY).districts():
            writer.writerows(p.row() for p in district.properties)
            for synthetic in district.records:
                key = (synthetic.feed.feed_id, synthetic.source_record_id)
                try:
                    record = synthetic.partner_record()
                except ValidationError:
                    dataset.skipped += 1
                    continue
                feed = synthetic.feed
                dataset.records.append(BenchRecord(feed.feed_id, feed.partner_id, record))
                dataset.truth[key] = synthetic.true_uprn
    return dataset


def _from_files(args: argparse.Namespace) -> Dataset:
    dataset = Dataset(args.gazetteer)
    for path in args.records:
        kind = _kind_of(path.stem, args.agency_kind)
        for cells in _rows(path):
            try:
                record = PartnerRecord.model_validate(record_from_cells(cells, kind))
            except ValidationError:
                dataset.skipped += 1
                continue
            dataset.records.append(BenchRecord(path.stem, path.stem, record))
    if args.truth is not None:
        for row in _rows(args.truth):
            dataset.truth[(row["feed_id"], row["source_record_id"])] = row["true_uprn"] or None
    return dataset


def _kind_of(feed_id: str, default: str) -> AgencyKind:
    try:
        from lateral_synthetic import FEEDS
    except ImportError:
        return AgencyKind(default)
    kinds = {feed.feed_id: feed.agency_kind for feed in FEEDS}
    return kinds.get(feed_id, AgencyKind(default))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        yield from csv.DictReader(file)


def record_from_cells(cells: dict[str, str], kind: AgencyKind) -> dict[str, Any]:
    """A row of the published CSV layout as a `PartnerRecord` dict, blank cells left out."""

    def some(**parts: Any) -> dict[str, Any] | None:
        kept = {k: v for k, v in parts.items() if v not in ("", [], None)}
        return kept or None

    c = {k: (v or "").strip() for k, v in cells.items()}
    lines = [c.get(f"address_line_{n}", "") for n in range(1, 5)]
    return some(
        source_record_id=c["source_record_id"], agency_kind=kind.value,
        event_type=c.get("event_type"), event_date=c.get("event_date"), status=c.get("status"),
        end_date=c.get("end_date"), category=c.get("category"),
        attend_code=int(c["attend_code"]) if c.get("attend_code") else None,
        person=some(
            forename=c.get("forename"), middle_names=c.get("middle_names"),
            surname=c.get("surname"),
            other_names=[n for n in c.get("other_names", "").split(";") if n],
            date_of_birth=c.get("date_of_birth"), gender=c.get("gender"),
            nhs_number=c.get("nhs_number"), person_ref=c.get("person_ref"),
        ),
        address=some(lines=[line for line in lines if line], postcode=c.get("postcode"),
                     uprn=c.get("uprn")),
    ) or {}  # fmt: skip


def time_cleanser(records: list[BenchRecord], gazetteer: Gazetteer | None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) to cleanse every record once, starting with empty memo caches
    (the rules memoise names, dates, postcodes, addresses and look-ups; a pass over the data set
    fills them only with what the data set itself repeats). CPU time is this process's time on
    its one core, so other work on the machine does not count against the cleanser."""
    clear_caches()
    if gazetteer is not None:
        gazetteer.forget_recent()
    cpu, wall = time.process_time(), time.perf_counter()
    for item in records:
        cleanse_record(
            item.record, partner_id=item.partner_id, feed_id=item.feed_id, today=TODAY,
            gazetteer=gazetteer,
        )  # fmt: skip
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_source_arguments(parser)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        dataset = load_dataset(args, Path(workdir))
        print(f"data set: {len(dataset.records):,} records ({dataset.skipped} skipped as invalid) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        gazetteer = load_gazetteer(dataset.gazetteer_csv)
        print(f"gazetteer: {len(gazetteer):,} addresses loaded in "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    # The data set and the gazetteer live for the whole run (in the service, only the gazetteer
    # does; records come in batches): keep them out of the garbage collector's way, and collect
    # as the cleanser's own process does (`lateral_cleanser.collector`).
    default_threshold = gc.get_threshold()
    tune_collector(COLLECT_EVERY)
    count, rates = len(dataset.records), []
    for run in range(1, args.runs + 1):
        cpu, wall = time_cleanser(dataset.records, gazetteer)
        rates.append(count / cpu)
        print(f"run {run}: {count / cpu:,.0f} records per CPU second with UPRN look-up "
              f"({count / wall:,.0f} records/s wall clock)")  # fmt: skip
    cpu, _ = time_cleanser(dataset.records, None)
    print(f"cleanser without a gazetteer: {count / cpu:,.0f} records per CPU second")
    gc.set_threshold(*default_threshold)
    cpu, _ = time_cleanser(dataset.records, gazetteer)
    print(f"with Python's default collector threshold, {default_threshold[0]} (embedded mode: "
          f"one process for every service): {count / cpu:,.0f} records per CPU second")  # fmt: skip
    median = statistics.median(rates)
    print(f"median: {median:,.0f} records/s on one core, collector threshold {COLLECT_EVERY:,} "
          f"(target >= {TARGET:,}): {'met' if median >= TARGET else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
