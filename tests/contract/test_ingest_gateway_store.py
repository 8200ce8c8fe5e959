"""The ingest-gateway's repository and partner registry on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.domain.credentials import hash_token
from lateral_ingest_gateway.domain.model import Batch, BatchStatus
from lateral_ingest_gateway.service_layer import partners
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import session_factory

TOKEN = "contract-test-token-0123456789"  # noqa: S105 (a test token)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = await open_database(database_url)
    await (await open_database(database_url)).dispose()  # migrating twice changes nothing
    yield session_factory(engine)
    await engine.dispose()


async def test_partner_found_by_token_hash_only(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await repository.create_partner(
            session, partner_id="trust", name="City Trust", token_hash=hash_token(TOKEN)
        )
        await session.commit()
    async with sessions() as session:
        partner = await repository.get_partner_by_token(session, token=TOKEN)
        assert partner is not None
        assert (partner.partner_id, partner.name, partner.disabled) == (
            "trust",
            "City Trust",
            False,
        )
        assert partner.created_at.tzinfo is not None
        assert await repository.get_partner_by_token(session, token=TOKEN + "x") is None
        assert await repository.get_partner_by_token(session, token=hash_token(TOKEN)) is None


async def test_token_hashes_are_unique(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await repository.create_partner(session, partner_id="a", name="A", token_hash="h" * 64)
        await session.commit()
        with pytest.raises(IntegrityError):
            await repository.create_partner(session, partner_id="b", name="B", token_hash="h" * 64)
            await session.commit()


async def test_update_and_list_partners(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        for partner_id in ["police", "fire"]:
            await repository.create_partner(
                session, partner_id=partner_id, name=partner_id.title(), token_hash=partner_id
            )
        assert await repository.update_partner(session, partner_id="fire", disabled=True)
        assert not await repository.update_partner(session, partner_id="nobody", disabled=True)
        await session.commit()
    async with sessions() as session:
        listed = await repository.list_partners(session)
    assert [(p.partner_id, p.disabled) for p in listed] == [("fire", True), ("police", False)]


async def test_feeds_belong_to_existing_partners(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await repository.create_partner(
            session, partner_id="p1", name="P1", token_hash=hash_token("p1")
        )
        await repository.create_feed(
            session, feed_id="p1-csc", partner_id="p1", agency_kind=AgencyKind.CHILDRENS_SOCIAL_CARE
        )
        await session.commit()
        feed = await repository.get_feed(session, feed_id="p1-csc")
        assert feed is not None and feed.agency_kind is AgencyKind.CHILDRENS_SOCIAL_CARE
        assert [f.feed_id for f in await repository.list_feeds(session, partner_id="p1")] == [
            "p1-csc"
        ]
        assert await repository.list_feeds(session, partner_id="p2") == []
        with pytest.raises(IntegrityError):
            await repository.create_feed(
                session, feed_id="orphan", partner_id="nobody", agency_kind=AgencyKind.FIRE
            )
            await session.commit()


async def test_batches_round_trip_and_change_status(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    received = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    first = Batch(uuid.uuid4(), "p1-ed", "p1", received, 3, BatchStatus.PUBLISHING)
    second = Batch(uuid.uuid4(), "p1-ed", "p1", received + timedelta(hours=1), 5,
                   BatchStatus.ACCEPTED)  # fmt: skip
    async with sessions() as session:
        await repository.create_partner(
            session, partner_id="p1", name="P1", token_hash=hash_token("p1")
        )
        await repository.create_feed(
            session, feed_id="p1-ed", partner_id="p1", agency_kind=AgencyKind.HEALTH
        )
        await repository.create_batch(session, batch=first)
        await repository.create_batch(session, batch=second)
        await session.commit()
    async with sessions() as session:
        await repository.set_batch_status(
            session, batch_id=first.batch_id, status=BatchStatus.FAILED
        )
        await session.commit()
    async with sessions() as session:
        stored = await repository.get_batch(session, batch_id=first.batch_id)
        recent = await repository.list_batches(session, feed_id="p1-ed")
        missing = await repository.get_batch(session, batch_id=uuid.uuid4())
    assert stored is not None
    assert (stored.status, stored.record_count, stored.received_at) == (
        BatchStatus.FAILED, 3, received,
    )  # fmt: skip
    assert [b.batch_id for b in recent] == [second.batch_id, first.batch_id]
    assert missing is None


async def test_ensure_partner_and_feed_are_idempotent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        for _ in range(2):
            await partners.ensure_partner(session, partner_id="demo", name="Demo", token=TOKEN)
            await partners.ensure_feed(
                session, feed_id="demo-fire", partner_id="demo", agency_kind=AgencyKind.FIRE
            )
        new_token = TOKEN + "-rotated"
        await partners.ensure_partner(session, partner_id="demo", name="Demo Fire", token=new_token)
    async with sessions() as session:
        assert await partners.authenticate(session, token=TOKEN) is None
        partner = await partners.authenticate(session, token=new_token)
        assert partner is not None and partner.name == "Demo Fire"
        assert len(await repository.list_partners(session)) == 1
        assert len(await repository.list_feeds(session)) == 1
        with pytest.raises(partners.RegistryConflict):
            await partners.ensure_feed(
                session, feed_id="demo-fire", partner_id="demo", agency_kind=AgencyKind.POLICE
            )
        with pytest.raises(ValueError, match="16 characters"):
            await partners.ensure_partner(session, partner_id="x", name="X", token=TOKEN[:8])


async def test_a_disabled_partner_does_not_authenticate(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await partners.ensure_partner(session, partner_id="demo", name="Demo", token=TOKEN)
        assert await partners.disable_partner(session, partner_id="demo")
        # Registering the demo again must not switch a disabled partner back on.
        await partners.ensure_partner(session, partner_id="demo", name="Demo", token=TOKEN)
    async with sessions() as session:
        assert await partners.authenticate(session, token=TOKEN) is None
