"""`lateral-cleanser [serve | migrate]`: run the cleanser on its own (distributed mode)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from lateral_cleanser.bootstrap import bootstrap
from lateral_cleanser.collector import COLLECT_EVERY
from lateral_cleanser.config import CleanserSettings
from lateral_shared.collector import collect_young_every
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="lateral-cleanser", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    if parser.parse_args(argv).command == "migrate":
        # Accepted so every service answers `migrate` alike; the cleanser keeps no database.
        print("the cleanser has no database: nothing to migrate")
        return
    settings = CleanserSettings()
    configure_logging(settings.log_level)
    asyncio.run(_serve(settings))


async def _serve(settings: CleanserSettings) -> None:
    service = await bootstrap(settings)
    collect_young_every(COLLECT_EVERY)  # `serve` freezes the gazetteer with the rest
    await serve([service], host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
