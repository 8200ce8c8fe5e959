"""docker-compose.yml checked offline: the compose schema, and what a user needs it to get right.

No container engine runs here, so nothing is built or started; these tests read the files.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from lateral_shared.settings import IndexSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
# Services that keep tables, each in a database of its own (DESIGN.md: "owns").
SERVICES_WITH_TABLES = {"ingest-gateway", "matcher", "search-api", "alerts", "audit"}
SERVICES_WITH_INDEX = {"indexer", "search-api"}
# What compose would substitute for ${...} when the user has exported the required secrets.
USER_ENV = {"LATERAL_SECRET_KEY": "k" * 64, "POSTGRES_PASSWORD": "0123abcd"}


def workspace_services() -> dict[str, dict[str, Any]]:
    """Service name (without `lateral-`) to its pyproject [project] table, for services/*."""
    projects = {}
    for pyproject in sorted(ROOT.glob("services/*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        projects[project["name"].removeprefix("lateral-")] = project
    return projects


class IndexedServiceSettings(ServiceSettings, IndexSettings):
    """What a service using the search index reads when it has no settings class of its own."""


def settings_class(service: str) -> type[ServiceSettings]:
    """The service's own settings class (in lateral_<name>.config), else the shared one."""
    package = f"lateral_{service.replace('-', '_')}"
    if importlib.util.find_spec(package) and importlib.util.find_spec(f"{package}.config"):
        module = importlib.import_module(f"{package}.config")
        own = [
            c
            for c in vars(module).values()
            if isinstance(c, type)
            and issubclass(c, ServiceSettings)
            and c.__module__ == module.__name__
        ]
        if own:
            return own[0]
    return IndexedServiceSettings if service in SERVICES_WITH_INDEX else ServiceSettings


def settings_fields(service: str) -> set[str]:
    """The LATERAL_* variable names the service reads."""
    return {"LATERAL_" + name.upper() for name in settings_class(service).model_fields}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Substitute ${VAR}, ${VAR:-default} and ${VAR:?error} as `docker compose` does."""

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return document


@pytest.fixture(scope="module")
def lateral(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The compose services built from the Dockerfile, by their SERVICE build argument."""
    return {
        spec["build"]["args"]["SERVICE"]: spec
        for spec in compose["services"].values()
        if "build" in spec
    }


def run_schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_passes_the_compose_spec_schema() -> None:
    result = run_schema_check(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_catches_a_broken_compose_file(tmp_path: Path) -> None:
    """Guards the check above: a misspelt depends_on condition must fail it."""
    broken = tmp_path / "docker-compose.yml"
    text = COMPOSE_FILE.read_text()
    broken.write_text(text.replace("condition: service_healthy", "condition: service_health", 1))
    result = run_schema_check(broken)
    assert result.returncode != 0
    assert "service_health" in result.stdout + result.stderr


def test_every_workspace_service_is_built_and_started(lateral: dict[str, dict[str, Any]]) -> None:
    projects = workspace_services()
    assert set(lateral) == set(projects)
    for service, spec in lateral.items():
        assert spec["build"]["context"] == "."
        assert (ROOT / spec["build"]["dockerfile"]).is_file()
        # The image's entry point runs `lateral-$SERVICE`; the distribution must declare it.
        assert f"lateral-{service}" in projects[service].get("scripts", {}), service


def test_services_with_tables_each_have_their_own_postgres_database(
    lateral: dict[str, dict[str, Any]],
) -> None:
    init_sql = (ROOT / "deploy/postgres/init.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+);", init_sql))
    databases = {}
    for service, spec in lateral.items():
        url = spec["environment"].get("LATERAL_DATABASE_URL")
        if url is not None:
            match = re.fullmatch(r"postgresql\+asyncpg://lateral:[^@]+@postgres:5432/(\w+)", url)
            assert match, f"{service}: LATERAL_DATABASE_URL is not an asyncpg URL to postgres"
            databases[service] = match.group(1)
    assert set(databases) == SERVICES_WITH_TABLES
    assert len(set(databases.values())) == len(databases), "two services share a database"
    assert set(databases.values()) == created


def test_published_ports_bind_to_loopback_only(compose: dict[str, Any]) -> None:
    published = {}
    for name, spec in compose["services"].items():
        for port in spec.get("ports", []):
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes a port beyond this machine"
            published[name] = port
    assert {"search-api", "ingest-gateway"} <= set(published)


def test_lateral_variables_are_real_settings(lateral: dict[str, dict[str, Any]]) -> None:
    for service, spec in lateral.items():
        names = {name for name in spec["environment"] if name.startswith("LATERAL_")}
        unknown = names - settings_fields(service)
        assert not unknown, f"{service} sets variables no setting reads: {sorted(unknown)}"


def test_each_service_environment_is_accepted_by_its_settings(
    lateral: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service, spec in lateral.items():
        env = {k: interpolate(str(v), USER_ENV) for k, v in spec["environment"].items()}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = settings_class(service)(_env_file=None)
        assert settings.environment == "production"
        assert settings.bus_url == "kafka://kafka:9092"
        assert settings.http_host == "0.0.0.0"  # noqa: S104 - inside a container, on purpose
        assert settings.kafka_enable_idempotence is True
        if isinstance(settings, IndexSettings):
            assert settings.index_url == "http://opensearch:9200"
        for name in env:
            monkeypatch.delenv(name)


def test_secrets_have_no_default_and_stop_compose_when_unset(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        for var, value in (spec.get("environment") or {}).items():
            if var in USER_ENV:
                with pytest.raises(KeyError, match=var):
                    interpolate(str(value), {})
                assert str(value).startswith(f"${{{var}:?"), f"{name}.{var} has a default"


def test_lateral_services_wait_for_healthy_engines(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        if "build" not in spec:
            continue
        service = spec["build"]["args"]["SERVICE"]
        needs = {"kafka"}
        needs |= {"postgres"} if service in SERVICES_WITH_TABLES else set()
        needs |= {"opensearch"} if service in SERVICES_WITH_INDEX else set()
        assert set(spec["depends_on"]) == needs, name
        for engine in needs:
            assert spec["depends_on"][engine] == {"condition": "service_healthy"}
            assert "test" in compose["services"][engine]["healthcheck"], engine


def test_prometheus_scrapes_every_service_on_its_http_port(
    lateral: dict[str, dict[str, Any]],
) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    for service, spec in lateral.items():
        assert f"{service}:{spec['environment']['LATERAL_HTTP_PORT']}" in targets, service
