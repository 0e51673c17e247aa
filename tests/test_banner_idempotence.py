"""Config idempotence holds for banners: IOS stores `banner motd ^text^` as `^Ctext^C`, and
the remediation compares the task's banner in that form (through the CLI, against the lab)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

JOB = 'tasks:\n  - name: banner\n    config: ["banner motd ^Authorized only^"]\n'


def test_a_banner_pushed_twice_is_changed_then_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    job, inventory, reports = tmp_path / "banner.yaml", tmp_path / "inv.yaml", tmp_path / "r"
    job.write_text(JOB)
    run = ["run", str(job), "-i", str(inventory), "--reports", str(reports), "-q"]
    statuses = []
    with start_lab(devices=1) as lab:
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        for _ in range(2):
            assert main(run) == 0
            report = json.loads((reports / "banner" / "latest" / "report.json").read_text())
            step = report["hosts"]["r001"]["steps"][0]
            statuses.append((step["status"], step["note"]))
        assert "banner motd ^CAuthorized only^C" in lab.device("r001").running_config()
    assert statuses == [("changed", None), ("ok", "unchanged")]
