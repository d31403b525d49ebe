"""The example pipelines under ci/ parse, call only commands README documents, and do what the issue asks of a
nightly CI against a real lab: non-destructive nightly, destructive weekly behind a confirmation, the gate on
changes to network configuration, reports as artifacts, secrets from the CI's store."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "ci" / "github-actions.yml"
GITLAB = ROOT / "ci" / "gitlab-ci.yml"
SECRETS = ("XEN_PASSWORD", "SWITCH_PASSWORD", "SWITCH_ENABLE_SECRET", "CHAP_PASSWORD")
GITLAB_KEYWORDS = {"variables", "stages", "default", "include", "workflow", "image", "services", "cache"}


def github() -> dict:
    return yaml.safe_load(GITHUB.read_text())


def gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text())


def github_jobs() -> dict[str, list[str]]:
    return {
        name: [line for step in job["steps"] if "run" in step for line in step["run"].splitlines()]
        for name, job in github()["jobs"].items()
    }


def gitlab_jobs() -> dict[str, list[str]]:
    return {
        name: list(job.get("script", []))
        for name, job in gitlab().items()
        if name not in GITLAB_KEYWORDS and not name.startswith(".")
    }


def xenlab_commands(lines: list[str]) -> list[list[str]]:
    """The xenlab commands among shell lines, as words (comments dropped)."""
    words = [shlex.split(line, comments=True) for line in lines]
    return [w for w in words if w and (w[0] in ("./run", "xenlab") or w[0].endswith("/xenlab"))]


def stem(words: list[str]) -> tuple[str, ...]:
    """The command itself, without its arguments: ./run gate snapshot."""
    out = []
    for word in words:
        if word.startswith(("-", "$")) or re.match(r"^(mr|pr)-", word) or not re.fullmatch(r"[\w./]+", word):
            break
        out.append(word)
    return tuple(out)


def readme_commands() -> list[list[str]]:
    """Every command line in README's code blocks (indented by four spaces or fenced)."""
    lines = [
        line.strip()
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("    ") and line.strip()
    ]
    return [shlex.split(line, comments=True) for line in lines if line.startswith(("./run", ".venv/bin/xenlab"))]


@pytest.mark.parametrize("jobs", [github_jobs, gitlab_jobs], ids=["github", "gitlab"])
def test_pipelines_call_only_commands_readme_documents(jobs) -> None:
    documented = readme_commands()
    stems = {stem(c) for c in documented}
    options = {word.split("=")[0] for c in documented for word in c if word.startswith("--")}
    used = [c for lines in jobs().values() for c in xenlab_commands(lines)]
    assert used, "the pipeline calls no xenlab command"
    for command in used:
        assert stem(command) in stems, f"{' '.join(command)}: README does not document {' '.join(stem(command))}"
        for word in command:
            if word.startswith("--"):
                assert word.split("=")[0] in options, f"{' '.join(command)}: README does not document {word}"


def test_github_runs_nightly_weekly_destructive_with_approval_and_the_gate_on_network_changes() -> None:
    data = github()
    triggers = data.get("on") or data[True]  # YAML 1.1 reads a bare `on` as true
    assert {s["cron"] for s in triggers["schedule"]} == {"0 2 * * *", "0 4 * * 6"}
    assert any("network" in p for p in triggers["pull_request"]["paths"])
    jobs, commands = data["jobs"], github_jobs()
    destructive = [name for name, lines in commands.items() if "--allow-destructive" in " ".join(lines)]
    assert destructive == ["weekly-destructive"]
    assert jobs["weekly-destructive"]["environment"] == "lab-destructive"  # a protected environment confirms
    assert "--allow-destructive" not in " ".join(commands["nightly"])
    gate = [stem(c) for c in xenlab_commands(commands["gate"])]
    assert gate == [("./run", "gate", "snapshot"), ("./run", "gate", "check")]
    assert jobs["gate"]["if"] == "github.event_name == 'pull_request'"
    for variable in SECRETS:
        assert data["env"][variable] == f"${{{{ secrets.{variable} }}}}", variable
    for name in ("nightly", "weekly-destructive", "gate"):
        uploads = [s for s in jobs[name]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
        assert uploads and uploads[0]["if"] == "always()" and "reports/junit.xml" in uploads[0]["with"]["path"]
        assert "reports/allure-report/index.html" in uploads[0]["with"]["path"]


def test_gitlab_runs_nightly_weekly_destructive_manually_and_the_gate_on_network_changes() -> None:
    data, commands = gitlab(), gitlab_jobs()
    assert set(commands) == {"nightly", "weekly-destructive", "gate"}
    assert "nightly" in str(data["nightly"]["rules"]) and "schedule" in str(data["nightly"]["rules"])
    weekly = data["weekly-destructive"]
    assert weekly["rules"][0]["when"] == "manual" and weekly["environment"]["name"] == "lab-destructive"
    assert [n for n, lines in commands.items() if "--allow-destructive" in " ".join(lines)] == ["weekly-destructive"]
    gate_rule = data["gate"]["rules"][0]
    assert "merge_request_event" in gate_rule["if"] and any("network" in c for c in gate_rule["changes"])
    assert [stem(c) for c in xenlab_commands(commands["gate"])] == [
        ("./run", "gate", "snapshot"),
        ("./run", "gate", "check"),
    ]
    for name in commands:
        artifacts = data[name]["artifacts"]
        assert artifacts["when"] == "always" and artifacts["reports"]["junit"] == "reports/junit.xml"
        assert "reports/allure-report/index.html" in artifacts["paths"]
    text = GITLAB.read_text()
    for variable in SECRETS:  # masked CI/CD variables: never given a value in the file
        assert not re.search(rf"^\s*{variable}\s*:", text, re.M), variable
    assert "reports/history.jsonl" in data["default"]["cache"]["paths"]
