"""The audit store on SQLite and PostgreSQL: chained appends, idempotency, tamper detection by
`lateral-audit verify`, and (PostgreSQL) the trigger that refuses UPDATE and DELETE."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lateral_audit.adapters.database import open_store
from lateral_audit.adapters.repository import AuditFilter, AuditLogStore
from lateral_audit.service_layer.handlers import verify_log
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.testing.engines import PostgresDatabase


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[AuditLogStore]:
    engine, audit_store = await open_store(database_url)
    yield audit_store
    await engine.dispose()


def _events(n: int) -> list[AuditEvent]:
    return [
        AuditEvent(service="search-api", actor=f"worker-{i}", actor_roles=["practitioner"],
                   action="search", reason=f"strategy meeting {i}",
                   criteria={"name": "Jo Bloggs"}, result_ids=[f"p-{i}"])
        for i in range(1, n + 1)
    ]  # fmt: skip


async def _tamper(store: AuditLogStore, seq: int) -> None:
    """Change an entry's reason the way someone with database-owner rights could."""
    async with store._engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            await conn.execute(text("DROP TRIGGER audit_log_no_update"))
        await conn.execute(
            text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = :seq"), {"seq": seq}
        )


def _verify_command(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LATERAL_DATABASE_URL": database_url, "LATERAL_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "lateral_audit.entrypoints.main", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_appended_events_form_an_intact_chain(
    store: AuditLogStore, database_url: str
) -> None:
    await store.append(_events(3))
    await store.append(_events(2))
    total, entries = await store.find(AuditFilter(), page=1, page_size=10)
    assert total == 5
    assert sorted(e.seq for e in entries) == [1, 2, 3, 4, 5]
    result = await verify_log(store=store)
    assert (result.entries, result.problem) == (5, None)
    command = await asyncio.to_thread(_verify_command, database_url)
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip() == "audit log intact: 5 entries"


async def test_an_event_already_logged_is_skipped(store: AuditLogStore) -> None:
    events = _events(3)
    assert await store.append(events) == 3
    assert await store.append([events[1], *_events(1)]) == 1
    total, _ = await store.find(AuditFilter(), page=1, page_size=10)
    assert total == 4
    assert (await verify_log(store=store)).problem is None


async def test_concurrent_appenders_keep_one_unbroken_chain(store: AuditLogStore) -> None:
    await asyncio.gather(*(store.append(_events(3)) for _ in range(6)))
    result = await verify_log(store=store)
    assert (result.entries, result.problem) == (18, None)


async def test_verify_names_the_entry_whose_reason_was_altered(
    store: AuditLogStore, database_url: str
) -> None:
    await store.append(_events(5))
    await _tamper(store, seq=3)
    result = await verify_log(store=store)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.problem) == (3, "hash mismatch")
    command = await asyncio.to_thread(_verify_command, database_url)
    assert command.returncode == 1
    assert "entry 3" in command.stdout
    assert "hash mismatch" in command.stdout


async def test_times_filter_the_log(store: AuditLogStore) -> None:
    earlier, later = _events(2)
    moment = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    events = [
        earlier.model_copy(update={"occurred_at": moment - timedelta(minutes=5)}),
        later.model_copy(update={"occurred_at": moment}),
    ]
    await store.append(events)
    total, entries = await store.find(AuditFilter(since=moment), page=1, page_size=10)
    assert (total, [e.actor for e in entries]) == (1, ["worker-2"])
    total, entries = await store.find(AuditFilter(until=moment), page=1, page_size=10)
    assert (total, [e.actor for e in entries]) == (1, ["worker-1"])


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"],
)
async def test_the_database_refuses_to_change_the_log(store: AuditLogStore, statement: str) -> None:
    await store.append(_events(2))
    with pytest.raises(DBAPIError, match="append-only"):
        async with store._engine.begin() as conn:
            await conn.execute(text(statement))
    result = await verify_log(store=store)
    assert (result.entries, result.problem) == (2, None)


@pytest.mark.postgres
async def test_postgres_refuses_to_truncate_the_log(postgres_db: PostgresDatabase) -> None:
    engine, store = await open_store(postgres_db.url)
    try:
        await store.append(_events(2))
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text("TRUNCATE audit_log"))
        assert (await verify_log(store=store)).entries == 2
    finally:
        await engine.dispose()
