"""`lateral up`: starts with demo data, keeps it across a restart, never loads it twice, and
stops cleanly on SIGTERM. Also: the configuration table in docs/ matches the code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from lateral_cli.config_docs import render
from lateral_shared.testing.engines import free_port
from lateral_synthetic import generate_demo

BIN = Path(sys.executable).parent
DEMO_RECORDS = 300
REPO = Path(__file__).resolve().parents[2]


def _start(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [BIN / "lateral", "up", "--data-dir", data, "--port", str(port),
             "--demo-records", str(DEMO_RECORDS)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "LATERAL_ENVIRONMENT": "test"},
        )  # fmt: skip


def _wait(
    predicate: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, within_s: float = 90
) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if predicate():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not reached within {within_s} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def _published_by_gateway(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("lateral_events_published_total{") and 'service="ingest-gateway"' in line
    )


def _person_by_nhs_number(url: str, data: Path, nhs_number: str) -> dict:
    users = json.loads((data / "credentials.json").read_text())["users"]
    token = httpx.post(f"{url}/v1/auth/token", data={
        "username": "demo.practitioner", "password": users["demo.practitioner"]["password"]},
    ).json()["access_token"]  # fmt: skip
    return httpx.get(f"{url}/v1/search", params={"nhs_number": nhs_number, "reason": "test"},
                     headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip


def test_demo_data_is_loaded_once_and_kept_across_restarts(tmp_path: Path) -> None:
    data, log, port = tmp_path / "data", tmp_path / "lateral.log", free_port()
    url = f"http://127.0.0.1:{port}"
    dataset = generate_demo(seed=7, records=DEMO_RECORDS)
    nhs_number = next(r.person.nhs_number for rs in dataset.records_by_feed.values() for r in rs
                      if r.person and r.person.nhs_number)  # fmt: skip

    proc = _start(data, port, log)
    try:
        _wait((data / "demo-loaded.json").exists, proc, log)
        assert _published_by_gateway(url) == DEMO_RECORDS
        _wait(lambda: _person_by_nhs_number(url, data, nhs_number)["total"] == 1, proc, log, 30)
        first = _person_by_nhs_number(url, data, nhs_number)["results"][0]
    finally:
        assert _stop(proc) == 0, "lateral up should exit cleanly on SIGTERM"

    proc = _start(data, port, log)
    try:
        _wait(lambda: httpx.get(f"{url}/readyz").status_code == 200, proc, log)
        after = _person_by_nhs_number(url, data, nhs_number)
        assert after["total"] == 1
        assert after["results"][0]["person_id"] == first["person_id"]
        assert _published_by_gateway(url) == 0, "the demo data must not be loaded twice"
    finally:
        assert _stop(proc) == 0


def test_the_configuration_table_is_generated_from_the_code() -> None:
    current = (REPO / "docs" / "configuration.md").read_text()
    assert current == render(), "run `lateral config-docs` and commit the result"
