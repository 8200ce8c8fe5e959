"""The audit log store: appends hash-chained entries, one chain, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lateral_audit.domain.chain import AuditEntry, seal
from lateral_shared.contracts.events import AuditEvent

from .tables import audit_chain_head, audit_log


@dataclass(frozen=True)
class AuditFilter:
    """What an information governance officer narrows the log by. Every given field must match."""

    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _utc(moment: datetime) -> datetime:
    # SQLite keeps only the wall-clock time, so everything is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _entry_from_row(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        seq=row.seq, event_id=row.event_id, occurred_at=_utc(row.occurred_at),
        recorded_at=_utc(row.recorded_at), service=row.service, actor=row.actor, action=row.action,
        reason=row.reason, payload=row.payload, prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )  # fmt: skip


class AuditLogStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def append(self, events: Sequence[AuditEvent]) -> int:
        """Append the events not already logged, in order, in one transaction. Returns how many
        were appended; an event_id already in the log is skipped (redelivery changes nothing)."""
        async with self._engine.begin() as conn:
            seq, last_hash = await self._lock_head(conn)
            seen = await self._logged_ids(conn, [str(e.event_id) for e in events])
            rows: list[dict[str, Any]] = []
            recorded_at = datetime.now(UTC)
            for event in events:
                if str(event.event_id) in seen:
                    continue
                seen.add(str(event.event_id))
                entry = seal(self._entry(event, seq + 1, recorded_at), prev_hash=last_hash)
                rows.append(entry.__dict__)
                seq, last_hash = entry.seq, entry.entry_hash
            if rows:
                await conn.execute(audit_log.insert(), rows)
                await conn.execute(
                    update(audit_chain_head)
                    .where(audit_chain_head.c.id == 1)
                    .values(seq=seq, entry_hash=last_hash)
                )
        return len(rows)

    async def _lock_head(self, conn: AsyncConnection) -> tuple[int, str]:
        """Take the chain head so no other appender can extend the chain until we commit."""
        if conn.dialect.name == "sqlite":
            # pysqlite opens the transaction at the first write, and SQLite has one writer at a
            # time: writing first makes this transaction the writer before it reads the head.
            await conn.execute(
                update(audit_chain_head)
                .where(audit_chain_head.c.id == 1)
                .values(seq=audit_chain_head.c.seq)
            )
        query = select(audit_chain_head.c.seq, audit_chain_head.c.entry_hash).where(
            audit_chain_head.c.id == 1
        )
        row = (await conn.execute(query.with_for_update())).one()
        return int(row.seq), str(row.entry_hash)

    async def _logged_ids(self, conn: AsyncConnection, event_ids: list[str]) -> set[str]:
        found = await conn.execute(
            select(audit_log.c.event_id).where(audit_log.c.event_id.in_(event_ids))
        )
        return set(found.scalars())

    @staticmethod
    def _entry(event: AuditEvent, seq: int, recorded_at: datetime) -> AuditEntry:
        return AuditEntry(
            seq=seq, event_id=str(event.event_id), occurred_at=_utc(event.occurred_at),
            recorded_at=recorded_at, service=event.service, actor=event.actor,
            action=event.action, reason=event.reason, payload=event.model_dump(mode="json"),
        )  # fmt: skip

    async def head(self) -> tuple[int, str]:
        """The chain head: the last entry's seq and hash (0 and the genesis hash when empty)."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(audit_chain_head).where(audit_chain_head.c.id == 1))
            ).one()
        return int(row.seq), str(row.entry_hash)

    async def entries(self, *, page_size: int = 1000) -> AsyncIterator[list[AuditEntry]]:
        """Every entry in `seq` order, a page at a time (for verification)."""
        after = -1
        while True:
            async with self._engine.connect() as conn:
                result = await conn.execute(
                    select(audit_log).where(audit_log.c.seq > after)
                    .order_by(audit_log.c.seq).limit(page_size)
                )  # fmt: skip
                page = [_entry_from_row(row) for row in result]
            if not page:
                return
            yield page
            after = page[-1].seq

    async def find(
        self, filters: AuditFilter, *, page: int, page_size: int
    ) -> tuple[int, list[AuditEntry]]:
        """One page of the entries matching `filters`, newest first, and how many match."""
        conditions = []
        if filters.actor:
            conditions.append(audit_log.c.actor == filters.actor)
        if filters.action:
            conditions.append(audit_log.c.action == filters.action)
        if filters.since:
            conditions.append(audit_log.c.occurred_at >= _utc(filters.since))
        if filters.until:
            conditions.append(audit_log.c.occurred_at < _utc(filters.until))
        async with self._engine.connect() as conn:
            total = await conn.scalar(
                select(func.count()).select_from(audit_log).where(*conditions)
            )
            result = await conn.execute(
                select(audit_log).where(*conditions).order_by(audit_log.c.seq.desc())
                .limit(page_size).offset((page - 1) * page_size)
            )  # fmt: skip
            return int(total or 0), [_entry_from_row(row) for row in result]
