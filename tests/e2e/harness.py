"""Start and stop Lateral for the end-to-end tests, and find things in what it made."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from e2e.scenario import Deployment
from lateral_cli.services import SERVICE_NAMES, SERVICES_WITH_DATABASE
from lateral_shared.testing.engines import free_port

__all__ = [
    "BIN",
    "distributed_deployment",
    "embedded_deployment",
    "free_port",
    "run_command",
    "start_distributed",
    "stop",
    "wait_ready",
]

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
    assert proc.returncode == 0, f"{name} exited with {proc.returncode} after SIGTERM"


def feed_of_kind(credentials: dict, kind: str) -> tuple[str, str]:
    """A demo feed of `kind` and its partner's "client_id:client_secret"."""
    for partner in credentials["partners"].values():
        for feed_id, feed_kind in partner["feeds"].items():
            if feed_kind == kind:
                return feed_id, f"{partner['client_id']}:{partner['client_secret']}"
    raise LookupError(kind)


# The launcher's own lists, so a new service is started here too.
DISTRIBUTED_SERVICES = SERVICE_NAMES
WITH_DATABASE = SERVICES_WITH_DATABASE


def run_command(
    args: list[str],
    env: dict[str, str],
    stdin_env: dict[str, str] | None = None,
) -> str:
    """Run one of Lateral's commands to completion and return what it printed."""
    result = subprocess.run(
        [str(BIN / "lateral"), *args],
        env={**env, **(stdin_env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"lateral {' '.join(args[:3])} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@dataclass
class DistributedLateral:
    """Seven service processes, each configured only by environment variables."""

    urls: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]]
    logs: dict[str, Path]
    env: dict[str, str]

    def stop(self) -> None:
        errors = []
        for name, proc in self.processes.items():
            try:
                stop(proc, name)
            except AssertionError as exc:
                errors.append(str(exc))
        if errors:
            raise AssertionError("; ".join(errors))


def start_distributed(
    base_env: dict[str, str],
    databases: dict[str, str],
    workdir: Path,
) -> DistributedLateral:
    """Start each service as its own OS process (`lateral run <service>`) and wait until ready."""
    urls = {name: f"http://127.0.0.1:{free_port()}" for name in DISTRIBUTED_SERVICES}
    processes, logs = {}, {}
    try:
        for name in DISTRIBUTED_SERVICES:
            env = {**base_env, "LATERAL_HTTP_PORT": urls[name].rsplit(":", 1)[1]}
            if name == "search-api":  # the web app's review pages call the matcher
                env["LATERAL_MATCHER_URL"] = urls["matcher"]
            if name in databases:
                env["LATERAL_DATABASE_URL"] = databases[name]
            logs[name] = workdir / f"{name}.log"
            with logs[name].open("wb") as out:
                processes[name] = subprocess.Popen(
                    [BIN / "lateral", "run", name, "serve"],
                    env=env,
                    cwd=workdir,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
        for name, url in urls.items():
            wait_ready(url, processes[name], logs[name], timeout_s=90)
    except BaseException:
        for name, proc in processes.items():
            with contextlib.suppress(AssertionError):
                stop(proc, name)
        raise
    return DistributedLateral(urls, processes, logs, base_env)


def embedded_deployment(embedded: dict) -> Deployment:
    """The one `lateral up` process serves every API."""
    url, credentials = embedded["url"], embedded["credentials"]
    csc_feed, csc_client = feed_of_kind(credentials, "childrens_social_care")
    police_feed, police_client = feed_of_kind(credentials, "police")
    users = {v["roles"][0]: f"{name}:{v['password']}" for name, v in credentials["users"].items()}
    return Deployment(
        gateway_url=url,
        search_url=url,
        alerts_url=url,
        audit_url=url,
        metrics_urls={
            s: f"{url}/metrics" for s in ("ingest-gateway", "indexer", "alerts", "matcher", "audit")
        },
        csc_feed=csc_feed,
        police_feed=police_feed,
        partner_clients={csc_feed: csc_client, police_feed: police_client},
        users=users,
        matcher_url=url,
    )


def distributed_deployment(distributed: dict) -> Deployment:
    """Each service at its own address."""
    urls = distributed["urls"]
    partner_client = distributed["partner_client"]
    return Deployment(
        gateway_url=urls["ingest-gateway"],
        search_url=urls["search-api"],
        alerts_url=urls["alerts"],
        audit_url=urls["audit"],
        metrics_urls={name: f"{url}/metrics" for name, url in urls.items()},
        csc_feed="e2e-csc",
        police_feed="e2e-police",
        partner_clients={"e2e-csc": partner_client, "e2e-police": partner_client},
        users=distributed["users"],
        matcher_url=urls["matcher"],
    )
