"""`netjob rollback RUN --confirm`: each host's replace under the device's revert timer,
confirmed from a fresh login as `netjob run --confirm` does, through real netmiko over
real SSH to the lab (its timers run for real, at a test-only clock speed); and a `rescue:`
that would act while a change is pending under a timer is not run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lab_fixture import device_of, load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

# The platforms whose replace goes under their timer: IOS `configure replace ... time N`,
# Junos `load override` + `commit confirmed N`, IOS-XR `commit replace confirmed N`.
PLATFORMS = ("cisco_ios", "juniper_junos", "cisco_xr")
SCHEMA = json.loads((Path(__file__).parent.parent / "schema/report.schema.json").read_text())
TIMERS = "ios=1m,junos=1m,iosxr=30s"
PUSH = """\
name: push
hosts: all
tasks:
  - name: push
    config:
      cisco_ios: [ntp server 192.0.2.77, interface Loopback7, description pushed]
      juniper_junos: [set system ntp server 192.0.2.77]
      cisco_xr: [ntp server 192.0.2.77, interface Loopback7, description pushed]
"""


@pytest.fixture(autouse=True)
def _lab_login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The lab's credentials for the inventory; anything written lands in the test's folder."""
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "NETJOB_LAB_PASSWORD": "lab-password",
        "NETJOB_LAB_SECRET": "lab-enable",
    }.items():
        monkeypatch.setenv(key, value)


def _config(lab: Lab, name: str) -> list[str]:
    """The running config, without Junos' `## Last commit` stamp (a revert is a commit)."""
    return [
        line for line in lab.device(name).running_config().splitlines() if "## Last" not in line
    ]


def _inventory(tmp_path: Path, lab: Lab) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(inventory_yaml(lab.endpoints, lab.config))
    return path


def test_rollback_with_confirm_reverts_a_cut_host_and_confirms_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    # At 3 times real speed: 20 s for a minute's timer, 10 s for XR's 30 s.
    with start_lab(devices=6, platforms=PLATFORMS, clock_speed=3.0) as lab:
        names = [e.hostname for e in lab.endpoints]
        platform = {n: lab.config.platform_of(i) for i, n in enumerate(names, 1)}
        for name in names:  # IOS's timer needs `archive` / `path`, as on a real device
            if platform[name] == "cisco_ios":
                device_of(lab, name).config.archive_path = "flash:netjob-archive"
        kept = {n: _config(lab, n) for n in names}
        job = tmp_path / "push.yaml"
        job.write_text(PUSH)
        inventory = _inventory(tmp_path, lab)
        assert run_cli(job, inventory, reports) == 0
        pushed = {n: _config(lab, n) for n in names}
        assert all(pushed[n] != kept[n] for n in names)

        cut = names[3:]  # one of each platform: its replace cuts netjob's access
        for name in cut:
            lab.cut_after_commit(name, 40)
        args = ["-i", str(inventory), "--reports", str(reports), "--confirm", TIMERS]
        assert main(["rollback", str(job), *args]) == 1  # the cut hosts: never a success
        report = load_report(reports, "rollback")
        jsonschema.validate(report, SCHEMA)  # a timed replace step, confirmed or reverted
        for name in names:
            host = report["hosts"][name]
            step = host["steps"][0]
            if name in cut:
                assert host["status"] == "failed", host
                assert step["confirm"] in ("reverted", "unknown"), step
                # Read from the device after its timer: the config from before the rollback.
                assert _config(lab, name) == pushed[name], name
                assert lab.device(name).revert.reverts == 1, name
            else:
                assert host["status"] == "changed", host
                assert step["confirm"] == "confirmed", step
                assert "confirmed from a fresh login" in step["note"], step
                assert _config(lab, name) == kept[name], name
                assert lab.device(name).revert.confirms == 1, name
        assert report["summary"]["changed"] == len(names) - len(cut)
        # The run folder's records judge a replace by the whole config, from another process
        # too: `netjob verify` sees the kept config on the confirmed hosts, the one from
        # before the rollback on the cut ones.
        capsys.readouterr()
        run_dir = (reports / "rollback" / "latest").resolve()
        assert main(["verify", str(run_dir), "-i", str(inventory)]) == 1
        lines = capsys.readouterr().out.splitlines()[:6]
        seen = {line.split()[1]: line.split()[0] for line in lines}
        assert seen == {n: "reverted" if n in cut else "confirmed" for n in names}, seen


def test_rollback_confirm_refuses_a_platform_whose_replace_has_no_timer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """EOS's `configure replace` applies outside a configuration session: its `commit
    timer` cannot cover it, so --confirm is refused before anything connects."""
    reports = tmp_path / "reports"
    with start_lab(devices=1, platforms=("arista_eos",)) as lab:
        job = tmp_path / "push.yaml"
        job.write_text("name: push\nhosts: all\ntasks:\n  - config: [ntp server 192.0.2.77]\n")
        inventory = _inventory(tmp_path, lab)
        assert run_cli(job, inventory, reports) == 0
        before = lab.device("r001").running_config()
        capsys.readouterr()
        args = ["-i", str(inventory), "--reports", str(reports), "--confirm", "30s"]
        assert main(["rollback", str(job), *args]) == 2
        said = capsys.readouterr().err
        assert "arista_eos" in said and "its replace cannot go under its revert timer" in said
        assert said.count("\n") == 1, said
        assert lab.device("r001").running_config() == before  # nothing sent


RESCUE_JOB = """\
name: guarded
hosts: all
tasks:
  - name: loopback
    config: [interface Loopback77, description change-under-timer]
post_checks:
  - name: never
    show: show running-config
    checks:
      - {name: impossible, contains: no-such-line-anywhere}
rescue:
  - name: undo by hand
    config: [interface Loopback77, description rescued]
  - name: look
    show: show running-config
"""


def test_a_rescue_that_acts_is_not_run_while_a_change_is_pending_under_the_timer(
    tmp_path: Path,
) -> None:
    """IOS-XR: the rescue's commit would confirm the change the failing post-check left to
    the timer. It is not run; the rescue's show runs; the device reverts by itself."""
    reports = tmp_path / "reports"
    with start_lab(devices=1, platforms=("cisco_xr",), clock_speed=3.0) as lab:
        before = _config(lab, "r001")
        job = tmp_path / "guarded.yaml"
        job.write_text(RESCUE_JOB)
        inventory = _inventory(tmp_path, lab)
        assert run_cli(job, inventory, reports, "--confirm", "30s") == 1
        data: dict[str, Any] = json.loads(
            (reports / "guarded" / "latest" / "report.json").read_text()
        )
        host = data["hosts"]["r001"]
        steps = {s["task"]: s for s in host["steps"]}
        assert host["failure"] == "post_check_failed", host
        assert steps["loopback"]["confirm"] == "reverted", steps["loopback"]
        assert steps["undo by hand"]["status"] == "skipped"
        assert "pending under the device's revert timer" in steps["undo by hand"]["note"]
        assert steps["look"]["status"] == "ok", steps["look"]
        assert _config(lab, "r001") == before
        device = lab.device("r001")
        assert (device.revert.reverts, device.revert.confirms) == (1, 0)
        assert "rescued" not in "\n".join(_config(lab, "r001"))
