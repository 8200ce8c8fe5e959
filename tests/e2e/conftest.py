"""Start Lateral both ways for the end-to-end tests: embedded (`lateral up`, one process) and
distributed (seven `lateral run <service>` processes on Tansu + PostgreSQL + noida-db)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator

import pytest

from e2e.harness import (
    BIN,
    WITH_DATABASE,
    free_port,
    run_command,
    start_distributed,
    stop,
    wait_ready,
)
from lateral_shared.testing.engines import create_postgres_database


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`lateral up` in its own process, with no demo records, on a free loopback port."""
    data = tmp_path_factory.mktemp("embedded")
    port = free_port()
    log = data / "lateral.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                BIN / "lateral",
                "up",
                "--data-dir",
                data / "data",
                "--port",
                str(port),
                "--demo-records",
                "0",
                "--log-level",
                "INFO",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LATERAL_ENVIRONMENT": "test", "LATERAL_DROP_FOLDER_POLL_S": "0.2"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log)
        credentials = json.loads((data / "data" / "credentials.json").read_text())
        yield {"url": url, "credentials": credentials, "log": log, "data": data / "data"}
    finally:
        stop(proc, "lateral up")


@pytest.fixture(scope="module")
def distributed(tansu, noida, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Seven `lateral run <service>` processes on Tansu, PostgreSQL and noida-db, with one
    partner client, two feeds and four staff accounts made with the services' own commands."""
    workdir = tmp_path_factory.mktemp("distributed")
    databases = {
        name: create_postgres_database(f"lateral_e2e_{name.replace('-', '_')}")
        for name in WITH_DATABASE
    }
    env = {
        **os.environ,
        "LATERAL_ENVIRONMENT": "test",
        "LATERAL_BUS_URL": tansu.url,
        "LATERAL_KAFKA_ENABLE_IDEMPOTENCE": "false",  # Tansu lacks InitProducerId
        "LATERAL_TOPIC_PARTITIONS": "3",
        "LATERAL_INDEX_URL": noida.url,
        "LATERAL_INDEX_NAME": f"e2e-persons-{secrets.token_hex(4)}",
        "LATERAL_SECRET_KEY": secrets.token_urlsafe(48),
        "LATERAL_LOG_LEVEL": "INFO",
    }
    try:
        gateway_env = {**env, "LATERAL_DATABASE_URL": databases["ingest-gateway"].url}
        added = run_command(
            ["run", "ingest-gateway", "partners", "add", "E2E Council", "--id", "e2e-council"],
            gateway_env,
        )
        printed = dict(line.split(": ", 1) for line in added.splitlines() if ": " in line)
        partner_client = f"{printed['client_id']}:{printed['client_secret']}"
        for feed, kind in (("e2e-csc", "childrens_social_care"), ("e2e-police", "police")):
            run_command(
                [
                    "run",
                    "ingest-gateway",
                    "feeds",
                    "add",
                    feed,
                    "--partner",
                    "e2e-council",
                    "--agency-kind",
                    kind,
                ],
                gateway_env,
            )
        search_env = {**env, "LATERAL_DATABASE_URL": databases["search-api"].url}
        users = {}
        for role in ("practitioner", "duty_manager", "ig_officer", "data_steward"):
            password = secrets.token_urlsafe(16)
            run_command(
                [
                    "run",
                    "search-api",
                    "users",
                    "add",
                    f"e2e.{role}",
                    "--role",
                    role,
                    "--password-env",
                    "E2E_PASSWORD",
                ],
                search_env,
                {"E2E_PASSWORD": password},
            )
            users[role] = f"e2e.{role}:{password}"
        lateral = start_distributed(env, {n: db.url for n, db in databases.items()}, workdir)
        try:
            yield {
                "urls": lateral.urls,
                "partner_client": partner_client,
                "users": users,
                "lateral": lateral,
            }
        finally:
            lateral.stop()
    finally:
        for db in databases.values():
            db.drop()
