"""pre_checks:, post_checks:, until: and rescue: on the lab, through the real CLI (netmiko
over SSH): which hosts fail and how, and what reached each device's running config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import start_lab
from typer.testing import CliRunner

from netjob_lab import Lab
from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.cli import main
from runner.cli.app import app

pytestmark = pytest.mark.lab

NTP = "ntp server 192.0.2.10"
LOGGING = "logging host 192.0.2.77"
# The lab's GigabitEthernet0/1 is up: status and protocol (the link_up_after fault shows
# its protocol down for a number of looks).
LINK_UP = r"^GigabitEthernet0/1\s.*up\s+up\s*$"


@pytest.fixture(autouse=True)
def _lab_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


def _lab(*faults: str) -> Any:
    return start_lab(devices=3, faults=parse_faults(faults))


def _run(tmp_path: Path, lab: Lab, job: str, *args: str) -> tuple[int, dict[str, Any]]:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
    path = tmp_path / "job.yaml"
    path.write_text(job)
    reports = tmp_path / "reports"
    code = main(["run", str(path), "-i", str(inventory), "--reports", str(reports), *args])
    report = json.loads((reports / "job" / "latest" / "report.json").read_text())
    return code, report


def _host_steps(folder: Path, host: str) -> dict[str, dict[str, Any]]:
    latest = folder / "reports" / "job" / "latest" / "hosts" / f"{host}.json"
    data = json.loads(latest.read_text())
    return {step["task"]: step for step in data["steps"]}


LINKS_JOB = f"""
hosts: all
pre_checks:
  - name: link up before
    show: show ip interface brief
    checks: [{{regex: '{LINK_UP}'}}]
post_checks:
  - name: ntp in place
    show: show running-config
    checks: [{{contains: "{NTP}"}}]
  - name: link up after
    show: show ip interface brief
    checks: [{{regex: '{LINK_UP}'}}]
tasks:
  - name: ntp
    config: ["{NTP}"]
"""


@pytest.mark.sessions
def test_a_failing_pre_check_sends_nothing_to_that_host(tmp_path: Path) -> None:
    with _lab("r002=link_up_after:1") as lab:
        code, report = _run(tmp_path, lab, LINKS_JOB)
        configs = {name: lab.device(name).running_config() for name in ("r001", "r002", "r003")}
        applied = lab.device("r002").applied_lines
    assert code == 1
    hosts = report["hosts"]
    assert hosts["r002"]["status"] == "failed"
    assert hosts["r002"]["failure"] == "pre_check_failed"
    assert "pre-check 'regex" in hosts["r002"]["error"]
    assert NTP not in configs["r002"] and applied == 0  # read on the device itself
    steps = _host_steps(tmp_path, "r002")
    assert steps["ntp"]["status"] == "skipped" and "pre-check" in (steps["ntp"]["note"] or "")
    for name in ("r001", "r003"):
        assert hosts[name]["status"] == "changed", hosts[name]
        assert NTP in configs[name]


@pytest.mark.sessions
def test_a_failing_post_check_fails_exactly_those_hosts(tmp_path: Path) -> None:
    # r003's link shows down on its first two looks: the pre-check (look 1) would stop
    # it, so the job has no pre-check here; the post-check is the host's first look.
    job = LINKS_JOB.replace(LINKS_JOB[LINKS_JOB.index("pre_checks") : LINKS_JOB.index("post")], "")
    with _lab("r003=link_up_after:1") as lab:
        code, report = _run(tmp_path, lab, job)
        configs = {name: lab.device(name).running_config() for name in ("r001", "r002", "r003")}
    assert code == 1
    hosts = report["hosts"]
    assert hosts["r003"]["status"] == "failed"
    assert hosts["r003"]["failure"] == "post_check_failed"
    assert "post-check" in hosts["r003"]["error"] and "link up after" in hosts["r003"]["error"]
    assert NTP in configs["r003"]  # sent: the post-check judged what it left
    assert report["summary"]["failures"] == {"post_check_failed": 1}
    for name in ("r001", "r002"):
        assert hosts[name]["status"] == "changed" and hosts[name]["failure"] is None


UNTIL_JOB = f"""
hosts: all
tasks:
  - name: wait for the link
    show: show ip interface brief
    until: [{{regex: '{LINK_UP}'}}]
    retries: 4
    delay: 0.1
  - name: ntp
    config: ["{NTP}"]
"""


@pytest.mark.sessions
def test_until_waits_for_a_link_that_comes_up_and_fails_one_that_never_does(
    tmp_path: Path,
) -> None:
    with _lab("r001=link_up_after:3", "r002=link_up_after:50") as lab:
        code, report = _run(tmp_path, lab, UNTIL_JOB)
        configs = {name: lab.device(name).running_config() for name in ("r001", "r002")}
    assert code == 1
    hosts = report["hosts"]
    assert hosts["r001"]["status"] == "changed" and NTP in configs["r001"]
    waited = _host_steps(tmp_path, "r001")["wait for the link"]
    assert waited["status"] == "ok" and "held on look 4 of 5" in waited["note"]
    assert hosts["r002"]["failure"] == "until_failed"
    assert "did not hold after 5 looks" in hosts["r002"]["error"]
    assert NTP not in configs["r002"]  # the task after it never ran
    assert hosts["r003"]["status"] == "changed"
    assert "held on look 1 of 5" in _host_steps(tmp_path, "r003")["wait for the link"]["note"]


RESCUE_JOB = f"""
hosts: all
tasks:
  - name: ntp
    config: ["{NTP}"]
rescue:
  - name: note the failure
    config: ["{LOGGING}"]
  - name: look
    show: show running-config
"""


@pytest.mark.sessions
def test_rescue_runs_on_failed_hosts_only_and_they_stay_failed(tmp_path: Path) -> None:
    with _lab("r002=reject:ntp server") as lab:
        code, report = _run(tmp_path, lab, RESCUE_JOB)
        configs = {name: lab.device(name).running_config() for name in ("r001", "r002", "r003")}
    assert code == 1
    hosts = report["hosts"]
    assert hosts["r002"]["status"] == "failed"
    assert hosts["r002"]["failure"] == "command_rejected"  # the cause, not the rescue
    assert "rescued by 2 tasks; the host stays failed" in hosts["r002"]["error"]
    assert LOGGING in configs["r002"]
    rescued = _host_steps(tmp_path, "r002")
    assert rescued["note the failure"]["status"] == "changed"
    assert "rescue of task 'ntp'" in rescued["note the failure"]["note"]
    for name in ("r001", "r003"):
        assert hosts[name]["status"] == "changed"
        assert LOGGING not in configs[name]
        steps = _host_steps(tmp_path, name)
        assert steps["note the failure"]["status"] == "skipped"
        assert steps["note the failure"]["note"] == "rescue: no task failed"


def test_plan_lists_pre_and_post_checks_until_and_rescue(tmp_path: Path) -> None:
    job = LINKS_JOB + UNTIL_JOB.split("tasks:\n", 1)[1].replace(
        "  - name: ntp\n", "  - name: ntp2\n"
    )
    job += RESCUE_JOB.split("rescue:\n", 1)[1].join(["rescue:\n", ""])
    with _lab() as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        (tmp_path / "job.yaml").write_text(job)
        result = CliRunner().invoke(
            app, ["plan", str(tmp_path / "job.yaml"), "-i", str(inventory), "--limit", "r001"]
        )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[show, pre-check: a failing check stops the host's config] link up before" in out
    assert "[show, post-check: a failing check fails the host] ntp in place" in out
    assert f"until 'regex {LINK_UP}'" in out and "(5 looks at most, 0.1s apart)" in out
    assert "[config, rescue: runs only once a task of the host has failed] note the failure" in out
    lines = out.splitlines()
    order = [i for i, line in enumerate(lines) if "pre-check" in line or "] ntp" in line]
    assert "pre-check" in lines[order[0]]  # before the first config task


@pytest.mark.parametrize(
    ("snippet", "said"),
    [
        ("    until: \"'up' in output\"\n", "until: is a list of checks"),
        ("    retries: 3\n", "retries: goes with until:"),
        ("    until: [{contains: up}]\n    retries: -1\n", "expected a whole number from 0"),
    ],
)
def test_until_refuses_what_it_cannot_honour(tmp_path: Path, snippet: str, said: str) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(f"tasks:\n  - show: show version\n{snippet}")
    result = CliRunner().invoke(app, ["plan", str(path), "-i", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert said in result.output and "job.yaml:" in result.output


def test_a_pre_check_must_be_a_show_task_with_checks(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text("pre_checks:\n  - config: [x]\ntasks:\n  - show: show version\n")
    result = CliRunner().invoke(app, ["plan", str(path), "-i", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "a pre-check is a show task with checks:" in result.output
