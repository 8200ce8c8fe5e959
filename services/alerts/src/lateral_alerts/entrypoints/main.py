"""The alerts service's command line: `serve` (default) or `migrate`."""

from __future__ import annotations

import argparse
import asyncio

from lateral_alerts.bootstrap import MIGRATIONS, VERSION_TABLE, bootstrap
from lateral_alerts.config import AlertsSettings
from lateral_shared.db import create_engine, migrate
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve


async def _serve(settings: AlertsSettings) -> None:
    service = await bootstrap(settings)
    await serve([service], host=settings.http_host, port=settings.http_port)


async def _migrate(settings: AlertsSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine, script_location=str(MIGRATIONS), version_table=VERSION_TABLE)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Run the alerts service, or apply its database migrations."""
    parser = argparse.ArgumentParser(prog="lateral-alerts", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = AlertsSettings()
    configure_logging(settings.log_level)
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
    else:
        asyncio.run(_serve(settings))
