"""Batches left part-way: a gateway that stopped (or crashed) in the middle of a batch leaves it
`processing`. Whatever replica notices first — at start-up, then every minute — marks it failed
once it has made no progress for a while, so its partner knows to send it again (rows taken
before the stop count as unchanged then; nothing is lost, since a row is recorded only once it is
on the bus)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store

log = logging.getLogger(__name__)
INTERRUPTED = (
    "The gateway stopped while it was processing this batch, so it was not finished. Send the "
    "whole batch again: rows already taken will count as unchanged."
)


class StalledBatches:
    """Marks failed the batches that stopped making progress `stall_s` seconds ago."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, stall_s: float, poll_s: float = 60
    ) -> None:
        self._sessions = sessions
        self._stall = timedelta(seconds=stall_s)
        self._poll_s = min(poll_s, stall_s)

    async def run(self, stopping: asyncio.Event) -> None:
        """Look now, then every `poll_s` seconds until `stopping` is set (a background job)."""
        while not stopping.is_set():
            try:
                await self.look()
            except Exception:
                log.exception("looking for stalled batches failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self._poll_s)

    async def look(self) -> int:
        """Mark the stalled batches failed; how many there were."""
        now = datetime.now(UTC)
        async with self._sessions() as session:
            count = await batch_store.fail_stalled(
                session, stalled_before=now - self._stall, reason=INTERRUPTED, now=now
            )
            await session.commit()
        if count:
            log.warning("batches left part-way marked failed", extra={"batches": count})
        return count
