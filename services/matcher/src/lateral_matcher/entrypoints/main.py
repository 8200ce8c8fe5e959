"""The `lateral-matcher` command: `serve` (the default) or `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from lateral_matcher.bootstrap import bootstrap, migrate_database
from lateral_matcher.config import MatcherSettings
from lateral_shared.db import create_engine
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve

log = logging.getLogger(__name__)


async def _serve(settings: MatcherSettings) -> None:
    service = await bootstrap(settings)
    await serve([service], host=settings.http_host, port=settings.http_port)


async def _migrate(settings: MatcherSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrate_database(engine)
    finally:
        await engine.dispose()
    log.info("matcher tables migrated", extra={"service": "matcher"})


def main(argv: list[str] | None = None) -> None:
    """Run the matcher on its own (distributed mode), or apply its migrations."""
    parser = argparse.ArgumentParser(prog="lateral-matcher", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = MatcherSettings()
    configure_logging(settings.log_level)
    asyncio.run(_serve(settings) if args.command == "serve" else _migrate(settings))


if __name__ == "__main__":
    main()
