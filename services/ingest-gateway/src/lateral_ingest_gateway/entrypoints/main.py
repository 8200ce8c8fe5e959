"""`lateral-ingest-gateway [serve | migrate | partners ... | feeds ...]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from lateral_ingest_gateway.bootstrap import bootstrap, open_database
from lateral_ingest_gateway.config import GatewaySettings
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve

from . import cli


def parser() -> argparse.ArgumentParser:
    """The command line: `serve` (the default), `migrate`, `partners ...`, `feeds ...`."""
    root = argparse.ArgumentParser(
        prog="lateral-ingest-gateway", description="Lateral's ingest-gateway (partner feeds)."
    )
    commands = root.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the partner API (the default)")
    commands.add_parser("migrate", help="bring the database to the newest migration")
    cli.add_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the command."""
    args = parser().parse_args(argv)
    settings = GatewaySettings()
    configure_logging(settings.log_level)
    command = args.command or "serve"
    if command == "serve":
        asyncio.run(_serve(settings))
    elif command == "migrate":
        asyncio.run(_migrate(settings))
    else:
        sys.exit(asyncio.run(cli.run(settings, args)))


async def _serve(settings: GatewaySettings) -> None:
    service = await bootstrap(settings)
    await serve([service], host=settings.http_host, port=settings.http_port)


async def _migrate(settings: GatewaySettings) -> None:
    engine = await open_database(settings.database_url)
    await engine.dispose()
    print("ingest-gateway database is at the newest migration")


if __name__ == "__main__":
    main()
