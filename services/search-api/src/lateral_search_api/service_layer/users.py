"""Local staff accounts: create, ensure (idempotent, for the demo launcher), list, disable and
enable, sign in."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lateral_search_api.adapters import repository, web_sessions
from lateral_search_api.adapters.repository import UserAccount
from lateral_search_api.domain.passwords import (
    DECOY_HASH,
    hash_password,
    password_problem,
    verify_password,
)
from lateral_shared.auth import Principal, Role

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,149}$")


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is safe to show."""


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError("a username is 1-150 characters: letters, digits and . _ @ -")
    return name


def check_roles(roles: Sequence[str]) -> list[str]:
    """The roles, checked against the known ones, without duplicates."""
    known = {r.value for r in Role}
    unknown = [r for r in roles if r not in known]
    if unknown or not roles:
        raise AccountError(f"give one or more roles from: {', '.join(sorted(known))}")
    return sorted(set(roles))


def _check_password(password: str) -> None:
    if problem := password_problem(password):
        raise AccountError(problem)


async def create_user(
    session: AsyncSession, *, username: str, password: str, roles: Sequence[str]
) -> UserAccount:
    """Add an account; refuses a username that exists. Committed on return."""
    name, checked = normalise_username(username), check_roles(roles)
    _check_password(password)
    if await repository.get_by_username(session, name) is not None:
        raise AccountError("that username is already taken")
    account = UserAccount(name, await asyncio.to_thread(hash_password, password), checked)
    await repository.create(session, account)
    await session.commit()
    return account


async def ensure_user(
    session: AsyncSession, *, username: str, password: str, roles: Sequence[str]
) -> UserAccount:
    """Make the account exist with this password and these roles, enabled; a repeat call with
    the same values changes nothing. Committed on return."""
    name, checked = normalise_username(username), check_roles(roles)
    _check_password(password)
    existing = await repository.get_by_username(session, name)
    if existing is None:
        return await create_user(session, username=name, password=password, roles=checked)
    same_password = await asyncio.to_thread(verify_password, password, existing.password_hash)
    if same_password and existing.roles == checked and not existing.disabled:
        return existing
    password_hash = (
        existing.password_hash
        if same_password
        else await asyncio.to_thread(hash_password, password)
    )
    account = UserAccount(name, password_hash, checked, disabled=False)
    await repository.update_account(session, account)
    await session.commit()
    return account


async def set_disabled(session: AsyncSession, *, username: str, disabled: bool) -> int:
    """Disable an account (it can no longer sign in, and its web sessions end now) or enable it
    again; the number of web sessions ended. Committed on return."""
    name = normalise_username(username)
    account = await repository.get_by_username(session, name)
    if account is None:
        raise AccountError("there is no account with that username")
    await repository.update_account(session, replace(account, disabled=disabled))
    ended = await web_sessions.end_all_of(session, name, now=datetime.now(UTC)) if disabled else 0
    await session.commit()
    return ended


async def list_users(session: AsyncSession) -> list[UserAccount]:
    return await repository.list_all(session)


async def authenticate(session: AsyncSession, *, username: str, password: str) -> Principal | None:
    """The principal for a right username and password of an enabled account, else None.

    An unknown username costs the same hashing time as a known one, so timing does not
    reveal which usernames exist."""
    try:
        name = normalise_username(username)
    except AccountError:
        name = ""
    account = await repository.get_by_username(session, name) if name else None
    stored = account.password_hash if account else DECOY_HASH
    matches = await asyncio.to_thread(verify_password, password, stored)
    if account is None or account.disabled or not matches:
        return None
    return Principal(subject=account.username, roles=frozenset(account.roles))
