"""Who is running a run, and which hosts it has started: what lets a run folder without a
report.json be read as still running, or as killed, and its hosts without a result as in
flight or never started.

    owner = Owner.this_process()      # recorded in run.json before any host starts
    owner.alive()                     # later, from any process: is that run still going?
    record_start(run_dir / STARTED, "r001")   # by the worker, before it contacts r001
    read_starts(run_dir / STARTED)            # {"r001": 1733563200.5, ...}

(STARTED: the run folder's journal, runner.base.run_layout.)

A pid alone does not say a run is alive: after a reboot, or once the pid is reused, another
process has it. So the owner is the machine's name, the boot and the process's start time
in clock ticks since boot (/proc/<pid>/stat, field 22): all three must match. Where /proc
cannot be read (not Linux), the start is unknown and a live pid on the same machine counts.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Owner:
    """The process that runs a run: its pid, the machine it is on, and when it started
    (`<boot id>:<start ticks>`; None where /proc cannot tell)."""

    pid: int
    machine: str | None
    start: str | None

    @classmethod
    def this_process(cls) -> Owner:
        return cls.of(os.getpid())

    @classmethod
    def of(cls, pid: int) -> Owner:
        """A live process of this machine as its owner record."""
        return cls(pid, socket.gethostname(), _start_of(pid))

    def alive(self) -> bool:
        """Whether this process still runs: on this machine, with its pid held by the same
        process (not a zombie, not a later process given the pid). A run recorded on
        another machine (a shared disk) cannot be asked, and reads as not running; so does
        one made before the machine was kept (its pid may long since be another's)."""
        if self.pid <= 0 or self.machine is None or not self.here:
            return False
        if self.start is not None:
            return _start_of(self.pid) == self.start
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # another user's process holds the pid
        return True

    @property
    def here(self) -> bool:
        """Recorded on this machine (or, in runs made before the machine was kept, taken
        to be), so its process can be asked after."""
        return self.machine is None or self.machine == socket.gethostname()

    def where(self) -> str:
        """`pid 123 on host-a`, for messages."""
        return f"pid {self.pid}" + (f" on {self.machine}" if self.machine else "")


def _start_of(pid: int) -> str | None:
    """`<boot id>:<start ticks>` of a live process, or None (gone, a zombie, or no /proc)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or `)`: split after
    # its last `)`. What follows starts at field 3, the state; the start time is field 22.
    fields = stat.rpartition(")")[2].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return f"{boot}:{fields[19]}"


def record_start(path: Path, host: str) -> None:
    """Append the host to a run's journal of started hosts, in one write: worker threads and
    worker processes append to one file (O_APPEND keeps their lines whole), and a process
    killed right after still leaves the line (it is in the kernel once write returns)."""
    line = json.dumps([host, round(time.time(), 3)]) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read_starts(path: Path) -> dict[str, float] | None:
    """Each started host and when, from a run's journal; None when the run kept none (a
    cluster run, or one made before netjob kept it) or a line of it cannot be read: then
    which hosts started is not known, and no host may be read as never started."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    starts: dict[str, float] = {}
    for line in text.splitlines():
        try:
            host, when = json.loads(line)
            starts.setdefault(str(host), float(when))
        except (ValueError, TypeError):
            return None
    return starts
