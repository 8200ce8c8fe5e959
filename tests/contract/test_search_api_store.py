"""The search-api's accounts store on SQLite and PostgreSQL: create, ensure (idempotent), sign in,
disable (ending the account's web sessions), and the `users` commands."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_search_api.adapters import tables, web_sessions
from lateral_search_api.adapters.database import open_database
from lateral_search_api.adapters.tables import users
from lateral_search_api.service_layer.users import (
    AccountError,
    authenticate,
    create_user,
    ensure_user,
    list_users,
    set_disabled,
)
from lateral_shared.db import session_factory

PASSWORD = "a long enough password"  # noqa: S105 (a test-only account)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    db = await open_database(database_url)
    yield db
    await db.dispose()


async def test_ensure_user_is_idempotent(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    for _ in range(2):
        async with sessions() as session:
            await ensure_user(
                session, username="demo.practitioner", password=PASSWORD, roles=["practitioner"]
            )
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(users)) == 1
        [account] = await list_users(session)
    assert (account.username, account.roles, account.disabled) == (
        "demo.practitioner",
        ["practitioner"],
        False,
    )
    assert PASSWORD not in account.password_hash


async def test_ensure_user_updates_roles_and_password(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session:
        await ensure_user(session, username="sam", password=PASSWORD, roles=["practitioner"])
        await ensure_user(
            session, username="sam", password=PASSWORD + "!", roles=["duty_manager", "practitioner"]
        )
    async with sessions() as session:
        assert await authenticate(session, username="sam", password=PASSWORD) is None
        principal = await authenticate(session, username="SAM", password=PASSWORD + "!")
    assert principal is not None
    assert principal.roles == {"duty_manager", "practitioner"}


async def test_sign_in_needs_the_right_password(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        await create_user(session, username="ig.officer", password=PASSWORD, roles=["ig_officer"])
        with pytest.raises(AccountError, match="already taken"):
            await create_user(session, username="IG.Officer", password=PASSWORD, roles=["admin"])
        assert await authenticate(session, username="ig.officer", password=PASSWORD + "x") is None
        assert await authenticate(session, username="nobody", password=PASSWORD) is None
        principal = await authenticate(session, username="ig.officer", password=PASSWORD)
    assert principal is not None
    assert (principal.subject, principal.roles) == ("ig.officer", {"ig_officer"})


async def test_disabling_an_account_ends_its_web_sessions_and_its_sign_in(
    engine: AsyncEngine,
) -> None:
    sessions, now = session_factory(engine), datetime.now(UTC)
    async with sessions() as session:
        await create_user(session, username="sam", password=PASSWORD, roles=["practitioner"])
        for sid in ("laptop", "desktop", "other"):
            await web_sessions.start(session, sid, subject="kim" if sid == "other" else "sam",
                                     now=now)  # fmt: skip
        await session.commit()
        assert await set_disabled(session, username="SAM", disabled=True) == 2
        assert not await web_sessions.is_active(session, "laptop")
        assert not await web_sessions.is_active(session, "desktop")
        assert await web_sessions.is_active(session, "other")  # someone else's goes on
        assert await authenticate(session, username="sam", password=PASSWORD) is None
        assert await set_disabled(session, username="sam", disabled=False) == 0
        assert await authenticate(session, username="sam", password=PASSWORD) is not None
        with pytest.raises(AccountError, match="no account"):
            await set_disabled(session, username="nobody", disabled=True)


async def test_web_sessions_end_one_by_one_and_are_forgotten_past_their_maximum_age(
    engine: AsyncEngine,
) -> None:
    now = datetime.now(UTC)
    async with session_factory(engine)() as session:
        await web_sessions.start(session, "old", subject="sam", now=now - timedelta(hours=11))
        await web_sessions.start(session, "new", subject="sam", now=now)
        await web_sessions.end(session, "new", now=now)
        await web_sessions.forget_started_before(session, now - timedelta(hours=10))
        await session.commit()
        remaining = (await session.execute(select(tables.web_sessions.c.subject))).all()
        assert len(remaining) == 1
        assert not await web_sessions.is_active(session, "new")
        assert not await web_sessions.is_active(session, "unknown")
        stored = (await session.execute(select(tables.web_sessions.c.id_hash))).scalars().all()
        assert "new" not in stored  # only the ID's hash is kept


def _command(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lateral_search_api.entrypoints.main", *args],
        env={**os.environ, "LATERAL_DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


async def test_users_commands_add_and_list_without_a_password_argument(tmp_path: Path) -> None:
    # The commands are thin over the service functions tested above on both stores; SQLite only.
    database_url = f"sqlite+aiosqlite:///{tmp_path}/commands.db"
    added = await asyncio.to_thread(
        _command,
        database_url,
        "users",
        "add",
        "alex",
        "--role",
        "practitioner",
        "--role",
        "duty_manager",
        "--password-env",
        "DEMO_PASSWORD",
        DEMO_PASSWORD=PASSWORD,
    )
    assert added.returncode == 0, added.stderr
    listed = await asyncio.to_thread(_command, database_url, "users", "list")
    assert listed.stdout.split() == ["alex", "duty_manager,practitioner"]
    missing = await asyncio.to_thread(
        _command,
        database_url,
        "users",
        "add",
        "kim",
        "--role",
        "admin",
        "--password-env",
        "UNSET_VARIABLE_FOR_TEST",
    )
    assert missing.returncode == 2
    assert "UNSET_VARIABLE_FOR_TEST" in missing.stderr
    disabled = await asyncio.to_thread(_command, database_url, "users", "disable", "alex")
    assert (disabled.returncode, disabled.stdout.strip()) == (
        0,
        "disabled alex; 0 web session(s) ended",
    )
    assert (await asyncio.to_thread(_command, database_url, "users", "list")).stdout.split() == [
        "alex",
        "duty_manager,practitioner",
        "(disabled)",
    ]
    enabled = await asyncio.to_thread(_command, database_url, "users", "enable", "alex")
    assert (enabled.returncode, enabled.stdout.strip()) == (0, "enabled alex")
    unknown = await asyncio.to_thread(_command, database_url, "users", "disable", "nobody")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        2,
        "error: there is no account with that username",
    )
