"""Partner and feed management: used by the CLI, by the demo launcher and by authentication.

Each function makes its own write durable (commits) before it returns.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.domain.credentials import (
    check_token_strength,
    hash_token,
    new_token,
    partner_id_from_name,
)
from lateral_ingest_gateway.domain.model import Feed, Partner
from lateral_shared.contracts.records import AgencyKind


class RegistryConflict(Exception):
    """A partner or feed already exists, or would change owner or kind. Carries no secrets."""


async def add_partner(
    session: AsyncSession, *, name: str, partner_id: str | None = None
) -> tuple[Partner, str]:
    """Register a new partner; returns it with its token, which is shown once and never stored."""
    partner_id = partner_id or partner_id_from_name(name)
    if await repository.get_partner(session, partner_id=partner_id) is not None:
        raise RegistryConflict(f"partner {partner_id} already exists")
    token = new_token()
    partner = await repository.create_partner(
        session, partner_id=partner_id, name=name, token_hash=hash_token(token)
    )
    await session.commit()
    return partner, token


async def ensure_partner(
    session: AsyncSession, *, partner_id: str, name: str, token: str
) -> Partner:
    """Make sure a partner exists with this name and token (idempotent; for the demo launcher).

    An existing partner gets the given name and token; a disabled one stays disabled.
    """
    check_token_strength(token)
    existing = await repository.get_partner(session, partner_id=partner_id)
    if existing is None:
        partner = await repository.create_partner(
            session, partner_id=partner_id, name=name, token_hash=hash_token(token)
        )
    else:
        await repository.update_partner(
            session, partner_id=partner_id, name=name, token_hash=hash_token(token)
        )
        partner = Partner(partner_id, name, existing.disabled, existing.created_at)
    await session.commit()
    return partner


async def disable_partner(session: AsyncSession, *, partner_id: str) -> bool:
    """Stop a partner's token from working; False if there is no such partner."""
    found = await repository.update_partner(session, partner_id=partner_id, disabled=True)
    await session.commit()
    return found


async def add_feed(
    session: AsyncSession, *, feed_id: str, partner_id: str, agency_kind: AgencyKind
) -> Feed:
    """Register a new feed for a partner."""
    if await repository.get_partner(session, partner_id=partner_id) is None:
        raise RegistryConflict(f"there is no partner {partner_id}; add it first")
    if await repository.get_feed(session, feed_id=feed_id) is not None:
        raise RegistryConflict(f"feed {feed_id} already exists")
    feed = await repository.create_feed(
        session, feed_id=feed_id, partner_id=partner_id, agency_kind=agency_kind
    )
    await session.commit()
    return feed


async def ensure_feed(
    session: AsyncSession, *, feed_id: str, partner_id: str, agency_kind: AgencyKind
) -> Feed:
    """Make sure a feed exists as given (idempotent). A feed never changes owner or kind."""
    existing = await repository.get_feed(session, feed_id=feed_id)
    if existing is None:
        return await add_feed(
            session, feed_id=feed_id, partner_id=partner_id, agency_kind=agency_kind
        )
    if (existing.partner_id, existing.agency_kind) != (partner_id, agency_kind):
        raise RegistryConflict(f"feed {feed_id} exists with another partner or agency kind")
    return existing


async def authenticate(session: AsyncSession, *, token: str) -> Partner | None:
    """The enabled partner holding `token`, or None."""
    partner = await repository.get_partner_by_token(session, token=token)
    return partner if partner is not None and not partner.disabled else None
