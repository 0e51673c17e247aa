"""Keeps the `lab` marker honest, so `pytest -m "not lab"` stays the quick loop.

A test is marked `lab` (a module's `pytestmark = pytest.mark.lab`, or `@pytest.mark.lab`)
when it starts something real: netjob's lab, FakeNOS, an OpenSSH bastion, Nautobot,
chromium, a Dask cluster, the CLI or the bench as a process. All of these bind a socket or
start a process, and Python reports both to an audit hook (`sys.addaudithook`) from any
thread. A test without the marker that does either fails at its teardown, naming what it
started: left unmarked it would quietly slow the quick loop by seconds to minutes, and a
marker guessed from a module's imports would misread a module that imports the lab's
classes only to test them in memory.

Not seen: worker processes started by multiprocessing's "spawn" (it forks without an audit
event), which runner/run/processes.py uses; test_procs.py is marked by hand.
"""

from __future__ import annotations

import ctypes.util
import os
import socket
import sys
from collections.abc import Generator
from types import FrameType
from typing import Any

import pytest

# Audit events (https://docs.python.org/3/library/audit_events.html) that mean a test
# started something real: a listening socket or another process.
WATCHED = frozenset(
    {
        "socket.bind",
        "subprocess.Popen",
        "os.fork",
        "os.forkpty",
        "os.posix_spawn",
        "os.spawn",
        "os.exec",
        "os.system",
    }
)


# Processes a test may start unmarked, by program name: netjob asks git for a job's revision
# on every run (runner/report/provenance.py), in-memory runs included.
QUICK_PROGRAMS = frozenset({"git"})


class Watch:
    """What each running test started; a stack, so a test that runs pytest in-process
    (test_lab_marker.py) keeps its own record apart from the inner session's tests."""

    def __init__(self) -> None:
        self.records: list[list[str]] = []

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event in WATCHED and self.records:
            started = describe(event, args)
            if started is not None:
                self.records[-1].append(started)

    def begin(self) -> None:
        self.records.append([])

    def end(self) -> list[str]:
        return self.records.pop() if self.records else []


def describe(event: str, args: tuple[Any, ...]) -> str | None:
    """What the event started, or None when it is not a server or a slow process."""
    if event == "socket.bind":
        sock, address = args
        # A network socket: a Unix one is a file (a hostile input of test_hostile_corpus).
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return None
        return f"socket.bind {address!r}"
    if event == "subprocess.Popen":
        executable, argv = args[0], args[1]
        words = [argv] if isinstance(argv, (str, bytes, os.PathLike)) else list(argv)
        program = os.fsdecode(executable if executable is not None else words[0])
        if os.path.basename(program.split()[0]) in QUICK_PROGRAMS or _finding_a_library():
            return None
        return f"subprocess.Popen {[os.fsdecode(w) for w in words[:2]]!r}"
    return event


def _finding_a_library() -> bool:
    """Whether ctypes.util.find_library started the process (ldconfig, then gcc, ld): a
    library looking for its shared object on first import (asyncssh's for nettle, say), in
    whichever test imports it first."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == ctypes.util.__file__:
            return True
        frame = frame.f_back
    return False


def unmarked_start(item: pytest.Item, started: list[str]) -> str | None:
    """The failure for a test that started something real without the `lab` marker."""
    if not started or item.get_closest_marker("lab") is not None:
        return None
    shown = "; ".join(dict.fromkeys(started))  # each distinct start once, in order
    return (
        f"{item.nodeid} started something real without the `lab` marker ({shown}): add "
        "`pytestmark = pytest.mark.lab` after its module's imports (or @pytest.mark.lab) so "
        '`pytest -m "not lab"` stays quick'
    )


WATCH = Watch()
sys.addaudithook(WATCH.hook)  # once per process: an audit hook cannot be removed


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture of the test, module- and session-scoped ones included: a shared
    # lab is started in the setup of the first test that asks for it.
    WATCH.begin()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        yield  # the test's fixtures are torn down first
    finally:
        started = WATCH.end()
    problem = unmarked_start(item, started)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
