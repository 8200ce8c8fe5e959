"""Reading and writing staff accounts. Functions take the caller's session; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import users


@dataclass(frozen=True)
class UserAccount:
    username: str
    password_hash: str
    roles: list[str]
    disabled: bool = False


def _account(row: Row[Any]) -> UserAccount:
    return UserAccount(
        username=row.username,
        password_hash=row.password_hash,
        roles=list(row.roles),
        disabled=bool(row.disabled),
    )


async def get_by_username(session: AsyncSession, username: str) -> UserAccount | None:
    row = (await session.execute(select(users).where(users.c.username == username))).first()
    return None if row is None else _account(row)


async def create(session: AsyncSession, account: UserAccount) -> None:
    now = datetime.now(UTC)
    await session.execute(insert(users).values(
        username=account.username, password_hash=account.password_hash, roles=account.roles,
        disabled=account.disabled, created_at=now, updated_at=now,
    ))  # fmt: skip


async def update_account(session: AsyncSession, account: UserAccount) -> None:
    await session.execute(
        update(users).where(users.c.username == account.username).values(
            password_hash=account.password_hash, roles=account.roles,
            disabled=account.disabled, updated_at=datetime.now(UTC),
        )
    )  # fmt: skip


async def list_all(session: AsyncSession) -> list[UserAccount]:
    result = await session.execute(select(users).order_by(users.c.username))
    return [_account(row) for row in result]
