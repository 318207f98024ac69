"""Every way of running stackbot (Procfile, Dockerfile, compose.yaml, Kubernetes) runs the same
commands, and each of them is one `stackbot` has, or one this release is still building
(COMING_COMMANDS, COMING_PATHS in tests/deploy/files.py). Once a coming one exists, a test here
fails until the list and the docs' "coming" notes are cleared."""

from __future__ import annotations

from tests.deploy.files import (
    COMING_COMMANDS,
    COMING_PATHS,
    ROOT,
    cli_commands,
    compose,
    dockerfile_stages,
    kubernetes_documents,
    procfile,
    served_paths,
)


def commands_run_by_the_deploy_files() -> dict[str, set[str]]:
    """Where each stackbot subcommand is run from."""
    runs: dict[str, set[str]] = {}

    def note(where: str, argv: list[str]) -> None:
        runs.setdefault(argv[0], set()).add(where)

    for kind, words in procfile().items():
        assert words[0] == "stackbot", f"Procfile {kind}: {words}"
        note("Procfile", words[1:])
    runtime = dockerfile_stages((ROOT / "Dockerfile").read_text())[-1]
    note("Dockerfile", runtime.all("CMD")[-1].exec_form())
    for name, service in compose()["services"].items():
        if service.get("image") == "stackbot:local":
            note(f"compose.yaml {name}", service["command"])
        test = service.get("healthcheck", {}).get("test", [])
        if test[:2] == ["CMD", "stackbot"]:
            note(f"compose.yaml {name} healthcheck", test[2:])
    for key, obj in kubernetes_documents().items():
        for container in (
            obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
        ):
            note(key, container["args"])
            probe = container.get("livenessProbe", {}).get("exec", {}).get("command", [])
            if probe:
                assert probe[0] == "stackbot"
                note(f"{key} livenessProbe", probe[1:])
    return runs


def test_every_command_the_deploy_files_run_exists_or_is_coming() -> None:
    for command, where in commands_run_by_the_deploy_files().items():
        assert command in cli_commands() or command in COMING_COMMANDS, (
            f"`stackbot {command}` (run by {sorted(where)}) is not a stackbot command"
        )


def test_a_coming_command_is_listed_only_until_it_exists() -> None:
    for command, what in COMING_COMMANDS.items():
        assert command not in cli_commands(), (
            f"`stackbot {command}` ({what}) exists now: take it off COMING_COMMANDS in "
            "tests/deploy/files.py and the 'coming' notes in docs/operations.md, compose.yaml "
            "and deploy/kubernetes/"
        )


def test_a_coming_endpoint_is_listed_only_until_it_is_served() -> None:
    served = served_paths()
    assert "/healthz" in served, "the path search no longer finds /healthz: it is out of date"
    for path, what in COMING_PATHS.items():
        assert path not in served, (
            f"{path} ({what}) is served now: take it off COMING_PATHS in tests/deploy/files.py "
            "and the 'coming' notes in docs/operations.md, Dockerfile and deploy/kubernetes/"
        )


def test_the_procfile_and_compose_run_the_same_processes() -> None:
    from_procfile = {words[1] for words in procfile().values()}
    from_compose = {
        service["command"][0]
        for service in compose()["services"].values()
        if service.get("image") == "stackbot:local"
    }
    assert from_procfile == from_compose == {"serve", "worker", "clock", "migrate"}


def test_the_procfile_migrates_on_release_and_runs_one_clock() -> None:
    processes = procfile()
    assert processes["release"] == ["stackbot", "migrate"]
    assert [kind for kind, words in processes.items() if words[1:] == ["clock"]] == ["clock"]
