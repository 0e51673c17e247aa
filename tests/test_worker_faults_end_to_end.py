"""Runs that must end, with a record, when processes die: `netjob run -P 2` in a subprocess
against the lab, its worker processes found in /proc, killed and signalled for real.

400 hosts (two worker processes start only past 200 hosts each) share a few lab devices:
the devices do not care which inventory name logs in, and a lab of 4 starts at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lab_fixture import start_lab

from netjob_lab import Lab
from netjob_lab.faults import parse_faults
from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "schema" / "report.schema.json").read_text(encoding="utf-8")
)
JOB = "tasks:\n  - show: [show clock, show version]\n"
ENV = {"NETJOB_LAB_PASSWORD": "lab-password", "NETJOB_LAB_SECRET": "lab-enable"}


# --- helpers ---------------------------------------------------------------------------------


def _inventory(path: Path, lab: Lab, count: int, devices: list[str] | None = None) -> Path:
    """`count` hosts h0001... dealt round the lab's devices (or those named)."""
    endpoints = [e for e in lab.endpoints if devices is None or e.hostname in devices]
    lines = [
        "defaults:",
        "  username: netjob",
        "  password_env: NETJOB_LAB_PASSWORD",
        "  secret_env: NETJOB_LAB_SECRET",
        "  connection: {conn_timeout: 10, auth_timeout: 20, read_timeout: 30}",
        "hosts:",
    ]
    for n in range(count):
        endpoint = endpoints[n % len(endpoints)]
        lines.append(f"  h{n + 1:04d}: {{address: {endpoint.host}, port: {endpoint.port}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


class Netjob:
    """`netjob run` in its own session (a process group of its own, as under systemd), its
    plain per-host lines read as they come."""

    def __init__(self, tmp_path: Path, inventory: Path, *args: str) -> None:
        job = tmp_path / "job.yaml"
        job.write_text(JOB)
        self.reports = tmp_path / "reports"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-c", "from runner.cli import entry; entry()", "run", str(job)),
                *("-i", str(inventory), "--reports", str(self.reports), "--no-color", *args),
            ],
            env={**os.environ, **ENV},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.finished: list[float] = []  # when each host's line came (time.monotonic())
        self.done = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr: list[str] = []
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(("ok", "failed")):
                self.finished.append(time.monotonic())
            self.lines.put(line)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def wait_for_hosts(self, count: int, timeout: float = 60) -> None:
        """Until `count` hosts have finished: real progress, not a clock."""
        deadline = time.monotonic() + timeout
        while self.done < count:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"only {self.done} hosts done in {timeout} s") from None
            self.done += line.startswith(("ok", "failed"))

    def wait_for_line(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} in {timeout} s") from None
            if text in line:
                return

    def workers(self, count: int = 2, timeout: float = 30) -> list[int]:
        """The worker processes (spawned by multiprocessing), once there are `count`."""
        found: list[int] = _poll(
            lambda: len(pids := _worker_processes(self.process.pid)) >= count and pids, timeout
        )
        assert len(found) >= count, found
        return found

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout)
        return code

    def report(self) -> dict[str, Any]:
        (run,) = [
            p
            for p in (self.reports / "job").iterdir()
            if (p / "report.json").is_file() and not p.is_symlink()
        ]
        data: dict[str, Any] = json.loads((run / "report.json").read_text())
        jsonschema.validate(data, SCHEMA)
        return data


def _poll(probe: Callable[[], Any], timeout: float) -> Any:
    """probe() until it is truthy, or its last value at the deadline (short waits between)."""
    deadline = time.monotonic() + timeout
    while not (value := probe()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return value


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie holds no socket and runs nothing


def _processes() -> Iterator[int]:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            yield int(entry)


def _worker_processes(parent: int) -> list[int]:
    found = []
    for pid in _processes():
        stat = _stat(pid)
        if stat is None or stat[1] != parent:
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            found.append(pid)
    return sorted(found)


def _lab_sessions(lab: Lab) -> int:
    """TCP connections the lab's devices still hold (established, or closed by the other
    side and not yet by the lab), from the kernel's table."""
    ports = {endpoint.port for endpoint in lab.endpoints}
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if int(local.split(":")[1], 16) in ports and state in ("01", "08"):
            count += 1
    return count


def _sessions_of(pid: int, lab: Lab) -> int:
    """Established TCP connections from process `pid` to the lab's devices: hosts it has
    started (a worker process says a host started before its first connection)."""
    return len(_sockets_of(pid, lab, states=("01",)))


def _sockets_of(pid: int, lab: Lab, states: tuple[str, ...] | None = None) -> set[str]:
    """The kernel's ids of the TCP sockets process `pid` holds to the lab's devices (in
    one of `states`, the kernel's codes; None: any)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
    ports = {endpoint.port for endpoint in lab.endpoints}
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote, state, inode = fields[2], fields[3], fields[9]
        wanted = states is None or state in states
        if int(remote.split(":")[1], 16) in ports and inode in inodes and wanted:
            found.add(inode)
    return found


def _two_processes_under_way(tmp_path: Path, lab: Lab) -> tuple[Netjob, list[int]]:
    """`netjob run -P 2` on 400 hosts, once 20 hosts are done and both worker processes are
    working on hosts. Both running is not enough: on a loaded machine one process can do the
    first 20 hosts while the other is still importing netmiko, its hosts handed but none
    started, and killing that one loses no host."""
    inventory = _inventory(tmp_path / "inv.yaml", lab, 400)
    run = Netjob(tmp_path, inventory, "-P", "2", "--workers", "40")
    workers = run.workers()
    run.wait_for_hosts(20)
    working = _poll(lambda: all(_sessions_of(pid, lab) for pid in workers), timeout=60)
    assert working, [(pid, _sessions_of(pid, lab)) for pid in workers]
    return run, workers


@pytest.fixture
def lab() -> Iterator[Lab]:
    # Latency keeps hosts in flight long enough to act mid-run; each still takes under 1 s.
    with start_lab(devices=4, latency_ms=100) as lab:
        yield lab


# --- item 1: a dead worker process, and SIGTERM to the whole group ------------------------


# A run that waits on something instead of going on stands still for one of its timeouts,
# 10 s at the shortest (the inventory's conn_timeout, the grace period). Going on, results
# come every fraction of a second: the longest pause measured after the kill was 0.5 s on an
# idle machine, 3.2 s on 2 busy cores at load 11 (where the whole rest of the run took 30 s).
STALL = 8.0


def test_kill_9_of_a_worker_process_ends_the_run_with_a_valid_report(tmp_path: Path) -> None:
    # No latency: the rest of the run, all on the other process, is over in seconds.
    with start_lab(devices=4) as lab:
        run, workers = _two_processes_under_way(tmp_path, lab)
        os.kill(workers[0], signal.SIGKILL)  # what the OOM killer does
        killed = time.monotonic()
        run.wait_for_line("its worker process died", timeout=10)  # its hosts: results at once
        reported = time.monotonic() - killed
        code = run.wait(120)  # a run that hangs; how long the rest takes is the machine's
        ended = time.monotonic()
    # The run never stood still after the kill: from the kill to each host's result, result to
    # result, and from the last result to its end. (Its total is the other process's 380 or so
    # hosts, which take 4 s on an idle machine and 30 s on a loaded one.)
    after = [t for t in run.finished if killed < t <= ended]
    pause = max(b - a for a, b in zip([killed, *after], [*after, ended], strict=True))
    print(
        f"kill -9 of a worker process -> its hosts failed in {reported:.1f} s, run ended in "
        f"{ended - killed:.1f} s, never still for {pause:.1f} s"
    )
    assert pause < STALL, run.stderr
    assert code in (0, 1), run.stderr  # 1: the hosts it had started failed
    report = run.report()
    hosts = report["hosts"]
    assert len(hosts) == 400 and report["interrupted"] is False
    failed = {n: h for n, h in hosts.items() if h["status"] != "ok"}
    for name, host in failed.items():
        assert host["failure"] == "interrupted", (name, host)
        assert "its worker process died (killed by SIGKILL)" in host["error"], (name, host)
    # Only what it had in flight (20 threads) is lost; the rest went to the other process.
    assert len(failed) <= 20, sorted(failed)
    assert code == (1 if failed else 0)


def test_sigterm_to_the_process_group_ends_the_run_with_a_valid_report(
    tmp_path: Path, lab: Lab
) -> None:
    run, workers = _two_processes_under_way(tmp_path, lab)
    os.killpg(run.process.pid, signal.SIGTERM)  # what systemd and CI cancellation do
    sent = time.monotonic()
    code = run.wait(60)
    took = time.monotonic() - sent
    print(f"SIGTERM to the process group -> run ended in {took:.1f} s")
    assert took < 15, run.stderr
    assert code == 130, run.stderr
    report = run.report()
    assert report["interrupted"] is True and len(report["hosts"]) == 400
    for name, host in report["hosts"].items():
        assert host["status"] == "ok" or host["failure"] == "interrupted", (name, host)
    # In-flight hosts finished within the grace period: none was cut off.
    assert not any("abandoned" in str(h["error"]) for h in report["hosts"].values())
    assert not [pid for pid in workers if _running(pid)]


# --- item 2: kill -9 of the main process -----------------------------------------------------


def test_kill_9_of_the_main_process_leaves_no_process_and_no_session(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    run, workers = _two_processes_under_way(tmp_path, lab)
    assert _lab_sessions(lab) > 0  # hosts in flight
    family = [run.process.pid, *workers, *_children_of(run.process.pid)]
    os.kill(run.process.pid, signal.SIGKILL)
    killed = time.monotonic()
    run.wait(10)
    left = _poll(
        lambda: not [p for p in family if _running(p)] and _lab_sessions(lab) == 0, timeout=10
    )
    took = time.monotonic() - killed
    print(f"kill -9 of the main process -> no process, no session in {took:.1f} s")
    # Bounded by the poll above (10 s): a process or session left behind fails it.
    assert left, ([p for p in family if _running(p)], _lab_sessions(lab))
    # Read back, each host is as the run left it: the worker processes journaled each host
    # they took, so a host without a file was in flight (unknown) or never started.
    (cut,) = [p for p in (run.reports / "job").glob("2*") if not (p / "report.json").exists()]
    finished = {json.loads(p.read_text())["host"] for p in (cut / "hosts").glob("*.json")}
    taken = {json.loads(line)[0] for line in (cut / "started.jsonl").read_text().splitlines()}
    capsys.readouterr()
    assert main(["report", str(cut), "--output", "json"]) == 130
    hosts = json.loads(capsys.readouterr().out)["hosts"]
    assert {n for n, h in hosts.items() if h["status"] == "ok"} == finished
    in_flight = {n for n, h in hosts.items() if h["failure"] == "unknown"}
    assert in_flight == taken - finished and in_flight
    assert {n for n, h in hosts.items() if h["status"] == "skipped"} == set(hosts) - taken


def _children_of(parent: int) -> list[int]:
    return [pid for pid in _processes() if (stat := _stat(pid)) and stat[1] == parent]


# --- item 3: the second Ctrl-C with worker processes -----------------------------------------


def test_a_second_ctrl_c_ends_the_grace_period_with_worker_processes(tmp_path: Path) -> None:
    # Half the hosts are on devices that log in and never answer: they stay in flight
    # through any grace period, so only the second Ctrl-C can end the run early.
    faults = parse_faults(["r003=hang", "r004=hang"])
    with start_lab(devices=4, latency_ms=100, faults=faults) as lab:
        inventory = _inventory(tmp_path / "inv.yaml", lab, 400)
        run = Netjob(tmp_path, inventory, "-P", "2", "--workers", "40")
        run.workers()
        run.wait_for_hosts(10)
        os.killpg(run.process.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the group
        first = time.monotonic()
        # The first one is being handled (no host starts any more) before the second.
        assert _poll(lambda: "interrupted" in "".join(list(run.lines.queue)), 10)
        os.killpg(run.process.pid, signal.SIGINT)
        second = time.monotonic()
        code = run.wait(30)
        ended = time.monotonic()
        took = ended - second
    print(f"second Ctrl-C -> run ended in {took:.1f} s ({second - first:.1f} s after the first)")
    assert code == 130, run.stderr
    # Before the grace period (10 s from the first Ctrl-C) was over: the hung hosts would
    # never finish, so only the second Ctrl-C ends the run this soon.
    assert ended - first < 10
    report = run.report()
    assert report["interrupted"] is True and len(report["hosts"]) == 400
    abandoned = [h for h in report["hosts"].values() if "abandoned" in str(h["error"])]
    assert abandoned and all(h["failure"] == "interrupted" for h in abandoned)


# --- item 4: --retry-failed and `netjob report` after kill -9 of the main process ------------


def test_a_run_cut_short_by_kill_9_is_read_back_from_its_host_files(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    inventory = _inventory(tmp_path / "inv.yaml", lab, 60)
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    common = ["-i", str(inventory), "--reports", str(reports), "-q"]
    assert main(["run", str(job), *common, "--limit", "h000*"]) == 0  # an older, finished run
    run = Netjob(tmp_path, inventory, "--workers", "4")
    run.wait_for_hosts(12)
    os.kill(run.process.pid, signal.SIGKILL)
    run.wait(10)
    (cut,) = [
        p
        for p in (reports / "job").iterdir()
        if p.is_dir()
        and p.name != "outputs"
        and not p.is_symlink()
        and not (p / "report.json").is_file()
    ]
    written = {json.loads(p.read_text())["host"] for p in (cut / "hosts").glob("*.json")}
    assert 12 <= len(written) < 60
    capsys.readouterr()

    # `netjob report JOB` is the newest run, the one cut short, and says so.
    assert main(["report", str(job), "--reports", str(reports)]) == 130
    out = capsys.readouterr().out
    assert "cut short" in out and f"{len(written)} of 60 hosts had finished" in out
    assert main(["report", str(job), "--reports", str(reports), "--output", "json"]) == 130
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert len(data["hosts"]) == 60 and data["interrupted"] is True
    assert {n for n, h in data["hosts"].items() if h["status"] == "ok"} == written

    # Hosts a worker had taken (the run's journal) were in flight: unknown, not failed.
    journal = (cut / "started.jsonl").read_text().splitlines()
    in_flight = {json.loads(line)[0] for line in journal} - written
    assert in_flight and {n for n, h in data["hosts"].items() if h["failure"] == "unknown"} == (
        in_flight
    )

    # --retry-failed runs exactly the hosts the cut run did not finish, and says why; those
    # in flight only with --include-unknown (the device may have been changed).
    assert main(["run", str(job), *common, "--retry-failed"]) == 0
    out = capsys.readouterr().out
    assert f"run {cut} was cut short" in out and "left out" in out
    latest = json.loads((reports / "job" / "latest" / "report.json").read_text())
    assert set(latest["hosts"]) == {f"h{n:04d}" for n in range(1, 61)} - written - in_flight
    assert main(["run", str(job), *common, "--retry-failed", "--include-unknown"]) == 0
    latest = json.loads((reports / "job" / "latest" / "report.json").read_text())
    assert set(latest["hosts"]) == in_flight


# --- item 5: --retry-failed means the newest attempt of each host ----------------------------


def test_retry_failed_takes_each_hosts_newest_attempt_across_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    reports = tmp_path / "reports"
    with start_lab(devices=2, faults=parse_faults(["r002=auth_fail"])) as lab:
        broken = _inventory(tmp_path / "broken.yaml", lab, 6)  # h0002, h0004, h0006 fail
        fixed = _inventory(tmp_path / "fixed.yaml", lab, 6, devices=["r001"])

        def run(inventory: Path, *extra: str) -> set[str]:
            before = set((reports / "job").glob("2*")) if (reports / "job").is_dir() else set()
            code = main(
                ["run", str(job), "-i", str(inventory), "--reports", str(reports), "-q", *extra]
            )
            new = set((reports / "job").glob("2*")) - before
            if not new:
                return set()
            (folder,) = new
            assert code == 0 or code == 1
            return set(json.loads((folder / "report.json").read_text())["hosts"])

        assert run(broken) == {f"h{n:04d}" for n in range(1, 7)}
        assert run(broken, "--retry-failed", "--limit", "h0002") == {"h0002"}  # fails again
        assert run(fixed, "--retry-failed") == {"h0002", "h0004", "h0006"}  # all succeed now
        capsys.readouterr()
        # The latest run had three hosts, all ok; the other three succeeded before it.
        assert run(fixed, "--retry-failed") == set()
        assert "nothing to retry" in capsys.readouterr().out
        assert (
            main(
                [
                    "run",
                    str(job),
                    "-i",
                    str(fixed),
                    "--reports",
                    str(reports),
                    "-q",
                    "--retry-failed",
                ]
            )
            == 0
        )


# --- issue 21, item 3: a frozen worker process -----------------------------------------------


class _SessionsOf:
    """Every TCP connection (socket) process `pid` opens to the lab's devices while it
    lives, counted by the kernel's socket ids: one session per host, so the hosts it ran.
    Sampled on a thread; a host's session lasts half a second or more at the lab's
    latency, many samples."""

    def __init__(self, pid: int, lab: Lab) -> None:
        self.pid, self.lab = pid, lab
        self.seen: set[str] = set()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while _running(self.pid):
            self.seen |= _sockets_of(self.pid, self.lab)
            time.sleep(0.02)


@contextlib.contextmanager
def _ended(run: Netjob) -> Iterator[None]:
    """The run and its worker processes end with the test, even a stopped one of a run
    that hangs (its own session: one process group)."""
    try:
        yield
    finally:
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait(10)


@dataclasses.dataclass
class _Signalled:
    run: Netjob
    victim: int
    code: int
    took: float  # seconds from the signal to the run's end
    other: _SessionsOf  # the hosts the other worker process ran after the signal
    replacement: _SessionsOf  # those the one started in the victim's place ran


def _signal_a_worker(tmp_path: Path, lab: Lab, sig: signal.Signals, *args: str) -> _Signalled:
    """`netjob run -P 2` on 400 hosts, `sig` sent to one worker process once it holds lab
    sessions (hosts it started, in flight when the signal comes), and the run to its end."""
    inventory = _inventory(tmp_path / "inv.yaml", lab, 400)
    run = Netjob(tmp_path, inventory, "-P", "2", "--workers", "40", *args)
    with _ended(run):
        victim, other = run.workers()
        assert _poll(lambda: _sessions_of(victim, lab), timeout=60), run.stderr
        os.kill(victim, sig)
        sent = time.monotonic()
        others = _SessionsOf(other, lab)
        found = _poll(lambda: set(_worker_processes(run.process.pid)) - {victim, other}, 90)
        assert found, f"no new worker process; the one signalled: {_stat(victim)}"
        (replacement,) = found
        replaced = _SessionsOf(replacement, lab)
        code = run.wait(120)
    return _Signalled(run, victim, code, time.monotonic() - sent, others, replaced)


def _failed(done: _Signalled, signalled: str) -> dict[str, Any]:
    """The hosts that failed, from the run's report (checked against the schema), once
    every host is found named once in it and once on the console."""
    report = done.run.report()
    names = {f"h{n:04d}" for n in range(1, 401)}
    assert set(report["hosts"]) == names and report["interrupted"] is False
    lines = done.run.lines.queue
    printed = [m[1] for line in lines if (m := re.match(r"(?:ok|failed) +(h\d+) ", line))]
    assert sorted(printed) == sorted(names), done.run.stderr
    failed = {n: h for n, h in report["hosts"].items() if h["status"] != "ok"}
    print(
        f"{signalled} of a worker process -> run ended {done.took:.1f} s after it; "
        f"{len(failed)} hosts in flight failed; after it, the other process ran "
        f"{len(done.other.seen)} hosts, the new one {len(done.replacement.seen)}"
    )
    return failed


@pytest.mark.timeout(400)
def test_a_worker_process_stopped_with_sigstop_is_lost_killed_and_replaced(
    tmp_path: Path,
) -> None:
    # Latency keeps the run going past the frozen process's deadline (host timeout + 10 s).
    with start_lab(devices=4, latency_ms=100) as lab:
        # What a debugger, a paused container or memory pressure leave.
        done = _signal_a_worker(tmp_path, lab, signal.SIGSTOP, "--host-timeout", "5")
    failed = _failed(done, "SIGSTOP")
    assert not _running(done.victim)  # killed, never to resume and push a host again
    # What it had in flight when stopped (its 20 threads' hosts, at most) failed, saying
    # why; the device may have done anything, so none of them ran again elsewhere.
    assert 1 <= len(failed) <= 20, sorted(failed)
    for name, host in failed.items():
        assert host["failure"] == "interrupted", (name, host)
        assert "its worker process stopped answering" in host["error"], (name, host)
    assert done.code == 1, done.run.stderr
    # The other process went on, and the hosts the stopped one had been handed and not
    # started were shared with a new process: the run was not left to the other alone.
    assert len(done.other.seen) >= 5 and len(done.replacement.seen) >= 5, done.run.stderr


def test_a_worker_process_killed_is_replaced(tmp_path: Path) -> None:
    with start_lab(devices=4, latency_ms=100) as lab:
        done = _signal_a_worker(tmp_path, lab, signal.SIGKILL)
    failed = _failed(done, "kill -9")
    assert 1 <= len(failed) <= 20, sorted(failed)
    assert all("its worker process died" in h["error"] for h in failed.values()), failed
    assert len(done.replacement.seen) >= 5, done.run.stderr
