"""The matcher as a process of its own on embedded engines: its peak memory and its records/s.

`matcher_throughput.py` times the `records.clean` handler inside the bench process, whose memory
also holds the partner records it cleanses. This one measures what an operator would see: the
`lateral-matcher` command, started with an embedded log and a SQLite store, reading every
`records.clean` event from the log and writing `records.linked` back to it.

1. The data set (default `region`, as `matcher_throughput.py` generates and caches it) is
   cleansed here and published to `records.clean` on a fresh embedded log, keyed by record as
   the cleanser publishes it. Not timed.
2. `lateral-matcher serve` starts on that log (its own SQLite file, an HTTP port on 127.0.0.1),
   and the bench watches the matcher group's committed offsets and the process's memory
   (`VmHWM`, the kernel's peak resident set) until every event is committed; then it stops the
   process, and reads the store's counts.

    .venv/bin/python bench/matcher_process.py                  # region: ~600,000 records
    .venv/bin/python bench/matcher_process.py --size test

Records/s counts the events committed after the matcher's first commit, over the time to its
last (start-up, migrations and the first batch excluded); CPU seconds are the whole process's.
Target: matcher peak memory <= 4 GB at region scale.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cleanser_throughput import load_dataset
from matcher_throughput import STREAM_ABOVE, Events

from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer
from lateral_matcher.config import SQLITE_BATCH_SIZE
from lateral_shared.bus import EventPublisher
from lateral_shared.bus.embedded import EmbeddedLog
from lateral_shared.contracts import RECORDS_CLEAN
from lateral_shared.testing.engines import free_port

GROUP = "matcher"  # the matcher's consumer group for records.clean
PARTITIONS = 6  # the services' default (`topic_partitions`)
LIMIT_MB = 4 * 1024


async def publish(events: Events, bus_path: Path) -> int:
    """Every event onto `records.clean`, in the data set's order; how many."""
    log = EmbeddedLog(bus_path)
    await log.start()
    try:
        await log.ensure_topics([RECORDS_CLEAN], partitions=PARTITIONS)
        publisher = EventPublisher(log, service="bench")
        for batch in events.batches(SQLITE_BATCH_SIZE):
            await publisher.publish(RECORDS_CLEAN, [(e.record_key, e) for e in batch])
    finally:
        await log.close()
    return len(events)


def committed(bus_path: Path) -> int:
    """Events the matcher group has committed on `records.clean` (positions count from 0)."""
    with contextlib.closing(sqlite3.connect(f"file:{bus_path}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT coalesce(sum(next_position), 0) FROM committed_offsets "
            "WHERE group_id = ? AND topic = ?",
            (GROUP, RECORDS_CLEAN),
        ).fetchone()
    return int(row[0])


def status_mb(pid: int, field: str) -> float:
    """A `/proc/PID/status` memory field (kB) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def store_counts(db_path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # fixed table names
            for table in ("persons", "review_items", "identity_changes")
        }


def watch(proc: subprocess.Popen[bytes], bus_path: Path, total: int, timeout_s: float) -> dict:
    """Poll until every event is committed: the first commit seen (time, events) and the last,
    peak memory, CPU seconds."""
    first = last = None
    done = first_done = 0
    cpu = 0.0
    deadline = time.monotonic() + timeout_s
    while done < total:
        if proc.poll() is not None:
            raise RuntimeError(f"the matcher stopped (exit {proc.returncode}) at {done:,} events")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the matcher committed {done:,} of {total:,} events in time")
        time.sleep(0.2)
        with contextlib.suppress(sqlite3.OperationalError):  # the table may not exist yet
            now = committed(bus_path)
            if now and first is None:
                first, first_done = time.perf_counter(), now
            if now > done:
                done, last = now, time.perf_counter()
        cpu = cpu_seconds(proc.pid)
    assert first is not None and last is not None
    return {"first": first, "last": last, "timed": done - first_done,
            "peak_mb": status_mb(proc.pid, "VmHWM"), "cpu": cpu}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="region", help="synthetic size: demo, test, region")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait at most")
    args = parser.parse_args()
    source = argparse.Namespace(
        size=args.size, seed=args.seed, gazetteer=None, records=[], truth=None,
        agency_kind="police", no_cache=False,
    )  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="lateral-matcher-process-"))
    dataset = load_dataset(source, work)
    events = Events(
        dataset, load_gazetteer(dataset.gazetteer_csv), stream=len(dataset.records) > STREAM_ABOVE
    )
    bus_path, db_path = work / "bus.db", work / "matcher.db"
    started = time.perf_counter()
    total = asyncio.run(publish(events, bus_path))
    print(f"{total:,} records.clean events published in {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip
    del events, dataset
    env = {
        **os.environ,
        "LATERAL_BUS_URL": f"embedded://{bus_path}",
        "LATERAL_DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "LATERAL_HTTP_HOST": "127.0.0.1",
        "LATERAL_HTTP_PORT": str(free_port()),
        "LATERAL_LOG_LEVEL": "WARNING",
        "LATERAL_ENVIRONMENT": "development",
    }
    command = [str(Path(sys.executable).parent / "lateral-matcher"), "serve"]
    with (work / "matcher.log").open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        seen = watch(proc, bus_path, total, args.timeout)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    counts = store_counts(db_path)
    elapsed = seen["last"] - seen["first"]
    verdict = "within" if seen["peak_mb"] <= LIMIT_MB else "OVER"
    print(
        f"matcher process: {total:,} records; {seen['timed']:,} in {elapsed:.1f} s from its "
        f"first commit to its last: {seen['timed'] / elapsed:,.0f} records/s wall, "
        f"{total / seen['cpu']:,.0f} per CPU second "
        f"(start-up included in CPU); {counts['persons']:,} persons, "
        f"{counts['review_items']:,} review items, {counts['identity_changes']:,} merges; "
        f"peak RSS {seen['peak_mb']:,.0f} MB ({verdict} the {LIMIT_MB:,} MB target)",
        flush=True,
    )
    for path in work.iterdir():
        path.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
