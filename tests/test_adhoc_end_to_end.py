"""`netjob cmd`: ad-hoc commands through the real CLI, netmiko and SSH, against the lab."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = pytest.mark.lab

MIXED = ("cisco_ios", "arista_eos", "juniper_junos", "cisco_xr", "cisco_nxos", "huawei")


@pytest.fixture(autouse=True)
def lab_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """The quickstart's lab: six IOS devices."""
    with start_lab(devices=6) as running:
        yield running


def cmd(lab: Lab, tmp_path: Path, *args: str) -> int:
    inventory = tmp_path / "inventory.yaml"
    if not inventory.exists():
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
    return main(["cmd", *args, "-i", str(inventory), "--reports", str(tmp_path / "reports")])


def headers(text: str, command: str) -> list[str]:
    """The fold headers printed under `== command`, up to the next command."""
    section = text.split(f"== {command}\n", 1)[1].split("\n== ", 1)[0]
    return re.findall(r"^(\S.*\(\d+ hosts?\):)$", section, re.M)


@pytest.mark.sessions
def test_cmd_folds_identical_outputs_and_prints_each_different_one(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cmd(lab, tmp_path, "show version", "show interfaces description", "--limit", "all")
    out = capsys.readouterr().out
    assert code == 0, out
    # Every show version names its device: one block per host.
    assert headers(out, "show version") == [f"r00{i} (1 host):" for i in range(1, 7)]
    # The same description table everywhere: one block for all six.
    assert headers(out, "show interfaces description") == ["r001-r006 (6 hosts):"]
    assert out.count("Gi0/0") == 1
    assert "6 hosts: 6 ok, 0 failed" in out


@pytest.mark.sessions
def test_cmd_folds_hosts_that_fail_alike_apart_from_those_that_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with start_lab(devices=6, platforms=("cisco_ios", "cisco_ios", "huawei")) as mixed:
        code = cmd(mixed, tmp_path, "show interfaces description")
    out = capsys.readouterr().out
    assert code == 1  # VRP has no `show`: those hosts failed
    assert headers(out, "show interfaces description") == [
        "r001, r002, r004, r005 (4 hosts):",
        "r003, r006 (2 hosts):",
    ]
    assert "Error: Unrecognized command found at '^' position." in out
    assert "command_rejected" in out


@pytest.mark.sessions
def test_cmd_json_gives_each_hosts_output_by_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with start_lab(devices=6, platforms=MIXED) as mixed:
        code = cmd(mixed, tmp_path, "show version", "--output", "json")
    assert code == 1  # Huawei answers `display`, not `show`
    document = json.loads(capsys.readouterr().out)
    hosts = document["hosts"]
    assert sorted(hosts) == [f"r00{i}" for i in range(1, 7)]
    assert "r001 uptime is" in hosts["r001"]["outputs"]["show version"]
    assert "Arista" in hosts["r002"]["outputs"]["show version"]
    assert hosts["r001"]["status"] == "ok" and hosts["r001"]["failure"] is None
    assert hosts["r006"]["status"] == "failed"
    assert hosts["r006"]["failure"] == "command_rejected"
    assert document["summary"]["failed"] == 1 and document["summary"]["ok"] == 5
    assert Path(document["report"]).is_file()


@pytest.mark.sessions
def test_cmd_config_with_check_sends_nothing_then_applies_once(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = "ntp server 192.0.2.77"
    args = ("--config", line, "--limit", "r006")
    assert cmd(lab, tmp_path, *args, "--check") == 0
    out = capsys.readouterr().out
    assert "would change (--check: nothing sent)" in out and f"+{line}" in out
    assert line not in lab.device("r006").running_config()

    assert cmd(lab, tmp_path, *args, "--diff", "show running-config | include ntp") == 0
    out = capsys.readouterr().out
    assert "-- changed" in out and f"+{line}" in out
    assert line in lab.device("r006").running_config()
    # The show runs after the config: it sees the new line.
    assert out.split("== show running-config | include ntp\n")[1].count(line) == 1

    assert cmd(lab, tmp_path, *args) == 0
    assert "-- ok: unchanged" in capsys.readouterr().out


@pytest.mark.sessions
def test_cmd_writes_a_run_folder_that_report_and_show_read(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd(lab, tmp_path, "show clock", "--limit", "r001,r002") == 0
    run = tmp_path / "reports" / "adhoc" / "latest"
    data = json.loads((run / "report.json").read_text())
    assert data["job"]["name"] == "adhoc" and sorted(data["hosts"]) == ["r001", "r002"]
    assert (run / "hosts" / "r001.log").is_file()
    capsys.readouterr()

    assert main(["report", str(run.resolve())]) == 0
    assert "2 hosts: 2 ok" in capsys.readouterr().out
    assert main(["show", data["run_id"], "r002", "--reports", str(tmp_path / "reports")]) == 0
    shown = capsys.readouterr().out
    assert ">>> show clock" in shown and "UTC" in shown
    # As a job's runs: by the `latest` link, by the runs folder's name, and `diff`.
    reports = ["--reports", str(tmp_path / "reports")]
    assert main(["report", str(run), *reports]) == 0
    assert main(["report", "adhoc", *reports]) == 0
    assert "2 hosts: 2 ok" in capsys.readouterr().out
    assert cmd(lab, tmp_path, "show clock", "--limit", "r001,r002") == 0
    capsys.readouterr()
    assert main(["diff", "adhoc", *reports]) == 0  # `show clock` lines are noise: no drift
    assert "netjob diff: " in capsys.readouterr().out


def test_cmd_refuses_bad_input_with_exit_2(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd(lab, tmp_path) == 2
    assert "no command given" in capsys.readouterr().err
    assert cmd(lab, tmp_path, "") == 2
    assert "empty command" in capsys.readouterr().err
    assert cmd(lab, tmp_path, "show clock", "--limit", "nosuchhost") == 2
    assert "nosuchhost" in capsys.readouterr().err
    assert cmd(lab, tmp_path, "show clock", "--output", "yaml") == 2
    assert not (tmp_path / "reports").exists()  # nothing was contacted or written


@pytest.mark.sessions
def test_show_and_report_take_the_word_latest(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd(lab, tmp_path, "show clock", "--limit", "r001") == 0
    capsys.readouterr()
    reports = ["--reports", str(tmp_path / "reports")]
    assert main(["show", "latest", "r001", *reports]) == 0
    assert ">>> show clock" in capsys.readouterr().out


# Mixed fleets: per-platform commands (`--for PLATFORM=COMMAND`) cover the six-platform lab in
# one line; platform groups pick hosts; cmd takes -q, --retries and --host-timeout as run does.


@pytest.fixture(scope="module")
def mixed() -> Iterator[Lab]:
    with start_lab(devices=6, platforms=MIXED) as lab:
        yield lab


@pytest.mark.sessions
def test_cmd_with_per_platform_commands_is_ok_on_every_host_of_a_mixed_fleet(
    mixed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cmd(
        mixed,
        tmp_path,
        "show version",
        "--for",
        "huawei=display version",
        "--for",
        "junos=show system uptime",  # another tool's name for juniper_junos
        "--retries",
        "1",
        "--host-timeout",
        "60",
        "--output",
        "json",
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    hosts = document["hosts"]
    assert {h["status"] for h in hosts.values()} == {"ok"}
    assert list(hosts["r006"]["outputs"]) == ["display version"]
    assert "VRP" in hosts["r006"]["outputs"]["display version"]
    assert list(hosts["r003"]["outputs"]) == ["show system uptime"]
    for name in ("r001", "r002", "r004", "r005"):
        assert list(hosts[name]["outputs"]) == ["show version"]
    assert document["summary"]["ok"] == 6


@pytest.mark.sessions
def test_cmd_quiet_prints_the_answers_only(
    mixed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cmd(mixed, tmp_path, "-q", "show version", "--limit", "platform_cisco_ios:&core")
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("== show version\nr001 (1 host):\n")
    assert "r002" not in out  # core, but Arista
    assert "report:" not in out and "hosts:" not in out


def test_a_platform_with_no_command_is_refused_before_anything_connects(
    mixed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cmd(mixed, tmp_path, "--for", "huawei=display version", "--limit", "r005,r006")
    assert code == 2
    err = capsys.readouterr().err
    assert "no command for platform cisco_nxos (hosts r005): add --for cisco_nxos=COMMAND" in err
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("huwaei=display version", "unknown platform 'huwaei'; did you mean 'huawei'?"),
        ("display version", "expected PLATFORM=COMMAND"),
    ],
)
def test_for_refuses_what_it_cannot_read(
    mixed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, message: str
) -> None:
    assert cmd(mixed, tmp_path, "show version", "--for", given) == 2
    assert message in capsys.readouterr().err


@pytest.mark.sessions
def test_cmd_retry_failed_runs_again_only_the_hosts_whose_last_cmd_failed(
    mixed: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure's hint says "then run again with --retry-failed": `cmd` has it too. The
    retry's command is for the failed hosts' platform alone (`--for`): the others, which
    do not run, need none."""
    assert cmd(mixed, tmp_path, "show version", "--retries", "1") == 1  # VRP has no `show`
    capsys.readouterr()
    again = ("--for", "huawei=display version", "--retry-failed")
    code = cmd(mixed, tmp_path, *again, "--output", "json")
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    assert list(document["hosts"]) == ["r006"]
    assert document["hosts"]["r006"]["status"] == "ok"
    # Nothing left: said on stderr with -o json, whose stdout is the document's alone.
    assert cmd(mixed, tmp_path, *again, "--output", "json") == 0
    said = capsys.readouterr()
    assert "nothing to retry" in said.err and said.out == ""
