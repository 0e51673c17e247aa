"""Machine-readable output (against the schema in the repo), `netjob report` and
`netjob show` over past runs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from fake_runs import SCHEMA, audit_run
from fixture_types import Write

from runner.cli import main


@pytest.fixture
def run_dir(inventory_file: Path, write: Write) -> Path:
    return audit_run(inventory_file, write, "show version", "[x]")


def test_report_json_follows_the_published_schema(run_dir: Path) -> None:
    data = json.loads((run_dir / "report.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["hosts"]["r3"]["failure"] == "auth_failed"
    assert data["compliance"]["rules"]["never"]["fail"] == 2


def test_the_schema_catches_a_broken_report(run_dir: Path) -> None:
    data = json.loads((run_dir / "report.json").read_text())
    data["hosts"]["r1"]["status"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_report_command_prints_json_or_yaml(
    run_dir: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(run_dir), "--output", fmt]) == 1  # the run's own code: r3 failed
    out = capsys.readouterr().out
    data = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    jsonschema.validate(data, SCHEMA)


def test_report_command_finds_a_job_s_latest_run_and_shows_its_summary(
    run_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(run_dir.parent.parent.parent)
    assert main(["report", "audit.yaml"]) == 1
    out = capsys.readouterr().out
    assert "3 hosts: 0 ok, 2 changed, 1 failed" in out and "auth_failed" in out
    assert "compliance: 0 hosts compliant, 2 not" in out
    assert main(["report"]) == 1  # the newest run of any job
    assert "3 hosts" in capsys.readouterr().out


def test_show_prints_what_a_device_said(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(run_dir), "r2", "v"]) == 0
    out = capsys.readouterr().out
    assert ">>> show version" in out and "r2: show version" in out and "== c" not in out
    assert main(["show", str(run_dir), "nosuch"]) == 2
    assert "host 'nosuch' is not in the run" in capsys.readouterr().err


def test_show_with_an_unknown_task_names_the_tasks(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", str(run_dir), "r2", "V"]) == 2
    assert "has no task 'V' in that run; its tasks: v, c" in capsys.readouterr().err
