"""The search-api alone on 127.0.0.1, for `search_latency.py` to send searches to over HTTP.

Its audit trail is the embedded durable log (fail-closed, as in embedded mode), its accounts
database SQLite. It stops on SIGTERM, and by itself when the bench that started it goes away.

    .venv/bin/python bench/search_api_server.py --index-url URL --port N --secret S --data DIR
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from lateral_search_api.bootstrap import bootstrap
from lateral_search_api.config import SearchApiSettings
from lateral_shared.index import SearchIndex
from lateral_shared.index.opensearch import OpenSearchIndex
from lateral_shared.logging import configure_logging
from lateral_shared.runtime import serve


async def _watch_parent(parent: int) -> None:
    """End this process once its parent has gone (the bench was interrupted)."""
    while os.getppid() == parent:  # noqa: ASYNC110 (nothing to wait on but the clock)
        await asyncio.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


async def _main(args: argparse.Namespace, data: Path) -> None:
    settings = SearchApiSettings(
        database_url=f"sqlite+aiosqlite:///{data}/search-api.db",
        bus_url=f"embedded:///{data}/bus.db",
        index_url=args.index_url,
        index_name=args.index_name,
        secret_key=args.secret,
        environment="development",
        log_level="WARNING",
    )
    configure_logging("WARNING")
    index: SearchIndex | None = None
    if args.index_url.startswith("http"):
        # Patient with a small, busy machine's noida-db: a slow answer is a figure, not a 503.
        index = OpenSearchIndex(args.index_url, index_name=args.index_name, timeout_s=600)
        await index.start()
    service = await bootstrap(settings, index=index)
    watcher = asyncio.create_task(_watch_parent(args.parent))
    try:
        await serve([service], host="127.0.0.1", port=args.port)
    finally:
        watcher.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-url", required=True)
    parser.add_argument("--index-name", default="lateral-persons")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--parent", type=int, default=os.getppid())
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    asyncio.run(_main(args, data))


if __name__ == "__main__":
    main()
