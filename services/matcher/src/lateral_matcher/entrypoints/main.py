"""The `lateral-matcher` command: `serve` (the default), `migrate`, or `clear-links` (before
reprocessing `records.clean` from the start: forgets persons, links and addresses, keeps the data
stewards' decisions and the review queue)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.bootstrap import bootstrap, migrate_database
from lateral_matcher.config import MatcherSettings
from lateral_shared.collector import collect_young_every
from lateral_shared.db import create_engine
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve

log = logging.getLogger(__name__)


# Young objects allocated between collections of the youngest generation (Python's default: 700):
# a record's resolution leaves its candidates, profiles and explanation for the batch's lifetime,
# and the records it parses and profiles in the caches, which each collection walks again. Over
# `bench/matcher_throughput.py --size test` the collections took ~1.1 s at 50,000 (25 of them)
# and ~0.55 s at 200,000 (4, of ~0.13 s each), in a run of ~16 CPU seconds.
COLLECT_EVERY = 200_000


async def _serve(settings: MatcherSettings) -> None:
    service = await bootstrap(settings)
    collect_young_every(COLLECT_EVERY)  # the matcher's own process only, not embedded mode's
    await serve([service], host=settings.http_host, port=settings.http_port)


async def _migrate(settings: MatcherSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrate_database(engine)
    finally:
        await engine.dispose()
    log.info("matcher tables migrated", extra={"service": "matcher"})


async def _clear_links(settings: MatcherSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrate_database(engine)
        async with engine.begin() as connection:
            await MatcherRepository(connection).clear_links()
    finally:
        await engine.dispose()
    log.info("matcher links cleared; reset the consumer group's offsets to reprocess",
             extra={"service": "matcher"})  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run the matcher on its own (distributed mode), or apply its migrations."""
    parser = argparse.ArgumentParser(prog="lateral-matcher", description=__doc__)
    parser.add_argument(
        "command", nargs="?", default="serve", choices=["serve", "migrate", "clear-links"]
    )
    parser.add_argument("--yes", action="store_true", help="confirm `clear-links`")
    args = parser.parse_args(argv)
    if args.command == "clear-links" and not args.yes:
        parser.error("clear-links forgets every person and link: add --yes to confirm")
    settings = MatcherSettings()
    configure_logging(settings.log_level)
    commands = {"serve": _serve, "migrate": _migrate, "clear-links": _clear_links}
    asyncio.run(commands[args.command](settings))


if __name__ == "__main__":
    main()
