"""The partner and feed administration commands of `lateral-ingest-gateway`.

`partners add` and `partners rotate-secret` print the client secret once, on a line of its own
(`client_secret: ...`), for scripts to pick up; it is never stored or shown again.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from lateral_ingest_gateway.adapters import repository
from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.domain.credentials import ALL_SCOPES, format_scopes
from lateral_ingest_gateway.domain.model import Partner
from lateral_ingest_gateway.service_layer import partners
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import session_factory

Command = Callable[[AsyncSession, argparse.Namespace], Awaitable[int]]
SHOWN_ONCE = (
    "The client secret is shown only this once: give it to the partner's IT over a secure "
    "channel. They exchange the client ID and secret for access tokens at POST /v1/oauth/token."
)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `partners add|list|rotate-secret|disable` and `feeds add|list` to the parser."""
    _add_partner_commands(commands)
    _add_feed_commands(commands)


def _add_partner_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    partner = commands.add_parser("partners", help="manage partner clients").add_subparsers(
        dest="action", required=True
    )
    add = partner.add_parser("add", help="register a partner and print its client secret once")
    add.add_argument("name")
    add.add_argument("--id", dest="partner_id", help="partner ID (default: made from the name)")
    add.add_argument(
        "--client-id",
        help="OAuth2 client ID (default: the partner ID; with an "
        "external identity provider, the client ID it gave the partner)",
    )
    add.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        choices=ALL_SCOPES,
        help="a scope the partner may use; repeat for more (default: all)",
    )
    add.set_defaults(run=_add_partner)
    partner.add_parser("list", help="list partners").set_defaults(run=_list_partners)
    rotate = partner.add_parser(
        "rotate-secret",
        help="print a new client secret once; the old one and tokens issued with it stop working",
    )
    rotate.add_argument("partner_id")
    rotate.set_defaults(run=_rotate_secret)
    disable = partner.add_parser("disable", help="stop a partner getting or using tokens")
    disable.add_argument("partner_id")
    disable.set_defaults(run=_disable_partner)


def _add_feed_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    except (partners.RegistryConflict, ValueError) as exc:
        print(f"error: {exc}")
        return 1
    finally:
        await engine.dispose()


async def _add_partner(session: AsyncSession, args: argparse.Namespace) -> int:
    partner, secret = await partners.add_partner(
        session,
        name=args.name,
        partner_id=args.partner_id,
        client_id=args.client_id,
        scopes=args.scopes or ALL_SCOPES,
    )
    print(f"partner_id: {partner.partner_id}")
    _print_credentials(partner, secret)
    return 0


async def _rotate_secret(session: AsyncSession, args: argparse.Namespace) -> int:
    rotated = await partners.rotate_secret(session, partner_id=args.partner_id)
    if rotated is None:
        print(f"error: there is no partner {args.partner_id}")
        return 1
    _print_credentials(*rotated)
    return 0


def _print_credentials(partner: Partner, secret: str) -> None:
    print(f"client_id: {partner.client_id}")
    print(f"client_secret: {secret}")
    print(f"scopes: {format_scopes(partner.scopes)}")
    print(SHOWN_ONCE)


async def _list_partners(session: AsyncSession, _args: argparse.Namespace) -> int:
    """One tab-separated line per partner: ID, state, client ID, scopes, secret set at, name."""
    for partner in await repository.list_partners(session):
        state = "disabled" if partner.disabled else "enabled"
        rotated = partner.secret_rotated_at
        fields = [
            partner.partner_id,
            state,
            partner.client_id,
            ",".join(sorted(partner.scopes)),
            rotated.isoformat(timespec="seconds") if rotated else "-",
            partner.name,
        ]
        print("\t".join(fields))
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
