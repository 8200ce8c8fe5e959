"""Repository functions over the gateway's tables. They never commit: the caller does.

Every function takes the session first and the rest as keyword-only arguments.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.domain.credentials import hash_token
from lateral_ingest_gateway.domain.model import Batch, BatchStatus, Feed, Partner
from lateral_shared.contracts.records import AgencyKind

from .tables import batches, feeds, partners


def _aware(value: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _partner(row: RowMapping) -> Partner:
    return Partner(row["partner_id"], row["name"], row["disabled"], _aware(row["created_at"]))


def _feed(row: RowMapping) -> Feed:
    return Feed(
        row["feed_id"], row["partner_id"], AgencyKind(row["agency_kind"]), _aware(row["created_at"])
    )


def _batch(row: RowMapping) -> Batch:
    return Batch(
        batch_id=uuid.UUID(row["batch_id"]),
        feed_id=row["feed_id"],
        partner_id=row["partner_id"],
        received_at=_aware(row["received_at"]),
        record_count=row["record_count"],
        status=BatchStatus(row["status"]),
    )


async def create_partner(
    session: AsyncSession, *, partner_id: str, name: str, token_hash: str
) -> Partner:
    partner = Partner(partner_id, name, disabled=False, created_at=datetime.now(UTC))
    await session.execute(
        partners.insert().values(
            partner_id=partner_id, name=name, token_hash=token_hash, disabled=False,
            created_at=partner.created_at,
        )
    )  # fmt: skip
    return partner


async def get_partner(session: AsyncSession, *, partner_id: str) -> Partner | None:
    result = await session.execute(partners.select().where(partners.c.partner_id == partner_id))
    row = result.mappings().first()
    return _partner(row) if row else None


async def get_partner_by_token(session: AsyncSession, *, token: str) -> Partner | None:
    """The partner holding `token` (looked up by its hash), disabled or not."""
    query = partners.select().where(partners.c.token_hash == hash_token(token))
    row = (await session.execute(query)).mappings().first()
    return _partner(row) if row else None


async def update_partner(
    session: AsyncSession,
    *,
    partner_id: str,
    name: str | None = None,
    token_hash: str | None = None,
    disabled: bool | None = None,
) -> bool:
    """Change the given fields; False if there is no such partner."""
    values = {"name": name, "token_hash": token_hash, "disabled": disabled}
    changes = {key: value for key, value in values.items() if value is not None}
    if not changes:
        return await get_partner(session, partner_id=partner_id) is not None
    query = partners.update().where(partners.c.partner_id == partner_id).values(**changes)
    result = await session.execute(query)
    return bool(getattr(result, "rowcount", 0))


async def list_partners(session: AsyncSession) -> list[Partner]:
    result = await session.execute(partners.select().order_by(partners.c.partner_id))
    return [_partner(row) for row in result.mappings()]


async def create_feed(
    session: AsyncSession, *, feed_id: str, partner_id: str, agency_kind: AgencyKind
) -> Feed:
    feed = Feed(feed_id, partner_id, agency_kind, created_at=datetime.now(UTC))
    await session.execute(
        feeds.insert().values(
            feed_id=feed_id, partner_id=partner_id, agency_kind=agency_kind.value,
            created_at=feed.created_at,
        )
    )  # fmt: skip
    return feed


async def get_feed(session: AsyncSession, *, feed_id: str) -> Feed | None:
    row = (
        (await session.execute(feeds.select().where(feeds.c.feed_id == feed_id))).mappings().first()
    )
    return _feed(row) if row else None


async def list_feeds(session: AsyncSession, *, partner_id: str | None = None) -> list[Feed]:
    query = feeds.select().order_by(feeds.c.feed_id)
    if partner_id is not None:
        query = query.where(feeds.c.partner_id == partner_id)
    return [_feed(row) for row in (await session.execute(query)).mappings()]


async def create_batch(session: AsyncSession, *, batch: Batch) -> Batch:
    await session.execute(
        batches.insert().values(
            batch_id=str(batch.batch_id), feed_id=batch.feed_id, partner_id=batch.partner_id,
            received_at=batch.received_at, record_count=batch.record_count,
            status=batch.status.value,
        )
    )  # fmt: skip
    return batch


async def set_batch_status(
    session: AsyncSession, *, batch_id: uuid.UUID, status: BatchStatus
) -> None:
    query = batches.update().where(batches.c.batch_id == str(batch_id)).values(status=status.value)
    await session.execute(query)


async def get_batch(session: AsyncSession, *, batch_id: uuid.UUID) -> Batch | None:
    query = batches.select().where(batches.c.batch_id == str(batch_id))
    row = (await session.execute(query)).mappings().first()
    return _batch(row) if row else None


async def list_batches(session: AsyncSession, *, feed_id: str, limit: int = 50) -> list[Batch]:
    """The feed's most recent batches, newest first."""
    query = (
        batches.select()
        .where(batches.c.feed_id == feed_id)
        .order_by(batches.c.received_at.desc())
        .limit(limit)
    )
    return [_batch(row) for row in (await session.execute(query)).mappings()]
