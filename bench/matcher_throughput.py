"""Records per second through the matcher's `records.clean` handler, embedded mode (SQLite).

The synthetic data set (default `test`; `--size region` for the issue's target) is generated and
cleansed once with the cleanser's pure domain (not timed), then each run feeds it to a fresh
matcher on a new SQLite file in batches of `--batch` events, as the consumer loop would: resolve,
write, read the snapshots, commit, publish (to an in-memory bus, so the bus is not what is timed).

    .venv/bin/python bench/matcher_throughput.py --size test --runs 3

Target: >= 5,000 records/s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from cleanser_throughput import TODAY, add_source_arguments, load_dataset

from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer
from lateral_cleanser.domain import cleanse_record
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RecordCleaned
from lateral_shared.db import create_engine
from lateral_shared.testing.fakes import InMemoryBus

TARGET = 5_000


def cleansed_events(args: argparse.Namespace, workdir: Path) -> list[RecordCleaned]:
    dataset = load_dataset(args, workdir)
    gazetteer = load_gazetteer(dataset.gazetteer_csv)
    batch = uuid.uuid4()
    events = []
    for item in dataset.records:
        record = cleanse_record(item.record, partner_id=item.partner_id, feed_id=item.feed_id,
                                today=TODAY, gazetteer=gazetteer)  # fmt: skip
        events.append(RecordCleaned(batch_id=batch, record_key=record.record_key, record=record))
    return events


async def one_run(
    events: list[RecordCleaned], workdir: Path, run: int, batch: int
) -> tuple[float, float]:
    """(wall, CPU) seconds to match every event once into an empty SQLite store; prints what it
    made. CPU time is this process's (SQLite's thread included): on a shared machine it says
    what the matcher would do on a core of its own."""
    engine = create_engine(f"sqlite+aiosqlite:///{workdir / f'matcher-{run}.db'}")
    await migrate_database(engine)
    bus = InMemoryBus()
    linker = RecordLinker(engine, EventPublisher(bus, service="matcher"))
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(events), batch):
        await linker(events[start : start + batch])
        bus.topics.clear()  # keep memory flat; the published events are not what is measured
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    async with engine.connect() as conn:
        repo = MatcherRepository(conn)
        counts = {t: await repo.count(t) for t in ("persons", "review_items", "identity_changes")}
    await engine.dispose()
    print(f"run {run}: {len(events) / elapsed:,.0f} records/s wall ({elapsed:.1f} s), "
          f"{len(events) / cpu:,.0f} records per CPU second; "
          f"{counts['persons']:,} persons, {counts['review_items']:,} review items, "
          f"{counts['identity_changes']:,} merges")  # fmt: skip
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_source_arguments(parser)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500, help="events per handler call")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        events = cleansed_events(args, workdir)
        print(f"data set: {len(events):,} cleansed records in "
              f"{time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip
        gc.collect()
        gc.freeze()
        runs = [asyncio.run(one_run(events, workdir, run, args.batch))
                for run in range(1, args.runs + 1)]  # fmt: skip
    wall = statistics.median(len(events) / w for w, _ in runs)
    cpu = statistics.median(len(events) / c for _, c in runs)
    verdict = "met" if wall >= TARGET else "NOT met"
    print(f"median: {wall:,.0f} records/s wall, {cpu:,.0f} records per CPU second "
          f"(target >= {TARGET:,} records/s: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
