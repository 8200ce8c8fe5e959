"""Start and stop Lateral for the end-to-end tests, and find things in what it made."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from lateral_shared.testing.engines import free_port

BIN = Path(sys.executable).parent


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready in {timeout_s} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes], name: str) -> None:
    """SIGTERM, then check the process stopped cleanly on its own."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"{name} did not stop within 20 s of SIGTERM") from None


def feed_of_kind(credentials: dict, kind: str) -> tuple[str, str]:
    for partner in credentials["partners"].values():
        for feed_id, feed_kind in partner["feeds"].items():
            if feed_kind == kind:
                return feed_id, partner["token"]
    raise LookupError(kind)


