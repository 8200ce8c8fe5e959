"""Start Lateral both ways for the end-to-end tests: embedded (`lateral up`, one process) and
distributed (seven `lateral run <service>` processes on Tansu + PostgreSQL + noida-db)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

from e2e.harness import BIN, free_port, stop, wait_ready


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`lateral up` in its own process, with no demo records, on a free loopback port."""
    data = tmp_path_factory.mktemp("embedded")
    port = free_port()
    log = data / "lateral.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [BIN / "lateral", "up", "--data-dir", data / "data", "--port", str(port),
             "--demo-records", "0", "--log-level", "INFO"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "LATERAL_ENVIRONMENT": "test"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log)
        credentials = json.loads((data / "data" / "credentials.json").read_text())
        yield {"url": url, "credentials": credentials, "log": log, "data": data / "data"}
    finally:
        stop(proc, "lateral up")
