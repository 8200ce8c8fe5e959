"""The `lateral-indexer` command: `serve` (the default)."""

from __future__ import annotations

import argparse
import asyncio

from lateral_indexer.bootstrap import bootstrap
from lateral_indexer.config import IndexerSettings
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve


async def _serve(settings: IndexerSettings) -> None:
    service = await bootstrap(settings)
    await serve([service], host=settings.http_host, port=settings.http_port)


def main(argv: list[str] | None = None) -> None:
    """Run the indexer on its own (distributed mode). It has no database, so no `migrate`."""
    parser = argparse.ArgumentParser(prog="lateral-indexer", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    parser.parse_args(argv)
    settings = IndexerSettings()
    configure_logging(settings.log_level)
    asyncio.run(_serve(settings))


if __name__ == "__main__":
    main()
