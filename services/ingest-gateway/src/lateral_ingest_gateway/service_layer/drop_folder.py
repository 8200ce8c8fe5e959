"""The drop folders: CSV files partners leave (e.g. by SFTP) in `ROOT/<feed_id>/incoming/`.

A file is processed once it is stable — the same size and modification time at two looks in a
row, so a file still being written is left alone — exactly as an upload would be. Then it moves
beside `incoming/`: to `processed/` when its batch completed (rejected rows are in quarantine),
or to `failed/` when the file was rejected as a whole, with an `.error.txt` saying why. Its new
name carries the batch ID. A file moves only after its batch is recorded, so a crash never loses
one: it is processed again at the next start (its records then count as unchanged). When the
event bus is down the file stays in `incoming/` and is tried again at a later look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.domain.model import Batch, BatchStatus, WayIn

from .csv_files import file_pieces, ingest_csv
from .ingest import IngestDeps, PublishFailed

log = logging.getLogger(__name__)
INCOMING, PROCESSED, FAILED = "incoming", "processed", "failed"
Signature = tuple[int, int]  # size, modification time (ns)


class DropFolders:
    """Watches every feed's drop folder under `root`."""

    def __init__(self, root: Path, deps: IngestDeps, *, poll_s: float) -> None:
        self._root = root
        self._deps = deps
        self._poll_s = poll_s
        self._seen: dict[Path, Signature] = {}
        self._unknown: set[str] = set()  # folders without a feed, reported once

    async def run(self, stopping: asyncio.Event) -> None:
        """Look at the folders every `poll_s` seconds until `stopping` is set (a background job)."""
        while not stopping.is_set():
            try:
                await self.look()
            except Exception:
                log.exception("looking at the drop folders failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self._poll_s)

    async def look(self) -> list[Batch]:
        """One look: process the files that have been stable since the last look."""
        batches = []
        present: set[Path] = set()
        for path in self._candidates():
            present.add(path)
            try:
                signature = _signature(path)
            except FileNotFoundError:
                continue
            if self._seen.get(path) != signature:
                self._seen[path] = signature
                continue
            batch = await self._process(path)
            if batch is not None:
                batches.append(batch)
        self._seen = {path: sig for path, sig in self._seen.items() if path in present}
        return batches

    def _candidates(self) -> list[Path]:
        if not self._root.is_dir():
            return []
        return sorted(
            path
            for feed_dir in self._root.iterdir()
            if (feed_dir / INCOMING).is_dir()
            for path in (feed_dir / INCOMING).iterdir()
            if path.suffix.lower() == ".csv" and not path.name.startswith(".") and path.is_file()
        )

    async def _process(self, path: Path) -> Batch | None:
        feed_id = path.parent.parent.name
        async with self._deps.sessions() as session:
            feed = await repository.get_feed(session, feed_id=feed_id)
        if feed is None:
            if feed_id not in self._unknown:
                self._unknown.add(feed_id)
                log.warning("a drop folder has no feed of its name", extra={"folder": feed_id})
            return None
        try:
            batch = await ingest_csv(
                self._deps, feed=feed, way_in=WayIn.DROP_FOLDER, arriving=file_pieces(path),
                again=lambda: file_pieces(path),
            )  # fmt: skip
        except PublishFailed:
            return None  # stays in incoming/; tried again at a later look
        except FileNotFoundError:
            return None  # taken away while it was read
        _move(path, batch)
        self._seen.pop(path, None)
        return batch


def _signature(path: Path) -> Signature:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _move(path: Path, batch: Batch) -> None:
    """Move the file beside `incoming/`, named with its batch ID (and why, if it failed)."""
    done = batch.status is BatchStatus.COMPLETED
    folder = path.parent.parent / (PROCESSED if done else FAILED)
    folder.mkdir(exist_ok=True)
    stem = folder / f"{path.stem}.{batch.batch_id}"
    if not done:
        stem.with_name(f"{stem.name}.error.txt").write_text(f"{batch.file_error}\n")
    path.replace(stem.with_name(f"{stem.name}{path.suffix}"))
