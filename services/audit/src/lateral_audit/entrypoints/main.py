"""The `lateral-audit` command: `serve` (default), `migrate`, `verify`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from lateral_audit.adapters.database import open_store
from lateral_audit.config import AuditSettings
from lateral_audit.service_layer.handlers import VerifyResult, verify_log
from lateral_shared.logging import configure_logging


async def _serve(settings: AuditSettings) -> None:
    # Imported here so `verify` and `migrate` start quickly (no web server or bus code).
    from lateral_audit.bootstrap import bootstrap
    from lateral_shared.runtime import serve

    service = await bootstrap(settings)
    await serve([service], host=settings.http_host, port=settings.http_port)


async def _migrate(settings: AuditSettings) -> None:
    engine, _ = await open_store(settings.database_url)
    await engine.dispose()


async def _verify(settings: AuditSettings) -> VerifyResult:
    engine, store = await open_store(settings.database_url)
    try:
        return await verify_log(store=store)
    finally:
        await engine.dispose()


def describe(result: VerifyResult) -> str:
    """What `verify` prints: intact with the count, or the first broken entry and why."""
    if result.problem is None:
        return f"audit log intact: {result.entries} entries"
    problem = result.problem
    return (
        f"audit log BROKEN at entry {problem.seq}: {problem.problem} - {problem.detail}; "
        f"{result.entries} entries before it verified"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lateral-audit", description=__doc__)
    parser.add_argument(
        "command", nargs="?", default="serve", choices=["serve", "migrate", "verify"]
    )
    args = parser.parse_args(argv)
    settings = AuditSettings()
    configure_logging(settings.log_level)
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        print("audit database migrated")
        return 0
    if args.command == "verify":
        result = asyncio.run(_verify(settings))
        print(describe(result))
        return 0 if result.problem is None else 1
    asyncio.run(_serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
