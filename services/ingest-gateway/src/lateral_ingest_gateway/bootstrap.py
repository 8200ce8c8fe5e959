"""Wiring of the ingest-gateway: its database, the bus, the partner API, readiness checks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from lateral_ingest_gateway.adapters.worker_pool import PreparationPool
from lateral_ingest_gateway.config import GatewaySettings
from lateral_ingest_gateway.entrypoints.http import build_router
from lateral_ingest_gateway.entrypoints.oauth import build_oauth_router
from lateral_ingest_gateway.entrypoints.schema_http import schema_router
from lateral_ingest_gateway.service_layer.drop_folder import DropFolders
from lateral_ingest_gateway.service_layer.ingest import IngestDeps
from lateral_ingest_gateway.service_layer.stalled import StalledBatches
from lateral_shared.bus import EventBus, EventPublisher, open_bus
from lateral_shared.contracts import RECORDS_RAW
from lateral_shared.db import create_engine, migrate, ping, session_factory
from lateral_shared.index import SearchIndex
from lateral_shared.runtime import Background, Hook, Service

NAME = "ingest-gateway"
MIGRATIONS = str(Path(__file__).parent / "adapters" / "migrations")
VERSION_TABLE = "alembic_version_ingest_gateway"


async def open_database(database_url: str) -> AsyncEngine:
    """An engine on the gateway's database with its tables at the newest migration."""
    engine = create_engine(database_url)
    try:
        await migrate(engine, script_location=MIGRATIONS, version_table=VERSION_TABLE)
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def bootstrap(
    settings: GatewaySettings,
    *,
    bus: EventBus | None = None,
    index: SearchIndex | None = None,  # accepted for a uniform signature; the gateway has none
) -> Service:
    """Build the ingest-gateway: migrate its database, make sure `records.raw` exists."""
    on_stop: list[Hook] = []
    bus = await open_bus(settings, bus, topics=[RECORDS_RAW], on_stop=on_stop)
    engine = await open_database(settings.database_url)
    on_stop.insert(0, engine.dispose)
    publisher = EventPublisher(bus, service=NAME)
    pool = PreparationPool(settings.preparation_workers())
    on_stop.insert(0, pool.close)
    deps = IngestDeps(session_factory(engine), publisher, settings.chunk_rows, pool,
                      settings.ingest_chunks_in_flight)  # fmt: skip
    router = build_router(deps=deps, settings=settings)
    stalled = StalledBatches(session_factory(engine), stall_s=settings.batch_stall_s)
    background: list[Background] = [pool.warm_up, stalled.run]
    if settings.drop_folder_root is not None:
        folders = DropFolders(settings.drop_folder_root, deps, poll_s=settings.drop_folder_poll_s)
        background.append(folders.run)

    async def database() -> None:
        await ping(engine)

    return Service(
        name=NAME,
        routers=[
            router,
            build_oauth_router(sessions=session_factory(engine), settings=settings),
            schema_router(),
        ],
        background=background,
        readiness={"database": database, "bus": bus.ping, "workers": pool.ping},
        on_stop=on_stop,
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
