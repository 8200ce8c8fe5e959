"""The decisions a split keeps replace earlier decisions about the same pairs, on SQLite and on
PostgreSQL, however many there are (one statement per few thousand pairs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_matcher.adapters import reviews
from lateral_matcher.adapters.chunks import CHUNK
from lateral_matcher.adapters.tables import steward_decisions
from lateral_matcher.bootstrap import migrate_database
from lateral_shared.db import create_engine

NOW = datetime(2025, 5, 1, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate_database(engine)
    yield engine
    await engine.dispose()


async def _kept(engine: AsyncEngine) -> dict[tuple[str, str], tuple[str, str]]:
    d = steward_decisions.c
    async with engine.connect() as conn:
        rows = await conn.execute(select(d.record_key, d.person_id, d.decision, d.review_id))
        return {(key, person): (decision, rid) for key, person, decision, rid in rows}


async def test_kept_decisions_replace_earlier_ones_about_the_same_pairs(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        await reviews.keep_decisions(
            conn, [("r/1", "p-a", "same"), ("r/2", "p-a", "not_same"), ("r/1", "p-b", "same")],
            review_id="first", now=NOW,
        )  # fmt: skip
    async with engine.begin() as conn:
        await reviews.keep_decisions(
            conn, [("r/1", "p-a", "not_same"), ("r/3", "p-a", "same"), ("r/3", "p-a", "not_same")],
            review_id="second", now=NOW,
        )  # fmt: skip
    assert await _kept(engine) == {
        ("r/1", "p-a"): ("not_same", "second"),  # replaced
        ("r/2", "p-a"): ("not_same", "first"),  # untouched
        ("r/1", "p-b"): ("same", "first"),  # the same record about another person: untouched
        ("r/3", "p-a"): ("not_same", "second"),  # named twice in one call: the last wins
    }


async def test_thousands_of_kept_decisions_replace_earlier_ones(engine: AsyncEngine) -> None:
    """More pairs than one statement's bound parameters allow (a split of a busy person)."""
    many = CHUNK + 7
    async with engine.begin() as conn:
        await reviews.keep_decisions(conn, [(f"r/{n}", "p-a", "same") for n in range(many)],
                                     review_id="first", now=NOW)  # fmt: skip
    async with engine.begin() as conn:
        await reviews.keep_decisions(conn, [(f"r/{n}", "p-a", "not_same") for n in range(many)],
                                     review_id="second", now=NOW)  # fmt: skip
    kept = await _kept(engine)
    assert len(kept) == many
    assert set(kept.values()) == {("not_same", "second")}
