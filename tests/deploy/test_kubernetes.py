"""The manifests in deploy/kubernetes/ hold what a cluster needs to run stackbot safely: checked
as data (no cluster is available here; docs/operations.md says so)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from core.settings import SECRETS
from tests.deploy.files import KUBERNETES, kubernetes_documents

DEPLOYMENTS = ("stackbot-web", "stackbot-worker", "stackbot-clock")


@pytest.fixture(scope="module")
def objects() -> dict[str, dict[str, Any]]:
    return kubernetes_documents()


def pod(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


def container(obj: dict[str, Any]) -> dict[str, Any]:
    [only] = pod(obj)["containers"]
    assert isinstance(only, dict)
    return only


def test_it_defines_the_objects_the_docs_name(objects: dict[str, dict[str, Any]]) -> None:
    assert set(objects) == {
        "Deployment/stackbot-web",
        "Deployment/stackbot-worker",
        "Deployment/stackbot-clock",
        "Job/stackbot-migrate",
        "Service/stackbot-web",
        "Secret/stackbot",
    }
    for key, obj in objects.items():
        api = {"Deployment": "apps/v1", "Job": "batch/v1", "Service": "v1", "Secret": "v1"}
        assert obj["apiVersion"] == api[obj["kind"]], key


def test_kustomize_applies_everything_but_the_example_secret() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    manifests = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests - {"secret.example.yaml"}
    assert [image["name"] for image in kustomization["images"]] == ["stackbot"]


def test_each_deployment_selects_its_own_pods(objects: dict[str, dict[str, Any]]) -> None:
    for name in DEPLOYMENTS:
        deployment = objects[f"Deployment/{name}"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
        assert selector["app.kubernetes.io/component"] == name.removeprefix("stackbot-")


def test_each_process_runs_the_stackbot_command_it_is_named_for(
    objects: dict[str, dict[str, Any]],
) -> None:
    commands = {
        key: container(obj)["args"]
        for key, obj in objects.items()
        if "template" in obj.get("spec", {})
    }
    assert commands == {
        "Deployment/stackbot-web": ["serve"],
        "Deployment/stackbot-worker": ["worker"],
        "Deployment/stackbot-clock": ["clock"],
        "Job/stackbot-migrate": ["migrate"],
    }
    for key, obj in objects.items():
        if "template" in obj.get("spec", {}):
            assert container(obj)["image"] == "stackbot", key
            assert "command" not in container(obj), f"{key}: the image's ENTRYPOINT runs"


def test_the_web_pods_are_probed_on_livez_and_readyz_on_their_port(
    objects: dict[str, dict[str, Any]],
) -> None:
    web = container(objects["Deployment/stackbot-web"])
    [port] = web["ports"]
    env = {e["name"]: e["value"] for e in web["env"]}
    assert str(port["containerPort"]) == env["PORT"]
    probes = {kind: web[kind]["httpGet"] for kind in ("livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"] == {"path": "/livez", "port": port["name"]}
    assert probes["readinessProbe"] == {"path": "/readyz", "port": port["name"]}
    assert web["startupProbe"]["httpGet"]["path"] == "/livez"
    service = objects["Service/stackbot-web"]["spec"]
    assert service["ports"][0]["targetPort"] == port["name"]
    assert (
        service["selector"] == objects["Deployment/stackbot-web"]["spec"]["selector"]["matchLabels"]
    )


def test_there_is_one_clock_and_never_two_even_during_an_update(
    objects: dict[str, dict[str, Any]],
) -> None:
    clock = objects["Deployment/stackbot-clock"]
    assert clock["spec"]["replicas"] == 1
    assert clock["spec"]["strategy"] == {"type": "Recreate"}
    probe = container(clock)["livenessProbe"]["exec"]["command"]
    assert probe == ["stackbot", "health", "clock"]


def test_the_migration_job_retries_a_few_times_and_then_stops(
    objects: dict[str, dict[str, Any]],
) -> None:
    job = objects["Job/stackbot-migrate"]
    assert 0 < job["spec"]["backoffLimit"] <= 5
    assert pod(job)["restartPolicy"] in {"OnFailure", "Never"}


def test_every_pod_runs_unprivileged_on_a_read_only_root(
    objects: dict[str, dict[str, Any]],
) -> None:
    for key, obj in objects.items():
        if "template" not in obj.get("spec", {}):
            continue
        security = pod(obj)["securityContext"]
        assert security["runAsNonRoot"] is True, key
        assert security["runAsUser"] == 10001, f"{key}: the image's user"
        own = container(obj)["securityContext"]
        assert own["allowPrivilegeEscalation"] is False, key
        assert own["readOnlyRootFilesystem"] is True, key
        assert own["capabilities"]["drop"] == ["ALL"], key
        mounts = {m["mountPath"]: m["name"] for m in container(obj)["volumeMounts"]}
        assert mounts["/tmp"] == "tmp", f"{key}: gunicorn and the pictures write to /tmp"


def test_secrets_are_files_from_the_secret_never_values(
    objects: dict[str, dict[str, Any]],
) -> None:
    keys = set(objects["Secret/stackbot"]["stringData"])
    for key, obj in objects.items():
        if "template" not in obj.get("spec", {}):
            continue
        env = {e["name"]: e for e in container(obj)["env"]}
        for name in SECRETS:
            assert name not in env, f"{key} sets {name} itself"
        volumes = {v["name"]: v for v in pod(obj)["volumes"]}
        assert volumes["secrets"]["secret"]["secretName"] == "stackbot"
        mounts = {m["name"]: m for m in container(obj)["volumeMounts"]}
        assert mounts["secrets"]["readOnly"] is True
        folder = mounts["secrets"]["mountPath"]
        for name, variable in env.items():
            if name.endswith("_FILE"):
                assert name.removesuffix("_FILE") in SECRETS, name
                path = variable["value"]
                assert path.startswith(folder + "/"), f"{key}: {name}"
                assert path.removeprefix(folder + "/") in keys, f"{key}: {name} names no key"
        assert "DATABASE_URL_FILE" in env, key


def test_the_example_secret_holds_only_placeholders(
    objects: dict[str, dict[str, Any]],
) -> None:
    for key, value in objects["Secret/stackbot"]["stringData"].items():
        assert "CHANGE-ME" in value, key
