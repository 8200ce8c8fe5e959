"""Signed-in web sessions, held server-side. Functions take the caller's session; the caller
commits. A session is known by its ID's SHA-256 only: the ID itself is in the browser's cookie."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import web_sessions

c = web_sessions.c


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def start(session: AsyncSession, session_id: str, *, subject: str, now: datetime) -> None:
    await session.execute(
        insert(web_sessions).values(id_hash=_hash(session_id), subject=subject, started_at=now)
    )


async def is_active(session: AsyncSession, session_id: str) -> bool:
    """Started and not ended (the cookie's signed times say whether it has timed out)."""
    ended = await session.execute(select(c.ended_at).where(c.id_hash == _hash(session_id)))
    row = ended.first()
    return row is not None and row.ended_at is None


async def end(session: AsyncSession, session_id: str, *, now: datetime) -> None:
    await session.execute(
        update(web_sessions)
        .where(c.id_hash == _hash(session_id), c.ended_at.is_(None))
        .values(ended_at=now)
    )


async def end_all_of(session: AsyncSession, subject: str, *, now: datetime) -> int:
    """End every session of `subject`; how many were still going."""
    result = await session.execute(
        update(web_sessions).where(c.subject == subject, c.ended_at.is_(None)).values(ended_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def forget_started_before(session: AsyncSession, when: datetime) -> None:
    """Drop sessions past their maximum age, ended or not: no cookie can use them any more."""
    await session.execute(delete(web_sessions).where(c.started_at < when))
