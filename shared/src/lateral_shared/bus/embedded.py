"""The embedded event log: Kafka's semantics on one SQLite file, for the single-process mode.

- A topic has N partitions; a message's partition is `crc32(key) % N` (stable across runs), and
  offsets count up from 0 in each partition.
- Members of one consumer group share the partitions of the topics they subscribe to; the
  partitions are dealt out again whenever a member joins or stops. Membership is kept in this
  process: members in other processes sharing the file are not coordinated with (they would each
  read every partition: duplicates, never loss).
- Offsets are committed per group and partition; a member starts each partition it is given at
  the committed offset (at 0 when the group has none), so whatever a stopped member fetched but
  did not commit is delivered again to the next owner. Data and offsets survive a restart.
- All SQLite work runs on one worker thread with one connection, so the event loop never waits
  on the file. `publish()` returns after the transaction commits (WAL, synchronous=FULL).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import logging
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from lateral_shared.contracts.topics import dlq_topic

from .port import Consumer, EventBus, Message, OutgoingMessage

T = TypeVar("T")
TopicPartition = tuple[str, int]
Row = tuple[str, int, int, str, bytes, str]  # topic, partition, offset, key, value, headers JSON

# How often the log looks for writes by another process sharing the file. Messages published
# in this process wake waiting consumers at once.
POLL_INTERVAL_S = 0.05

log = logging.getLogger(__name__)


class UnknownTopicError(LookupError):
    """Publishing to a topic nobody created: call `ensure_topics` at start-up."""


class EmbeddedLog(EventBus):
    """A durable, partitioned log with consumer groups on a SQLite file at `path`."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._executor: ThreadPoolExecutor | None = None
        self._file: LogFile | None = None
        self._partitions: dict[str, int] = {}
        self._groups = _Groups()
        self._changed = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._executor is not None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-log")
        self._changed = asyncio.Event()
        self._file = await self._run(LogFile, self._path)
        self._partitions = await self._run(self._log_file().partitions)

    async def close(self) -> None:
        if self._executor is None:
            return
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if self._file is not None:
            await self._run(self._file.close)
        self._executor.shutdown(wait=True)
        self._executor, self._file = None, None

    async def ensure_topics(self, topics: Sequence[str], *, partitions: int) -> None:
        names = [name for topic in topics for name in (topic, dlq_topic(topic))]
        await self._run(self._log_file().create_topics, names, partitions)
        self._partitions = await self._run(self._log_file().partitions)
        self._wake()  # consumers already waiting for these topics get their partitions

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        if not messages:
            return
        count = await self.partition_count(topic)
        if not count:
            raise UnknownTopicError(f"topic {topic} does not exist; create it with ensure_topics")
        headers: dict[int, str] = {}  # by the mapping's id: a batch's messages often share one
        rows = [
            (zlib.crc32(m.key.encode()) % count, m.key, m.value, _headers(m.headers, headers))
            for m in messages
        ]
        await self._run(self._log_file().append, topic, rows)
        self._wake()

    def consumer(self, group_id: str, topics: Sequence[str]) -> Consumer:
        return _EmbeddedConsumer(self, group_id, tuple(topics))

    def _watch(self) -> None:
        """Look for other processes' writes from the first consumer's start: a process that only
        publishes (the search-api's audit) has nothing to wake, and its log thread stays free."""
        if self._watcher is None and self._executor is not None:
            self._watcher = asyncio.create_task(self._watch_other_writers())

    async def ping(self) -> None:
        await self._run(self._log_file().check)

    async def partition_count(self, topic: str) -> int:
        """The topic's partitions (0 if it does not exist); asks the file about unknown topics,
        which another process may have created."""
        if topic not in self._partitions:
            self._partitions = await self._run(self._log_file().partitions)
        return self._partitions.get(topic, 0)

    def _wake(self) -> None:
        """Wake every fetch waiting in this process (each waits on the event it saw before it
        read, so a change during its read is not missed)."""
        woken, self._changed = self._changed, asyncio.Event()
        woken.set()

    async def _watch_other_writers(self) -> None:
        """Wake fetches when another process commits to the file (SQLite's data_version moves)."""
        seen = None
        while True:
            try:
                version = await self._run(self._log_file().data_version)
            except (sqlite3.Error, RuntimeError):
                log.warning("cannot read the embedded log's file", exc_info=True)
            else:
                if seen is not None and version != seen:
                    self._wake()
                seen = version
            await asyncio.sleep(POLL_INTERVAL_S)

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        if self._executor is None:
            raise RuntimeError("the embedded log is not started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def _log_file(self) -> LogFile:
        if self._file is None:
            raise RuntimeError("the embedded log is not started")
        return self._file


def _headers(headers: Mapping[str, str], written: dict[int, str]) -> str:
    """The headers as JSON, written once for each mapping (the messages hold them meanwhile)."""
    found = written.get(id(headers))
    if found is None:
        found = written[id(headers)] = json.dumps(dict(headers))
    return found


class _Groups:
    """Consumer-group membership in this process: who reads which topics, in joining order."""

    def __init__(self) -> None:
        self._members: dict[str, dict[int, tuple[str, ...]]] = {}
        self._ids = itertools.count()

    def join(self, group_id: str, topics: tuple[str, ...]) -> int:
        member = next(self._ids)
        self._members.setdefault(group_id, {})[member] = topics
        return member

    def leave(self, group_id: str, member: int) -> None:
        self._members.get(group_id, {}).pop(member, None)

    def assignment(
        self, group_id: str, member: int, partitions: Mapping[str, int]
    ) -> set[TopicPartition]:
        """Deal each topic's partitions round-robin to the members subscribed to it."""
        members = self._members.get(group_id, {})
        owned: set[TopicPartition] = set()
        for topic in members.get(member, ()):
            readers = sorted(m for m, topics in members.items() if topic in topics)
            turn = readers.index(member)
            owned.update(
                (topic, p) for p in range(partitions.get(topic, 0)) if p % len(readers) == turn
            )
        return owned


class _EmbeddedConsumer(Consumer):
    def __init__(self, log: EmbeddedLog, group_id: str, topics: tuple[str, ...]) -> None:
        self._log, self._group, self._topics = log, group_id, topics
        self._member: int | None = None
        self._positions: dict[TopicPartition, int] = {}
        self._turn = 0

    async def start(self) -> None:
        self._log._watch()
        self._member = self._log._groups.join(self._group, self._topics)
        self._log._wake()  # the other members give up partitions on their next look
        await self._rebalance()

    async def fetch(self, *, max_messages: int = 500, timeout_s: float = 1.0) -> list[Message]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            changed = self._log._changed  # taken before reading so no change is missed
            await self._rebalance()
            messages = await self._read(max_messages)
            remaining = deadline - loop.time()
            if messages or remaining <= 0:
                return messages
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()

    async def commit(self, messages: Sequence[Message]) -> None:
        after: dict[TopicPartition, int] = {}
        for m in messages:
            tp = (m.topic, m.partition)
            after[tp] = max(after.get(tp, 0), m.offset + 1)
        # A partition dealt to another member since the fetch is that member's to commit: it
        # re-reads from the last commit, so nothing is lost, and its offsets are not overwritten.
        owned = self._assignment()
        offsets = {tp: offset for tp, offset in after.items() if tp in owned}
        if offsets:
            await self._log._run(self._log._log_file().commit, self._group, offsets)

    async def stop(self) -> None:
        if self._member is not None:
            self._log._groups.leave(self._group, self._member)
            self._log._wake()  # the other members take over its partitions
        self._member, self._positions = None, {}

    def _assignment(self) -> set[TopicPartition]:
        if self._member is None:
            return set()
        return self._log._groups.assignment(self._group, self._member, self._log._partitions)

    async def _rebalance(self) -> None:
        """Follow the group's current deal: new partitions start at the committed offset."""
        for topic in self._topics:
            await self._log.partition_count(topic)
        owned = self._assignment()
        if owned == self._positions.keys():
            return
        new = sorted(owned - self._positions.keys())
        committed = await self._log._run(self._log._log_file().committed, self._group, new)
        kept = {tp: pos for tp, pos in self._positions.items() if tp in owned}
        self._positions = kept | {tp: committed.get(tp, 0) for tp in new}

    async def _read(self, max_messages: int) -> list[Message]:
        if not self._positions:
            return []
        # Start at a different partition each time so one busy partition cannot starve the rest.
        order = sorted(self._positions.items())
        self._turn = (self._turn + 1) % len(order)
        order = order[self._turn :] + order[: self._turn]
        rows: list[Row] = await self._log._run(self._log._log_file().read, order, max_messages)
        messages = []
        for topic, partition, offset, key, value, headers in rows:
            if (topic, partition) in self._positions:  # unless dealt away during the read
                self._positions[(topic, partition)] = offset + 1
                messages.append(Message(topic, partition, offset, key, value, json.loads(headers)))
        return messages


_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    topic TEXT NOT NULL, partition_no INTEGER NOT NULL, position INTEGER NOT NULL,
    key TEXT NOT NULL, value BLOB NOT NULL, headers TEXT NOT NULL,
    PRIMARY KEY (topic, partition_no, position)
);
CREATE TABLE IF NOT EXISTS committed_offsets (
    group_id TEXT NOT NULL, topic TEXT NOT NULL, partition_no INTEGER NOT NULL,
    next_position INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic, partition_no)
);
"""


# Rows appended by one INSERT statement (each row binds 5 parameters; larger appends take one
# transaction and a statement per chunk).
APPEND_CHUNK = 500


def _append_statement(
    topic: str, rows: Sequence[tuple[int, str, bytes, str]]
) -> tuple[str, list[object]]:
    """One INSERT of `rows` at the end of their partitions: each row's position is its
    partition's end when the statement runs plus the rows of that partition before it here.
    (SQLite computes every row before inserting any, as the SELECT reads the table written.)"""
    ahead: dict[int, int] = {}
    params: list[object] = [topic]
    for partition, key, value, headers in rows:
        params += (partition, ahead.get(partition, 0), key, value, headers)
        ahead[partition] = ahead.get(partition, 0) + 1
    values = ",".join(["(?, ?, ?, ?, ?)"] * len(rows))
    sql = (
        "INSERT INTO messages (topic, partition_no, position, key, value, headers) "
        "SELECT ?1, r.column1, r.column2 + coalesce((SELECT max(m.position) + 1 FROM messages m "
        "WHERE m.topic = ?1 AND m.partition_no = r.column1), 0), r.column3, r.column4, r.column5 "
        f"FROM (VALUES {values}) AS r"
    )
    return sql, params


class LogFile:
    """The log's SQLite file. Blocking: every method runs on the log's one worker thread."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk (not just in the OS) before publish() or commit() returns.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the file."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def check(self) -> None:
        self._db.execute("SELECT count(*) FROM topics").fetchone()

    def partitions(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT name, partitions FROM topics").fetchall())

    def create_topics(self, names: Sequence[str], partitions: int) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO topics (name, partitions) VALUES (?, ?)",
                [(name, partitions) for name in names],
            )

    def append(self, topic: str, rows: Sequence[tuple[int, str, bytes, str]]) -> None:
        """Append (partition, key, value, headers) rows at the end of their partitions.

        Up to `APPEND_CHUNK` rows go in one INSERT statement that finds each partition's end
        itself: a write statement on its own is a transaction that takes the write lock before
        it reads (as BEGIN IMMEDIATE does), and one statement is one step of SQLite's engine,
        so the log's thread gives up and takes back the GIL once per append, not for every row
        and statement. Under the search-api's load each taking back waited on the HTTP and
        index threads: a handful of audit events took 6-8 ms to append, for 0.3 ms of CPU."""
        if len(rows) <= APPEND_CHUNK:
            self._db.execute(*_append_statement(topic, rows))
            return
        with self._transaction():  # larger batches: one transaction, a statement per chunk
            for start in range(0, len(rows), APPEND_CHUNK):
                self._db.execute(*_append_statement(topic, rows[start : start + APPEND_CHUNK]))

    def read(self, positions: Sequence[tuple[TopicPartition, int]], limit: int) -> list[Row]:
        """Up to `limit` rows from each partition's position onwards, partition by partition."""
        rows: list[Row] = []
        for (topic, partition), position in positions:
            if len(rows) >= limit:
                break
            rows += self._db.execute(
                "SELECT topic, partition_no, position, key, value, headers FROM messages "
                "WHERE topic = ? AND partition_no = ? AND position >= ? "
                "ORDER BY position LIMIT ?",
                (topic, partition, position, limit - len(rows)),
            ).fetchall()
        return rows

    def committed(
        self, group_id: str, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int]:
        found: dict[TopicPartition, int] = {}
        for topic, partition in partitions:
            row = self._db.execute(
                "SELECT next_position FROM committed_offsets "
                "WHERE group_id = ? AND topic = ? AND partition_no = ?",
                (group_id, topic, partition),
            ).fetchone()
            if row is not None:
                found[(topic, partition)] = row[0]
        return found

    def commit(self, group_id: str, offsets: Mapping[TopicPartition, int]) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO committed_offsets "
                "(group_id, topic, partition_no, next_position) VALUES (?, ?, ?, ?)",
                [(group_id, topic, p, offset) for (topic, p), offset in offsets.items()],
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so two processes cannot pick the same offsets.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
