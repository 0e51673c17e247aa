"""`netjob plan` is what will happen: a `when:` that reads only host, inventory, job and
`-e` variables is decided by the plan as the run decides it (skipped, with the reason);
one that reads `registered` is decided on the device; checks are listed with their rules;
`registered.NAME` that no earlier task registers is refused when the job loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixture_types import Write
from lab_fixture import load_report, run_cli, start_lab
from test_audit_mixed_platforms import AUDIT, MIXED
from typer.testing import CliRunner, Result

from netjob_lab.inventory import inventory_yaml
from runner.cli import app

_SKIPPED = re.compile(r"^  \[show\] (.+): skipped \(when: .+ is false\)$")


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={}, catch_exceptions=False)


def _plan_skips(output: str) -> dict[str, list[str]]:
    """Host → the tasks the plan shows as skipped."""
    skips: dict[str, list[str]] = {}
    host = ""
    for line in output.splitlines():
        if line.startswith("# "):
            host = line.split()[1]
            skips[host] = []
        elif found := _SKIPPED.match(line):
            skips[host].append(found.group(1))
    return skips


@pytest.mark.sessions
@pytest.mark.lab
def test_plan_shows_the_audits_skipped_tasks_as_the_run_skips_them_on_the_six_platform_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("PASSWORD", "lab-password"), ("SECRET", "lab-enable")):
        monkeypatch.setenv(f"NETJOB_LAB_{name}", value)
    with start_lab(devices=6, platforms=MIXED) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        plan = _invoke("plan", str(AUDIT), "-i", str(inventory))
        code = run_cli(AUDIT, inventory, tmp_path / "reports", "-q")
    assert plan.exit_code == 0, plan.output
    skips = _plan_skips(plan.output)
    assert skips["r006"] == ["software", "services", "interface descriptions"]  # VRP
    assert skips["r003"] == ["services", "interface descriptions"]  # Junos
    assert "  [show] software: skipped (when: host.platform != 'huawei' is false)" in plan.output
    assert "(6 hosts, 18 steps (9 skipped by when:)" in f"({plan.output.splitlines()[-1]}"
    # The same evaluation as the run's: what the plan skips is what the run skipped.
    assert code == 3
    report = load_report(tmp_path / "reports", "compliance_audit")
    ran = {
        host: [s["task"] for s in data["steps"] if s["status"] == "skipped"]
        for host, data in report["hosts"].items()
    }
    assert ran == skips


def test_plan_lists_each_check_with_its_rule_and_the_hosts_field(
    inventory_file: Path, write: Write
) -> None:
    job = write(
        "audit.yaml",
        """\
tasks:
  - name: software
    show: show version
    parse: textfsm
    checks:
      - name: allowed software version
        field: {arista_eos: image, default: version}
        in: ["15.9(3)M4", "17.9.4a"]
  - name: services
    show: show running-config
    when: role == 'core'
    checks:
      - name: ntp
        line: "ntp server {{ ntp_servers[0] }}"
""",
    )
    result = _invoke("plan", str(job), "-i", str(inventory_file), "--limit", "r1,r3")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "    check 'allowed software version': version in [15.9(3)M4, 17.9.4a]" in out
    assert "  [show] services (when: role == 'core' is true)" in out
    assert "    check 'ntp': line ntp server 192.0.2.1" in out  # rendered for the host
    assert "  [show] services: skipped (when: role == 'core' is false)" in out  # r3: special


def test_a_when_that_reads_registered_outputs_is_decided_on_the_device(
    inventory_file: Path, write: Write
) -> None:
    job = write(
        "ntp.yaml",
        """\
tasks:
  - name: current ntp
    show: show running-config | include ntp server
    register: ntp_now
  - name: add ntp
    when: "'192.0.2.9' not in registered.ntp_now"
    config: ["ntp server 192.0.2.9"]
""",
    )
    result = _invoke("plan", str(job), "-i", str(inventory_file), "--limit", "r1")
    assert result.exit_code == 0, result.output
    assert "  [config] add ntp (decided on the device: when: " in result.output
    assert "reads registered.ntp_now)" in result.output
    assert "1 host, 2 steps (1 decided on the device); nothing was contacted" in result.output


def test_a_step_rendered_by_the_plan_for_its_true_when_is_masked(
    inventory_file: Path, write: Write
) -> None:
    job = write(
        "key.yaml",
        "tasks:\n  - when: role == 'core'\n    config: ['tacacs-server key {{ tacacs_key }}']\n",
    )
    args = ("plan", str(job), "-i", str(inventory_file), "-l", "r1", "-e", "tacacs_key=Zq8xWv")
    result = _invoke(*args)
    assert result.exit_code == 0 and "    tacacs-server key " in result.output
    assert "Zq8xWv" not in result.output
    assert "Zq8xWv" in _invoke(*args, "--show-secrets").output


JOB = """\
tasks:
  - name: current ntp
    show: show running-config | include ntp server
    register: ntp_now
  - name: version
    show: show version
    register: version
  - name: add ntp
    tags: [push]
    when: "'192.0.2.9' not in registered.{name}"
    config: ["ntp server 192.0.2.9"]
"""


@pytest.mark.parametrize("command", ["plan", "run"])
def test_registered_that_no_earlier_task_registers_is_refused_at_load(
    inventory_file: Path, write: Write, command: str
) -> None:
    job = write("typo.yaml", JOB.format(name="ntp_nwo"))
    result = _invoke(command, str(job), "-i", str(inventory_file))
    assert result.exit_code == 2  # before anything connects (the inventory's hosts do not exist)
    assert result.output.strip() == (
        f"netjob: error: {job}:8: task 'add ntp' reads registered.ntp_nwo, but no earlier "
        "task registers 'ntp_nwo'; did you mean 'ntp_now'? registered before it: ntp_now, version"
    )


def test_a_registering_task_left_out_by_tags_is_named(inventory_file: Path, write: Write) -> None:
    job = write("tags.yaml", JOB.format(name="ntp_now"))
    result = _invoke("plan", str(job), "-i", str(inventory_file), "--tags", "push")
    assert result.exit_code == 2
    assert "reads registered.ntp_now, but no earlier task registers 'ntp_now': task " in (
        result.output
    )
    assert "'current ntp' does, and --tags/--skip-tags/--start-at-task leave it out" in (
        result.output
    )
    with_it = _invoke("plan", str(job), "-i", str(inventory_file))
    assert with_it.exit_code == 0, with_it.output


def test_a_step_the_plan_renders_for_its_true_when_is_refused_as_the_run_would(
    inventory_file: Path, write: Write
) -> None:
    job = write("reload.yaml", "tasks:\n  - when: role == 'core'\n    command: '{{ what }}'\n")
    args = ("plan", str(job), "-i", str(inventory_file), "-e", "what=reload")
    core = _invoke(*args, "-l", "r1")
    assert core.exit_code == 2
    assert "host r1" in core.output and "'reload' ends the session" in core.output
    assert _invoke(*args, "-l", "r3").exit_code == 0  # r3 is no core router: skipped


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        (  # a task reading its own registered output: it is not there yet
            "  - show: show version\n    register: v\n    checks:\n"
            '      - contains: "{{ registered.v }}"\n',
            "reads registered.v, but no earlier task registers 'v'; no task before it has "
            "`register:`",
        ),
        (  # `register:` on a config task: the run keeps nothing
            "  - name: push\n    config: [ntp server 192.0.2.9]\n    register: pushed\n"
            "  - name: check\n    when: \"'x' in registered.pushed\"\n    show: show clock\n",
            "reads registered.pushed, but no earlier task registers 'pushed': task 'push' is a "
            "config: task, and only show: and command: tasks register their output",
        ),
    ],
    ids=["its-own", "config-task"],
)
def test_registered_that_nothing_before_keeps_is_refused_saying_why(
    inventory_file: Path, write: Write, tasks: str, message: str
) -> None:
    job = write("job.yaml", f"tasks:\n{tasks}")
    result = _invoke("plan", str(job), "-i", str(inventory_file))
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
