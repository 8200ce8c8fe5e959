"""Fixtures for the real engines. Each is started once per test session on 127.0.0.1 and
stopped (by its own process id) at the end; PostgreSQL databases are created and dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lateral_shared.testing.engines import (
    EngineProcess,
    PostgresDatabase,
    create_postgres_database,
    start_noida,
    start_tansu,
)


@pytest.fixture(scope="session")
def tansu() -> Iterator[EngineProcess]:
    """A Kafka-protocol broker; `tansu.url` is a `kafka://` bus URL."""
    broker = start_tansu()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def noida() -> Iterator[EngineProcess]:
    """An OpenSearch-API engine; `noida.url` is an `http://` index URL."""
    engine = start_noida()
    yield engine
    engine.stop()


@pytest.fixture
def postgres_db() -> Iterator[PostgresDatabase]:
    """A new, empty database on the local PostgreSQL server, dropped after the test."""
    db = create_postgres_database()
    yield db
    db.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a store test once per backend: a new SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    db: PostgresDatabase = request.getfixturevalue("postgres_db")
    return db.url
