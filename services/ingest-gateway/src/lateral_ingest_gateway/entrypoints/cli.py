"""The partner and feed administration commands of `lateral-ingest-gateway`."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.service_layer import partners
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import session_factory

Command = Callable[[AsyncSession, argparse.Namespace], Awaitable[int]]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `partners add|list|disable` and `feeds add|list` to the parser."""
    partner = commands.add_parser("partners", help="manage partners").add_subparsers(
        dest="action", required=True
    )
    add = partner.add_parser("add", help="register a partner and print its token once")
    add.add_argument("name")
    add.add_argument("--id", dest="partner_id", help="partner ID (default: made from the name)")
    add.set_defaults(run=_add_partner)
    partner.add_parser("list", help="list partners").set_defaults(run=_list_partners)
    disable = partner.add_parser("disable", help="stop a partner's token from working")
    disable.add_argument("partner_id")
    disable.set_defaults(run=_disable_partner)
    feed = commands.add_parser("feeds", help="manage feeds").add_subparsers(
        dest="action", required=True
    )
    add_feed = feed.add_parser("add", help="register a feed for a partner")
    add_feed.add_argument("feed_id")
    add_feed.add_argument("--partner", required=True, dest="partner_id")
    add_feed.add_argument("--agency-kind", required=True, choices=[k.value for k in AgencyKind])
    add_feed.set_defaults(run=_add_feed)
    feed.add_parser("list", help="list feeds").set_defaults(run=_list_feeds)


async def run(settings: GatewaySettings, args: argparse.Namespace) -> int:
    """Run an administration command against the gateway's (migrated) database."""
    engine = await open_database(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            command: Command = args.run
            return await command(session, args)
    except partners.RegistryConflict as exc:
        print(f"error: {exc}")
        return 1
    finally:
        await engine.dispose()


async def _add_partner(session: AsyncSession, args: argparse.Namespace) -> int:
    try:
        partner, token = await partners.add_partner(
            session, name=args.name, partner_id=args.partner_id
        )
    except ValueError as exc:
        print(f"error: {exc}")
        return 1
    print(f"partner_id: {partner.partner_id}")
    print(f"token: {token}")
    print("The token is shown only this once: give it to the partner's IT over a secure channel.")
    return 0


async def _list_partners(session: AsyncSession, _args: argparse.Namespace) -> int:
    for partner in await repository.list_partners(session):
        state = "disabled" if partner.disabled else "enabled"
        print(f"{partner.partner_id}\t{state}\t{partner.name}")
    return 0


async def _disable_partner(session: AsyncSession, args: argparse.Namespace) -> int:
    if not await partners.disable_partner(session, partner_id=args.partner_id):
        print(f"error: there is no partner {args.partner_id}")
        return 1
    print(f"partner {args.partner_id} disabled")
    return 0


async def _add_feed(session: AsyncSession, args: argparse.Namespace) -> int:
    feed = await partners.add_feed(
        session,
        feed_id=args.feed_id,
        partner_id=args.partner_id,
        agency_kind=AgencyKind(args.agency_kind),
    )
    print(f"feed {feed.feed_id} added for {feed.partner_id} ({feed.agency_kind.value})")
    return 0


async def _list_feeds(session: AsyncSession, _args: argparse.Namespace) -> int:
    for feed in await repository.list_feeds(session):
        print(f"{feed.feed_id}\t{feed.partner_id}\t{feed.agency_kind.value}")
    return 0
