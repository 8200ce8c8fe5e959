"""Records per second through the matcher's `records.clean` handler, embedded mode (SQLite).

The synthetic data set (default `test`; `--size region` for the issue's target) is generated once
(kept in the cleanser bench's cache), then each run feeds it to a fresh matcher on a new SQLite
file in batches of `--batch` events, as the consumer loop would: resolve, write, read the
snapshots, commit, publish (to an in-memory bus, so the bus is not what is timed). Records are
cleansed with the cleanser's pure domain, untimed: all at once for a small data set, batch by batch
for a large one (`--stream`, the default above 100,000 records), so memory holds the partner
records and one batch of cleansed ones, not every cleansed record.

    .venv/bin/python bench/matcher_throughput.py --size test --runs 3
    .venv/bin/python bench/matcher_throughput.py --size region --runs 1
    .venv/bin/python bench/matcher_throughput.py --size test --runs 1 --dump /tmp/outcomes.txt

`--dump FILE` writes what the last run left in the store (each record's person and address, the
review items, the merges), sorted, to compare two versions of the matcher line by line.

Peak RSS is the whole process's (data set included); the growth during the runs is the
matcher's. Target: >= 5,000 records/s; matcher peak memory <= 4 GB at region scale.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from cleanser_throughput import TODAY, Dataset, add_source_arguments, load_dataset
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer
from lateral_cleanser.domain import Gazetteer, cleanse_record
from lateral_cli.embedded import COLLECT_EVERY
from lateral_matcher.adapters.engine import matcher_engine
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.tables import identity_changes, records, review_items
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.config import SQLITE_BATCH_SIZE
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_shared.bus import EventPublisher
from lateral_shared.collector import tune_collector
from lateral_shared.contracts import RecordCleaned
from lateral_shared.testing.fakes import InMemoryBus

TARGET = 5_000
STREAM_ABOVE = 100_000
BATCH_ID = uuid.uuid4()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class Events:
    """The data set's `records.clean` events in batches; cleansed once and kept, or cleansed
    afresh for each batch (`stream`)."""

    def __init__(self, dataset: Dataset, gazetteer: Gazetteer, *, stream: bool) -> None:
        self._dataset, self._gazetteer, self._stream = dataset, gazetteer, stream
        self._kept = None if stream else list(self._cleanse(0, len(dataset.records)))

    def __len__(self) -> int:
        return len(self._dataset.records)

    def batches(self, size: int) -> Iterator[list[RecordCleaned]]:
        for start in range(0, len(self), size):
            if self._kept is not None:
                yield self._kept[start : start + size]
            else:
                yield list(self._cleanse(start, start + size))

    def _cleanse(self, start: int, end: int) -> Iterator[RecordCleaned]:
        for item in self._dataset.records[start:end]:
            record = cleanse_record(item.record, partner_id=item.partner_id, feed_id=item.feed_id,
                                    today=TODAY, gazetteer=self._gazetteer)  # fmt: skip
            yield RecordCleaned(batch_id=BATCH_ID, record_key=record.record_key, record=record)


async def dump_outcomes(conn: AsyncConnection, path: Path) -> None:
    """The store's outcomes, sorted: the same input must give the same lines."""
    r, v, m = records.c, review_items.c, identity_changes.c
    queries = {
        "record": select(r.record_key, r.person_id, r.address_key, r.withdrawn_at.is_(None)),
        "review": select(v.record_key, v.person_id, v.status),
        "merge": select(m.kind, m.person_id, m.other_person_id, m.cause_record_key),
    }
    lines = [
        "\t".join([name, *(str(value) for value in row)])
        for name, stmt in queries.items()
        for row in await conn.execute(stmt)
    ]
    await asyncio.to_thread(path.write_text, "\n".join(sorted(lines)) + "\n")


async def one_run(
    events: Events, workdir: Path, run: int, batch: int, dump: Path | None = None
) -> tuple[float, float]:
    """(wall, CPU) seconds to match every event once into an empty SQLite store; prints what it
    made. Only the handler calls are timed. CPU time is this process's (SQLite's thread
    included): on a shared machine it says what the matcher would do on a core of its own."""
    engine = matcher_engine(f"sqlite+aiosqlite:///{workdir / f'matcher-{run}.db'}")
    await migrate_database(engine)
    bus = InMemoryBus()
    linker = RecordLinker(engine, EventPublisher(bus, service="matcher"))
    elapsed = cpu = 0.0
    for chunk in events.batches(batch):
        started, cpu_started = time.perf_counter(), time.process_time()
        await linker(chunk)
        elapsed += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        bus.topics.clear()  # keep memory flat; the published events are not what is measured
    async with engine.connect() as conn:
        repo = MatcherRepository(conn)
        counts = {t: await repo.count(t) for t in ("persons", "review_items", "identity_changes")}
        if dump is not None:
            await dump_outcomes(conn, dump)
    await engine.dispose()
    print(f"run {run}: {len(events) / elapsed:,.0f} records/s wall ({elapsed:.1f} s), "
          f"{len(events) / cpu:,.0f} records per CPU second; "
          f"{counts['persons']:,} persons, {counts['review_items']:,} review items, "
          f"{counts['identity_changes']:,} merges; peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_source_arguments(parser)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--batch",
        type=int,
        default=SQLITE_BATCH_SIZE,
        help="events per handler call (default: the embedded consumer's)",
    )
    parser.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"cleanse batch by batch (default: above {STREAM_ABOVE:,} records)",
    )
    parser.add_argument("--dump", type=Path, help="write the last run's outcomes to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        dataset = load_dataset(args, workdir)
        gazetteer = load_gazetteer(dataset.gazetteer_csv)
        stream = args.stream if args.stream is not None else len(dataset.records) > STREAM_ABOVE
        events = Events(dataset, gazetteer, stream=stream)
        print(f"data set: {len(events):,} records in {time.perf_counter() - started:.1f} s "
              f"({'cleansed batch by batch' if stream else 'cleansed'}, not timed); "
              f"RSS {current_rss_mb():,.0f} MB")  # fmt: skip
        tune_collector(COLLECT_EVERY)  # as embedded mode's process does once started
        before = current_rss_mb()
        runs = [asyncio.run(one_run(events, workdir, run, args.batch, args.dump))
                for run in range(1, args.runs + 1)]  # fmt: skip
    wall = statistics.median(len(events) / w for w, _ in runs)
    cpu = statistics.median(len(events) / c for _, c in runs)
    verdict = "met" if wall >= TARGET else "NOT met"
    print(f"median: {wall:,.0f} records/s wall, {cpu:,.0f} records per CPU second "
          f"(target >= {TARGET:,} records/s: {verdict}); peak RSS {peak_rss_mb():,.0f} MB, "
          f"{peak_rss_mb() - before:,.0f} MB above the data set")  # fmt: skip


if __name__ == "__main__":
    main()
