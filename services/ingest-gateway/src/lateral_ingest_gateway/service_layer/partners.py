"""Partner clients and feeds: used by the CLI, the demo launcher and the token endpoint.

Each function that writes makes its write durable (commits) before it returns. Hashing or
checking a secret (scrypt, tens of milliseconds) runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.domain.credentials import (
    ALL_SCOPES,
    check_secret_strength,
    hash_secret,
    new_client_secret,
    parse_scopes,
    partner_id_from_name,
    verify_secret,
)
from lateral_ingest_gateway.domain.model import Feed, Partner
from lateral_shared.contracts.records import AgencyKind


class RegistryConflict(Exception):
    """A partner or feed already exists, or would change owner or kind. Carries no secrets."""


async def add_partner(
    session: AsyncSession,
    *,
    name: str,
    partner_id: str | None = None,
    client_id: str | None = None,
    scopes: Iterable[str] = ALL_SCOPES,
) -> tuple[Partner, str]:
    """Register a new partner client; returns it with its secret, shown once and never stored."""
    partner_id = partner_id or partner_id_from_name(name)
    client_id = client_id or partner_id
    allowed = parse_scopes(scopes)
    if await repository.get_partner(session, partner_id=partner_id) is not None:
        raise RegistryConflict(f"partner {partner_id} already exists")
    if await repository.get_partner_by_client_id(session, client_id=client_id) is not None:
        raise RegistryConflict(f"client ID {client_id} is already registered to another partner")
    secret = new_client_secret()
    partner = await repository.create_partner(
        session, partner_id=partner_id, name=name, client_id=client_id,
        secret_hash=await asyncio.to_thread(hash_secret, secret), scopes=allowed,
    )  # fmt: skip
    await session.commit()
    return partner, secret


async def ensure_partner(
    session: AsyncSession,
    *,
    partner_id: str,
    name: str,
    client_secret: str,
    scopes: Iterable[str] = ALL_SCOPES,
    client_id: str | None = None,
) -> Partner:
    """Make sure a partner client exists with this name, secret and scopes (idempotent).

    For the demo launcher and tests. The client ID defaults to the partner ID and never changes.
    The secret is replaced only when it differs, so repeating this keeps issued tokens valid; a
    disabled partner stays disabled.
    """
    check_secret_strength(client_secret)
    allowed = parse_scopes(scopes)
    client_id = client_id or partner_id
    existing = await repository.get_client_credentials(session, client_id=client_id)
    if existing is None:
        if await repository.get_partner(session, partner_id=partner_id) is not None:
            raise RegistryConflict(f"partner {partner_id} exists with another client ID")
        secret_hash = await asyncio.to_thread(hash_secret, client_secret)
        partner = await repository.create_partner(
            session, partner_id=partner_id, name=name, client_id=client_id,
            secret_hash=secret_hash, scopes=allowed,
        )  # fmt: skip
        await session.commit()
        return partner
    partner, stored = existing
    if partner.partner_id != partner_id:
        raise RegistryConflict(f"client ID {client_id} is registered to another partner")
    await repository.update_partner(session, partner_id=partner_id, name=name, scopes=allowed)
    if not await asyncio.to_thread(verify_secret, client_secret, stored):
        await _store_secret(session, partner_id, client_secret)
    await session.commit()
    return await _reload(session, partner_id)


async def rotate_secret(session: AsyncSession, *, partner_id: str) -> tuple[Partner, str] | None:
    """Give the partner a new secret (returned, shown once); the old secret and every token
    issued before now stop working. None if there is no such partner."""
    if await repository.get_partner(session, partner_id=partner_id) is None:
        return None
    secret = new_client_secret()
    await _store_secret(session, partner_id, secret)
    await session.commit()
    return await _reload(session, partner_id), secret


async def disable_partner(session: AsyncSession, *, partner_id: str) -> bool:
    """Stop a partner from getting tokens or using those it has; False if there is none."""
    found = await repository.update_partner(session, partner_id=partner_id, disabled=True)
    await session.commit()
    return found


async def authenticate_client(
    session: AsyncSession, *, client_id: str, client_secret: str
) -> Partner | None:
    """The enabled partner whose client this is, if the secret is right; otherwise None."""
    found = await repository.get_client_credentials(session, client_id=client_id)
    if found is None or found[0].disabled:
        return None
    partner, stored = found
    return partner if await asyncio.to_thread(verify_secret, client_secret, stored) else None


async def enabled_client(session: AsyncSession, *, client_id: str) -> Partner | None:
    """The enabled partner registered with this client ID (for checking an access token)."""
    partner = await repository.get_partner_by_client_id(session, client_id=client_id)
    return partner if partner is not None and not partner.disabled else None


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


async def _store_secret(session: AsyncSession, partner_id: str, secret: str) -> None:
    secret_hash = await asyncio.to_thread(hash_secret, secret)
    await repository.set_secret_hash(
        session, partner_id=partner_id, secret_hash=secret_hash, rotated_at=datetime.now(UTC)
    )


async def _reload(session: AsyncSession, partner_id: str) -> Partner:
    partner = await repository.get_partner(session, partner_id=partner_id)
    if partner is None:  # only if it was deleted under us, which nothing does
        raise RegistryConflict(f"partner {partner_id} disappeared")
    return partner
