"""The Helm chart rendered and linted by a real Helm engine (helm-python-sdk), offline.

The rendered manifests are validated against the Kubernetes schemas (kubernetes-validate), then
checked for what operators rely on: one Deployment and Service per service, probes, resources,
non-root pods, and secrets kept out of ConfigMaps.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy/helm/lateral"
KUBERNETES_VALIDATE = Path(sys.executable).parent / "kubernetes-validate"
SERVICES_WITH_TABLES = {"ingest-gateway", "matcher", "search-api", "alerts", "audit"}
SERVICES_WITH_INDEX = {"indexer", "search-api"}
# Test values the ConfigMaps must not contain.
SECRET_KEY = "test-secret-key-0123456789abcdef0123456789"  # noqa: S105
DB_PASSWORD = "db-password-7f3a91"  # noqa: S105
SECRET_VALUES = {
    "secrets": {
        "secretKey": SECRET_KEY,
        "databaseUrls": {
            name: f"postgresql+asyncpg://{name}:{DB_PASSWORD}@pg.db.svc:5432/{name}"
            for name in SERVICES_WITH_TABLES
        },
    }
}


def workspace_services() -> set[str]:
    """Service names (without `lateral-`) of the distributions under services/."""
    return {
        tomllib.loads(p.read_text())["project"]["name"].removeprefix("lateral-")
        for p in ROOT.glob("services/*/pyproject.toml")
    }


def render(values: dict[str, Any]) -> dict[str, str]:
    with helm.Chart.load(CHART) as chart:
        return chart.render(values, name="lateral", namespace="safeguarding")


def objects(manifests: dict[str, str]) -> list[dict[str, Any]]:
    """Every Kubernetes object in the rendered templates (NOTES.txt is not a manifest)."""
    return [
        doc
        for path, text in manifests.items()
        if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Objects of one kind by their component label (the service name), or by name."""
    return {
        d["metadata"]["labels"].get("app.kubernetes.io/component", d["metadata"]["name"]): d
        for d in docs
        if d["kind"] == kind
    }


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.fixture(scope="module")
def manifests() -> dict[str, str]:
    return render(SECRET_VALUES)


@pytest.fixture(scope="module")
def docs(manifests: dict[str, str]) -> list[dict[str, Any]]:
    return objects(manifests)


def test_chart_lints_clean_in_strict_mode() -> None:
    report = helm.lint(CHART, SECRET_VALUES, strict=True, kube_version="v1.33.0")
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # 2 warning, 3 error
    assert report["errors"] == [] and problems == [], report


@pytest.mark.parametrize("kubernetes_version", ["1.27.0", "1.37.0"])
def test_manifests_pass_kubernetes_schemas_strictly(
    manifests: dict[str, str], tmp_path: Path, kubernetes_version: str
) -> None:
    """The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest known."""
    files = []
    for path, text in manifests.items():
        if path.endswith(".yaml"):
            files.append(tmp_path / Path(path).name)
            files[-1].write_text(text)
    result = subprocess.run(
        [str(KUBERNETES_VALIDATE), "--strict", "--quiet", "-k", kubernetes_version, *files],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_one_deployment_and_service_per_workspace_service(docs: list[dict[str, Any]]) -> None:
    deployments, services = of_kind(docs, "Deployment"), of_kind(docs, "Service")
    assert set(deployments) == workspace_services()
    assert set(services) == workspace_services()
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = services[name]["spec"]["selector"]
        assert selector.items() <= pod_labels.items(), f"Service {name} selects no pod"
        port_names = {p["name"] for p in container(deployment)["ports"]}
        assert services[name]["spec"]["ports"][0]["targetPort"] in port_names
        assert container(deployment)["image"].endswith(f"lateral-{name}:0.1.0")


def test_probes_check_health_and_readiness(docs: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(docs, "Deployment").items():
        main = container(deployment)
        port_names = {p["name"] for p in main["ports"]}
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        for probe in ("livenessProbe", "readinessProbe"):
            assert main[probe]["httpGet"]["port"] in port_names, f"{name} {probe} port"


def test_every_container_has_resource_requests_and_limits(docs: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(docs, "Deployment").items():
        resources = container(deployment)["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(bound, {})), f"{name} {bound}"


def test_pods_run_as_non_root_on_a_read_only_file_system(docs: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(docs, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        main = container(deployment)["securityContext"]
        assert main["allowPrivilegeEscalation"] is False, name
        assert main["readOnlyRootFilesystem"] is True, name
        assert main["capabilities"]["drop"] == ["ALL"], name


def test_secrets_are_never_in_config_maps(docs: list[dict[str, Any]]) -> None:
    config_maps = of_kind(docs, "ConfigMap")
    assert config_maps, "no ConfigMap rendered"
    text = yaml.safe_dump(list(config_maps.values()))
    assert SECRET_KEY not in text and DB_PASSWORD not in text
    for name, deployment in of_kind(docs, "Deployment").items():
        env = {e["name"]: e for e in container(deployment).get("env", [])}
        secret_refs = {n for n, e in env.items() if "secretKeyRef" in e.get("valueFrom", {})}
        expected = {"LATERAL_SECRET_KEY"}
        expected |= {"LATERAL_DATABASE_URL"} if name in SERVICES_WITH_TABLES else set()
        assert secret_refs == expected, name


def test_config_maps_set_real_settings_with_the_engines_addresses(
    docs: list[dict[str, Any]],
) -> None:
    from lateral_search_api.config import SearchApiSettings
    from lateral_shared.settings import IndexSettings, ServiceSettings

    known = {
        "LATERAL_" + field.upper()
        for cls in (ServiceSettings, IndexSettings)
        for field in cls.model_fields
    }
    search_api_only = {"LATERAL_" + f.upper() for f in SearchApiSettings.model_fields} - known
    for name, config_map in of_kind(docs, "ConfigMap").items():
        data = config_map["data"]
        allowed = known | (search_api_only if name == "search-api" else set())
        assert set(data) <= allowed, f"{name}: {sorted(set(data) - allowed)}"
        assert data["LATERAL_BUS_URL"].startswith("kafka://"), name
        assert ("LATERAL_INDEX_URL" in data) == (name in SERVICES_WITH_INDEX), name
    # The web app's review pages reach the matcher through the matcher's Service.
    search_api = of_kind(docs, "ConfigMap")["search-api"]["data"]
    matcher = of_kind(docs, "Service")["matcher"]
    port = matcher["spec"]["ports"][0]["port"]
    assert search_api["LATERAL_MATCHER_URL"] == f"http://{matcher['metadata']['name']}:{port}"


def test_pods_carry_prometheus_scrape_annotations(docs: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(docs, "Deployment").items():
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        port = str(container(deployment)["ports"][0]["containerPort"])
        assert annotations["prometheus.io/scrape"] == "true", name
        assert annotations["prometheus.io/port"] == port, name
        assert annotations["prometheus.io/path"] == "/metrics", name


def test_an_existing_secret_replaces_the_chart_secret() -> None:
    docs = objects(render({"secrets": {"existingSecret": "lateral-prod-secrets"}}))
    assert of_kind(docs, "Secret") == {}
    for name, deployment in of_kind(docs, "Deployment").items():
        for entry in container(deployment)["env"]:
            assert entry["valueFrom"]["secretKeyRef"]["name"] == "lateral-prod-secrets", name


def test_rendering_without_secrets_fails_naming_the_value_to_set() -> None:
    with pytest.raises(helm.HelmRenderError, match=r"secrets\.secretKey is required"):
        render({})
    values = {"secrets": {"secretKey": SECRET_KEY, "databaseUrls": {"matcher": "x"}}}
    with pytest.raises(helm.HelmRenderError, match=r"secrets\.databaseUrls\.alerts is required"):
        render(values)


def test_mistyped_values_are_rejected_naming_the_field() -> None:
    values = {**SECRET_VALUES, "environment": "prod", "kafka": {"bootstrapServers": ["kafka"]}}
    with pytest.raises(helm.HelmValuesError) as raised:
        render(values)
    assert "/environment" in str(raised.value)
    assert "/kafka/bootstrapServers/0" in str(raised.value)
