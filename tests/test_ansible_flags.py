"""Ansible's flags (-h, -f, -C, -D, -u, -k, -K, -T), --max-fail without --serial, and
-e as Ansible users write it (a JSON object, typed key=value), through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import pytest
from fakes import FakeConnection, FakeFleet
from typer.testing import CliRunner, Result

from runner.base.errors import AuthenticationError
from runner.base.models import Credentials, Host
from runner.cli import app
from runner.device.connection import NetmikoConnection
from runner.device.lease import Lease

runner = CliRunner()

INVENTORY = """\
defaults: {platform: cisco_ios, username: netjob}
hosts:
  r1: {address: 192.0.2.1, password: inventory-pw}
  r2: {address: 192.0.2.2}
  r3: {address: 192.0.2.3, secret: inventory-secret}
  r4: {address: 192.0.2.4, password: inventory-pw}
  r5: {address: 192.0.2.5, password: inventory-pw}
"""


class Recorder(FakeFleet):
    """A FakeFleet that keeps what each host logged in with."""

    logins: dict[str, tuple[Host, Credentials]]

    def __call__(self, host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        self.logins[host.name] = (host, credentials)
        return super().__call__(host, credentials, lease)


@pytest.fixture
def fleet(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    recorder.logins = {}
    monkeypatch.setattr(NetmikoConnection, "open", recorder)
    return recorder


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inventory.yaml").write_text(INVENTORY)
    (tmp_path / "show.yaml").write_text("tasks:\n  - show: show clock\n")
    return tmp_path


def _invoke(*args: str) -> Result:
    return runner.invoke(app, [*args, "--no-html"] if args[0] == "run" else list(args), env={})


@pytest.mark.parametrize(
    "argv",
    [["-h"], ["run", "-h"], ["plan", "-h"], ["cmd", "-h"], ["hosts", "-h"], ["report", "-h"]],
)
def test_dash_h_is_help_everywhere(argv: list[str]) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: netjob") and "-h, --help" in result.output


def test_forks_check_and_diff_short_flags_reach_the_run(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner import core
    from runner.base.errors import NetjobError

    seen: list[core.RunOptions] = []

    def fake_run(
        selection: object, options: core.RunOptions, *args: object, **kwargs: object
    ) -> NoReturn:
        seen.append(options)
        raise NetjobError("stop here")

    monkeypatch.setattr(core, "run", fake_run)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "pw")
    for argv in (
        ["run", "show.yaml", "-f", "3", "-C", "-D", "-k"],
        ["cmd", "show clock", "-f", "4", "-k"],
        ["cmd", "-c", "ntp server 192.0.2.1", "-C", "-D", "-k"],
        ["run", "show.yaml", "--forks", "5", "-w", "6", "-k"],
    ):
        result = runner.invoke(app, argv, env={})
        assert result.exit_code == 2 and "stop here" in result.stderr, result.output
    assert [o.workers for o in seen] == [3, 4, 20, 6]  # the last one given wins
    assert [o.policy.dry_run for o in seen] == [True, False, True, False]


def test_dash_d_shows_what_was_sent(files: Path, fleet: Recorder) -> None:
    (files / "ntp.yaml").write_text("tasks:\n  - config: ['ntp server 192.0.2.7']\n")
    plain = _invoke("run", "ntp.yaml", "-l", "r1")
    with_diff = _invoke("run", "ntp.yaml", "-l", "r1", "-D")
    assert plain.exit_code == 0 and with_diff.exit_code == 0, with_diff.output
    assert "+ntp server 192.0.2.7" in with_diff.output
    assert "+ntp server" not in plain.output


def test_user_timeout_ask_pass_and_ask_become_pass(
    files: Path, fleet: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answers = {"SSH password: ": "typed-pw", "BECOME password: ": "typed-secret"}

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return answers[prompt]

    monkeypatch.setattr("getpass.getpass", getpass)
    result = _invoke("run", "show.yaml", "-u", "admin", "-T", "7", "-k", "-K")
    assert result.exit_code == 0, result.output
    assert asked == ["SSH password: ", "BECOME password: "]  # once each, Ansible's words
    logins = fleet.logins
    assert {c.username for _, c in logins.values()} == {"admin"}
    assert {h.connection.conn_timeout for h, _ in logins.values()} == {7.0}
    # What the inventory gives wins; the answers fill in what it leaves out.
    assert logins["r1"][1].password == "inventory-pw" and logins["r2"][1].password == "typed-pw"
    assert logins["r3"][1].secret == "inventory-secret" and logins["r1"][1].secret == "typed-secret"
    report = json.loads(next(files.glob("reports/show/*/report.json")).read_text())
    assert "typed-pw" not in json.dumps(report) and "typed-secret" not in json.dumps(report)


def test_without_ask_pass_a_missing_password_is_exit_2(files: Path, fleet: Recorder) -> None:
    result = _invoke("cmd", "show clock", "-u", "admin")
    assert result.exit_code == 2
    assert "host r2: no password" in result.stderr and "--ask-pass" in result.stderr
    assert fleet.logins == {}


def test_cmd_takes_the_same_login_flags(
    files: Path, fleet: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed-" + prompt.split()[0])
    result = _invoke("cmd", "show clock", "--user", "ops", "--timeout", "3", "-k", "-l", "r2")
    assert result.exit_code == 0, result.output
    host, credentials = fleet.logins["r2"]
    assert (credentials.username, credentials.password) == ("ops", "typed-SSH")
    assert host.connection.conn_timeout == 3.0 and list(fleet.logins) == ["r2"]


def test_max_fail_without_serial_stops_starting_hosts(
    files: Path, fleet: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "pw")
    failing = AuthenticationError("authentication failed")
    fleet.fail_connect.update({"r1": failing, "r2": failing})
    result = _invoke("run", "show.yaml", "-k", "-f", "1", "--retries", "0", "--max-fail", "1")
    assert result.exit_code == 1, result.output
    report = json.loads(next(files.glob("reports/show/*/report.json")).read_text())
    assert report["stopped"] == "stopped starting hosts: 2 of 5 hosts failed, over --max-fail 1"
    statuses = {name: h["status"] for name, h in report["hosts"].items()}
    assert statuses == {
        "r1": "failed",
        "r2": "failed",
        "r3": "skipped",
        "r4": "skipped",
        "r5": "skipped",
    }
    assert sorted(fleet.logins) == ["r1", "r2"]  # r3-r5 never contacted


def test_max_fail_percent_without_serial_counts_all_hosts(
    files: Path, fleet: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "pw")
    fleet.fail_connect["r1"] = AuthenticationError("authentication failed")
    # 1 of 5 is 20%: not over 20%, so every host runs.
    result = _invoke("run", "show.yaml", "-k", "-f", "1", "--retries", "0", "--max-fail", "20%")
    assert result.exit_code == 1, result.output
    assert sorted(fleet.logins) == ["r1", "r2", "r3", "r4", "r5"]
    report = json.loads(next(files.glob("reports/show/*/report.json")).read_text())
    assert report["stopped"] is None and report["summary"]["failed"] == 1


def test_max_fail_without_serial_on_a_cluster_is_refused(files: Path) -> None:
    result = _invoke(
        "run", "show.yaml", "--cluster", "tcp://127.0.0.1:1", "--insecure", "--max-fail", "1"
    )
    assert result.exit_code == 2
    assert "add --serial" in result.stderr and len(result.stderr.splitlines()) == 1


def test_help_says_max_fail_applies_to_the_whole_run_without_serial() -> None:
    text = " ".join(runner.invoke(app, ["run", "-h"]).output.split())
    assert "without --serial, as each host ends" in text


JOB = """\
tasks:
  - config:
      - "{% for s in ntp_servers %}ntp server {{ s }}\\n{% endfor %}"
      - "snmp-server queue-length {{ n + 1 }}"
      - "banner {{ version }} {{ flag | string }} {{ ids | length }} {{ text }}"
"""


def test_extra_vars_json_object_and_typed_key_values(files: Path) -> None:
    (files / "j.yaml").write_text(JOB)
    result = _invoke(
        "plan",
        "j.yaml",
        "-l",
        "r1",
        "-e",
        '{"ntp_servers": ["192.0.2.1", "192.0.2.2"], "n": 1}',
        "-e",
        "n=3",  # later wins, typed: 3 + 1
        "-e",
        "version=15.10",  # stays text: a float would read 15.1
        "-e",
        "flag=true",
        "-e",
        "ids=[10, 20, 30]",
        "-e",
        "text=yes",  # stays text, not YAML 1.1's True
    )
    assert result.exit_code == 0, result.output
    assert "ntp server 192.0.2.1" in result.output and "ntp server 192.0.2.2" in result.output
    assert "snmp-server queue-length 4" in result.output
    assert "banner 15.10 True 3 yes" in result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"ntp_servers": ["192.0.2.1"}', '-e \'{"ntp_servers": ["192.0.2.1"}\': not a JSON'),
        ("ids=[1, 2", "-e ids='[1, 2': invalid YAML"),
        ("[1, 2]", "expected key=value or @file.yaml, or a JSON object"),
    ],
)
def test_malformed_extra_vars_are_one_line_exit_2(files: Path, value: str, message: str) -> None:
    result = _invoke("plan", "show.yaml", "-e", value)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("netjob: error: ") and message in lines[0]


def test_extra_vars_file_is_typed(files: Path) -> None:
    (files / "vars.json").write_text('{"ntp_servers": ["192.0.2.9"], "n": 0}')
    (files / "j.yaml").write_text(JOB)
    args = ["-e", "version=1", "-e", "flag=false", "-e", "ids=[]", "-e", "text=x"]
    result = _invoke("plan", "j.yaml", "-l", "r1", "-e", "@vars.json", *args)
    assert result.exit_code == 0, result.output
    assert "ntp server 192.0.2.9" in result.output and "queue-length 1" in result.output
