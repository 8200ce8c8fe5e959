"""Repository functions over the gateway's partners and feeds (batches: `batch_store`).
They never commit: the caller does.

Every function takes the session first and the rest as keyword-only arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.domain.credentials import format_scopes
from lateral_ingest_gateway.domain.model import Feed, Partner
from lateral_shared.contracts.records import AgencyKind

from .tables import feeds, partners


def _aware(value: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _partner(row: RowMapping) -> Partner:
    rotated = row["secret_rotated_at"]
    return Partner(
        partner_id=row["partner_id"],
        name=row["name"],
        disabled=row["disabled"],
        created_at=_aware(row["created_at"]),
        client_id=row["client_id"],
        scopes=frozenset((row["scopes"] or "").split()),
        secret_rotated_at=_aware(rotated) if rotated is not None else None,
    )


def _feed(row: RowMapping) -> Feed:
    return Feed(
        row["feed_id"], row["partner_id"], AgencyKind(row["agency_kind"]), _aware(row["created_at"])
    )


async def create_partner(
    session: AsyncSession,
    *,
    partner_id: str,
    name: str,
    client_id: str,
    secret_hash: str,
    scopes: frozenset[str],
) -> Partner:
    now = datetime.now(UTC)
    partner = Partner(partner_id, name, False, now, client_id, scopes, secret_rotated_at=now)
    await session.execute(
        partners.insert().values(
            partner_id=partner_id, name=name, client_id=client_id, secret_hash=secret_hash,
            scopes=format_scopes(scopes), disabled=False, created_at=now, secret_rotated_at=now,
        )
    )  # fmt: skip
    return partner


async def get_partner(session: AsyncSession, *, partner_id: str) -> Partner | None:
    result = await session.execute(partners.select().where(partners.c.partner_id == partner_id))
    row = result.mappings().first()
    return _partner(row) if row else None


async def get_partner_by_client_id(session: AsyncSession, *, client_id: str) -> Partner | None:
    """The partner registered with this OAuth2 client ID, disabled or not."""
    query = partners.select().where(partners.c.client_id == client_id)
    row = (await session.execute(query)).mappings().first()
    return _partner(row) if row else None


async def get_client_credentials(
    session: AsyncSession, *, client_id: str
) -> tuple[Partner, str] | None:
    """The partner with this client ID and the stored hash of its secret (token endpoint)."""
    query = partners.select().where(partners.c.client_id == client_id)
    row = (await session.execute(query)).mappings().first()
    return (_partner(row), str(row["secret_hash"] or "")) if row else None


async def update_partner(
    session: AsyncSession,
    *,
    partner_id: str,
    name: str | None = None,
    scopes: frozenset[str] | None = None,
    disabled: bool | None = None,
) -> bool:
    """Change the given fields; False if there is no such partner."""
    values = {
        "name": name,
        "scopes": format_scopes(scopes) if scopes is not None else None,
        "disabled": disabled,
    }
    return await _update(session, partner_id, values)


async def set_secret_hash(
    session: AsyncSession, *, partner_id: str, secret_hash: str, rotated_at: datetime
) -> bool:
    """Replace the partner's secret (hash); False if there is no such partner."""
    values = {"secret_hash": secret_hash, "secret_rotated_at": rotated_at}
    return await _update(session, partner_id, values)


async def _update(session: AsyncSession, partner_id: str, values: Mapping[str, object]) -> bool:
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
