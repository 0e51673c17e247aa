"""`--confirm` and a task's `confirm:` that netjob cannot honour as written are refused
before anything connects (exit 2, one line naming the platform or the key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cli import main

INVENTORY = """\
defaults:
  username: netjob
  password: lab-password
  connection: {conn_timeout: 1}
hosts:
  ios1: {address: 192.0.2.1, platform: cisco_ios}
  eos1: {address: 192.0.2.2, platform: arista_eos}
  xr1: {address: 192.0.2.3, platform: cisco_xr}
  junos1: {address: 192.0.2.4, platform: juniper_junos}
  nxos1: {address: 192.0.2.5, platform: cisco_nxos}
"""
JOB = "tasks:\n  - config: [ntp server 192.0.2.123]\n"


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str, job: str = JOB
) -> tuple[int, str]:
    (tmp_path / "job.yaml").write_text(job)
    (tmp_path / "inventory.yaml").write_text(INVENTORY)
    capsys.readouterr()
    code = main(
        [
            "run",
            str(tmp_path / "job.yaml"),
            "-i",
            str(tmp_path / "inventory.yaml"),
            "--reports",
            str(tmp_path / "reports"),
            *args,
        ]
    )
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("limit", "timer", "words"),
    [
        ("nxos1", "5m", "cisco_nxos, which has no confirm-or-revert timer"),
        ("ios1", "30s", "cisco_ios: its timer counts whole minutes"),
        ("junos1", "90s", "juniper_junos: its timer counts whole minutes"),
        ("xr1", "10s", "cisco_xr: its timer takes 30 to 65535 seconds"),
        ("ios1", "3h", "cisco_ios: its timer takes 1 to 120 minutes"),
    ],
)
def test_a_timer_the_platform_cannot_run_is_refused_before_anything_connects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit: str, timer: str, words: str
) -> None:
    code, err = _run(tmp_path, capsys, "--confirm", timer, "--limit", limit)
    assert code == 2, err
    from runner.base.revert_timer import parse_duration, shown  # (new in this change)

    seconds = parse_duration(timer)
    assert seconds is not None
    assert words in err and f"confirm {shown(seconds)}" in err, err
    assert not (tmp_path / "reports").exists()  # no run started, no device contacted


def test_a_duration_that_is_not_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(tmp_path, capsys, "--confirm", "5 minutes")
    assert code == 2 and "--confirm '5 minutes': '5 minutes' is not a duration" in err, err
    job = "tasks:\n  - config: [ntp server 192.0.2.123]\n    confirm: soon\n"
    code, err = _run(tmp_path, capsys, job=job)
    assert code == 2 and "confirm: 'soon' is not a duration" in err and "job.yaml" in err, err
    job = "tasks:\n  - show: [show clock]\n    confirm: 5m\n"
    code, err = _run(tmp_path, capsys, job=job)
    assert code == 2 and "confirm: applies to config and template tasks only" in err, err


def test_a_second_config_task_after_the_timed_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = JOB + "  - config: [logging host 192.0.2.50]\n"
    code, err = _run(tmp_path, capsys, "--confirm", "5m", "--limit", "eos1", job=job)
    assert code == 2 and "the device's timer covers one change" in err, err


def test_durations_read_as_people_write_them() -> None:
    from runner.base.revert_timer import parse_duration

    assert parse_duration("5m") == 300
    assert parse_duration("90s") == parse_duration("1m30s") == parse_duration("90") == 90
    assert parse_duration("1h") == 3600
    assert parse_duration("0s") is None and parse_duration("") is None
    assert parse_duration("-5m") is None and parse_duration("5 m") is None


def test_plan_shows_the_timer_and_refuses_as_run_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "job.yaml").write_text(JOB + "    save_config: true\n")
    (tmp_path / "inventory.yaml").write_text(INVENTORY)
    plan = ["plan", str(tmp_path / "job.yaml"), "-i", str(tmp_path / "inventory.yaml")]
    capsys.readouterr()
    assert main([*plan, "--confirm", "2m", "--limit", "ios1,junos1"]) == 0
    out = capsys.readouterr().out
    assert out.count("(under the device's 2m revert timer, saved once confirmed)") == 2, out
    assert main([*plan, "--confirm", "2m"]) == 2
    assert "host 'nxos1' is cisco_nxos, which has no confirm-or-revert timer" in (
        capsys.readouterr().err
    )


def test_a_timed_change_on_a_cluster_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = JOB + "    confirm: 5m\n"
    cluster = ("--cluster", "tcp://127.0.0.1:1", "--insecure", "--limit", "eos1")
    code, err = _run(tmp_path, capsys, *cluster, job=job)
    assert code == 2 and "with --cluster: the pollers cannot keep" in err, err


def test_timers_per_platform_name_each_platform_or_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(tmp_path, capsys, "--confirm", "ios=1m,eos=30s", "--limit", "ios1,xr1")
    assert code == 2 and "confirm: no timer for platform cisco_xr" in err, err
    assert "add a `cisco_xr:` or a `default:` entry" in err and "host xr1" in err, err
    code, err = _run(tmp_path, capsys, "--confirm", "iso=1m")
    assert code == 2 and "did you mean 'ios'?" in err, err
    code, err = _run(tmp_path, capsys, "--confirm", "ios=1m,default=20s", "--limit", "xr1")
    assert code == 2 and "cisco_xr: its timer takes 30 to 65535 seconds" in err, err
    job = "tasks:\n  - config: [ntp server 192.0.2.123]\n    confirm: {ios: 1m, junos: 2m}\n"
    code, err = _run(tmp_path, capsys, "--limit", "eos1", job=job)
    assert code == 2 and "no timer for platform arista_eos" in err, err
    job = job.replace("junos: 2m", "jnuos: 2m")
    code, err = _run(tmp_path, capsys, "--limit", "ios1", job=job)
    assert code == 2 and "did you mean 'junos'?" in err and "confirm.jnuos" in err, err
