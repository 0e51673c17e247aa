"""What `netjob run`, `show` and `plan` print for a person (issue 13, items 2-7): device
outputs with -v, host patterns and --check runs in `netjob show`, no `None` or Python
names, plurals, plain failure lines in a pipe, a stalled bar that names its hosts, and a
Ctrl-C in a terminal whose summary tells skipped hosts from failed ones.

Runs go through the real CLI: in this process (stdout is not a terminal: plain lines), or
in a pseudo-terminal (`netjob run` as a person sees it, Ctrl-C as the terminal sends it).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lab_fixture import load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = pytest.mark.lab

ENV = {"NETJOB_LAB_PASSWORD": "lab-password", "NETJOB_LAB_SECRET": "lab-enable"}
NTP = """\
tasks:
  - name: version
    show: show version
  - name: ntp
    config: [ntp server 192.0.2.9]
"""
BOX = re.compile("[\u2500-\u257f]")  # box-drawing characters: a table


@pytest.fixture
def lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    faults = parse_faults(["r003=auth_fail"])
    with start_lab(devices=4, faults=faults) as started:
        yield started


def _inventory(tmp_path: Path, lab: Lab, defaults: str = "") -> Path:
    path = tmp_path / "inv.yaml"
    text = inventory_yaml(lab.endpoints, lab.config)
    path.write_text(text.replace("defaults:\n", f"defaults:\n{defaults}", 1))
    return path


def _job(tmp_path: Path, text: str = NTP) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(text)
    return path


# --- item 2: -v prints what devices said, folded at the end ----------------------------------


@pytest.mark.sessions
def test_verbose_prints_what_devices_said_once_folded_at_the_end(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    job, inventory = _job(tmp_path), _inventory(tmp_path, lab)
    code = run_cli(job, inventory, tmp_path / "r", "-v", "--check", "--limit", "r001,r002,r004")
    out = capsys.readouterr().out
    assert code == 0, out
    # Each output once (issue 22, item 6), in one block per distinct answer at the end,
    # after every host's line; identical answers folded under their hosts.
    folded = out[out.index("== [version] show version") :]
    for host in ("r001", "r002", "r004"):
        assert out.count(f"{host} uptime is") == 1 and f"{host} uptime is" in folded
        assert out.index(f"changed {host}") < out.index("== [version] show version")
    assert ">>> " not in out  # nothing marked as sent: the --check sent no config
    folded = out[out.index("== [ntp]") :]
    assert "r001, r002, r004 (3 hosts):" in folded
    assert out.count("+ntp server 192.0.2.9") == 1 and "+ntp server 192.0.2.9" in folded


# --- items 3 and 4: `netjob show` takes host patterns and shows --check runs as they were ----


@pytest.mark.sessions
def test_show_takes_host_patterns_and_shows_a_check_run_as_its_host_log(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    job, inventory = _job(tmp_path), _inventory(tmp_path, lab)
    assert run_cli(job, inventory, tmp_path / "r", "--check", "--limit", "r001,r002") == 0
    run = str((tmp_path / "r" / "job" / "latest").resolve())
    capsys.readouterr()
    for pattern in ("all", "r00*", "r001,r002", "~r00[12]"):
        assert main(["show", run, pattern, "ntp"]) == 0, pattern
        out = capsys.readouterr().out
        assert out.count("# r001: changed") == 1 and out.count("# r002: changed") == 1, out
    # A --check run: nothing marked as sent, the note and the diff, as in the host log.
    assert main(["show", run, "r001", "ntp"]) == 0
    out = capsys.readouterr().out
    assert ">>> ntp server" not in out
    assert "-- would change (--check: nothing sent)" in out and "+ntp server 192.0.2.9" in out
    log = (tmp_path / "r" / "job" / "latest" / "hosts" / "r001.log").read_text()
    step = log[log.index("== task 'ntp'") :]
    assert out.strip() == step.strip()
    # A name not in the run, and a glob that matches none: exit 2, the run's hosts named.
    assert main(["show", run, "r009"]) == 2
    err = capsys.readouterr().err
    assert "host 'r009' is not in the run" in err and "its hosts: r001, r002" in err
    assert main(["show", run, "x*"]) == 2
    assert "'x*' matches no host" in capsys.readouterr().err


# --- item 6: no `None`, no Python names, plurals -----------------------------------------------


@pytest.mark.sessions
def test_a_stopped_rollout_says_why_hosts_were_skipped_without_none(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    job, inventory = _job(tmp_path), _inventory(tmp_path, lab)
    # r003 fails to log in in the first batch of 3; the next batch never starts.
    code = run_cli(job, inventory, tmp_path / "r", "--serial", "3", "--max-fail", "0", "-w", "1")
    out = capsys.readouterr().out
    assert code == 1, out
    skipped = [line for line in out.splitlines() if line.startswith("skipped r004")]
    assert len(skipped) == 1 and "not run: stopped after batch 1 of 2" in skipped[0], out
    assert "None" not in out


def test_an_index_past_the_end_of_a_list_is_said_in_a_person_s_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("hosts:\n  r1: {address: 192.0.2.1, vars: {ifs: [a, b], m: {x: 1}}}\n")
    job = _job(tmp_path, "tasks:\n  - name: a\n    show: 'show {{ ifs[5] }}'\n")
    assert main(["plan", str(job), "-i", str(inventory)]) == 2
    err = capsys.readouterr().err
    assert "a list has no item [5]: items count from 0" in err and "LineList" not in err
    job.write_text("tasks:\n  - name: a\n    show: 'show {{ m.y }}'\n")
    assert main(["plan", str(job), "-i", str(inventory)]) == 2
    err = capsys.readouterr().err
    assert "a mapping has no key 'y'" in err and "LineDict" not in err
    job.write_text("tasks:\n  - name: a\n    show: 'show {{ m.x }}'\n")
    assert main(["plan", str(job), "-i", str(inventory)]) == 0
    assert "1 host, 1 step; nothing was contacted" in capsys.readouterr().out


# --- item 7: piped, failures are plain lines, printed once --------------------------------------


@pytest.mark.sessions
def test_piped_failures_are_plain_lines_printed_once(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    job, inventory = _job(tmp_path), _inventory(tmp_path, lab)
    assert run_cli(job, inventory, tmp_path / "r") == 1
    out = capsys.readouterr().out
    assert not BOX.search(out), out
    lines = [line for line in out.splitlines() if "r003" in line]
    assert len(lines) == 1 and lines[0].startswith("failed  r003") and "auth_failed" in lines[0]
    # With -q no host line came before: the summary gives each failed host one plain line.
    assert run_cli(job, inventory, tmp_path / "r", "-q") == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "r003" in line]
    assert len(lines) == 1 and "auth_failed" in lines[0] and not BOX.search(out), out
    # `netjob report` piped: the same plain line.
    assert main(["report", str((tmp_path / "r" / "job" / "latest").resolve())]) == 1
    assert not BOX.search(capsys.readouterr().out)


# --- in a terminal: a stalled bar, and Ctrl-C -------------------------------------------------

NETJOB = [sys.executable, "-c", "from runner.cli import entry; entry()"]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\r")


class Terminal:
    """`netjob` in a pseudo-terminal of its own (its controlling terminal, so \\x03 is
    Ctrl-C to its process group), its screen read as it comes, with deadlines."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        self.process = subprocess.Popen(
            ["setsid", "-c", *args], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.master = master
        self.raw = ""

    @property
    def text(self) -> str:
        return _ANSI.sub("", self.raw)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.raw += data.decode(errors="replace")
        return bool(data)

    def until(self, found: Callable[[str], object], timeout: float, what: str) -> object:
        deadline = time.monotonic() + timeout
        while (result := found(self.text)) is None or result is False:
            left = deadline - time.monotonic()
            ended = not self._read(min(left, 0.2)) and self.process.poll() is not None
            if left <= 0 or ended:
                raise AssertionError(f"no {what} in {timeout} s; screen:\n{self.text[-3000:]}")
        return result

    def ctrl_c(self) -> None:
        os.write(self.master, b"\x03")

    def finish(self, timeout: float) -> int:
        """Read to the end (EIO: the child's side closed and its output is all read; a
        pty hands data over asynchronously, so its exit alone is not the end), then wait."""
        deadline = time.monotonic() + timeout
        while self._read(max(0.01, min(0.2, deadline - time.monotonic()))):
            if time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"still running after {timeout} s:\n{self.text[-3000:]}")
        os.close(self.master)
        return self.process.wait(timeout)


def _terminal_env() -> dict[str, str]:
    env = {**os.environ, **ENV, "COLUMNS": "200", "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    return env


def _done(text: str) -> int:
    counts = re.findall(r"(\d+)/200", text)
    return int(counts[-1]) if counts else 0


@pytest.mark.sessions
def test_a_stalled_bar_names_the_hosts_it_waits_for(tmp_path: Path) -> None:
    # r002 logs in, then never answers: everything else ends, and the bar waits for it.
    with start_lab(devices=3, faults=parse_faults(["r002=hang"])) as lab:
        inventory = _inventory(
            tmp_path, lab, "  connection: {auth_timeout: 60, read_timeout: 60}\n"
        )
        job = _job(tmp_path, "tasks:\n  - show: show clock\n")
        run = Terminal(
            [*NETJOB, "run", str(job), "-i", str(inventory), "--reports", str(tmp_path / "r")],
            _terminal_env(),
        )
        run.until(lambda t: "2/3" in t, 60, "two hosts done")
        line = run.until(
            lambda t: re.search(r"no host finished for \d+s; waiting for r002 \(([^)]*)\)", t),
            30,
            "stall line",
        )
        assert line
        run.ctrl_c()  # every host has started: the notice still comes at once
        run.until(lambda t: "no other host starts" in t, 30, "the interrupt's notice")
        run.ctrl_c()  # the second ends the grace period: r002 would never finish
        code = run.finish(30)
    assert code == 130, run.text[-2000:]
    assert "INTERRUPTED: 3 hosts: 2 ok, 1 failed" in run.text


@pytest.mark.sessions
def test_ctrl_c_in_a_terminal_reports_skipped_hosts_apart_from_failed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    # Every command answers 150 ms late: a host takes about a second, 200 at 20 at a time
    # take about ten, so Ctrl-C lands with hosts done, in flight and not started.
    with start_lab(devices=200, latency_ms=150) as lab:
        inventory = _inventory(tmp_path, lab)
        job = _job(tmp_path, "tasks:\n  - show: [show clock, show version]\n")
        reports = tmp_path / "r"
        args = [*NETJOB, "run", str(job), "-i", str(inventory), "--reports", str(reports)]
        run = Terminal([*args, "--workers", "20"], _terminal_env())
        run.until(lambda t: _done(t) >= 20, 120, "20 hosts done")
        run.ctrl_c()
        run.until(lambda t: "no other host starts" in t, 30, "the interrupt's notice")
        run.ctrl_c()  # the second: hosts still in flight are cut off now
        code = run.finish(60)
        assert code == 130, run.text[-3000:]
        summary = re.search(
            r"INTERRUPTED: 200 hosts: (\d+) ok, (\d+) skipped \(interrupted\), "
            r"(\d+) failed in",
            run.text,
        )
        assert summary, run.text[-3000:]
        ok, skipped, failed = map(int, summary.groups())
        report = load_report(reports, "job")
        counts = report["summary"]
        assert (counts["ok"], counts["skipped"], counts["failed"]) == (ok, skipped, failed)
        assert ok >= 20 and skipped > 0 and ok + skipped + failed == 200
        hosts = report["hosts"].values()
        for host in hosts:
            if host["status"] == "skipped":  # never started: no time, nothing done
                assert host["failure"] == "interrupted" and host["error"].startswith(
                    "not started"
                ), host
            elif host["status"] == "failed":  # in flight when cut off: their real time
                assert host["failure"] == "interrupted" and "abandoned" in host["error"], host
                assert host["duration_s"] > 0, host
        assert counts["failures"] == ({"interrupted": failed} if failed else {})
        # One line for the hosts never started, none per host; no "not started" line.
        assert f"skipped {skipped} hosts the interrupt kept from starting: " in run.text
        assert "not started" not in run.text
        # --retry-failed runs exactly the hosts skipped or cut off.
        assert run_cli(job, inventory, reports, "--retry-failed", "-q") == 0
        retried = load_report(reports, "job")
        assert len(retried["hosts"]) == skipped + failed
        assert retried["summary"]["ok"] == skipped + failed
    capsys.readouterr()
    print(json.dumps({"ok": ok, "skipped": skipped, "failed": failed}))


@pytest.mark.parametrize(
    ("template", "meant"),
    [
        ("show: 'show run | include {{ host.nmae }}'", "name"),
        ("show: show clock\n    when: host.platfrom == 'cisco_ios'", "platform"),
        ("show: 'show {{ m.interfacse }}'", "interfaces"),
    ],
)
def test_a_misspelt_key_gets_a_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str, meant: str
) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("hosts:\n  r1: {address: 192.0.2.1, vars: {m: {interfaces: 1}}}\n")
    job = _job(tmp_path, f"tasks:\n  - name: a\n    {template}\n")
    assert main(["plan", str(job), "-i", str(inventory)]) == 2
    assert capsys.readouterr().err.rstrip().endswith(f"did you mean '{meant}'?")
