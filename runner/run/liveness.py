"""Whether a worker process (runner.run.processes) is still running, seen from the main
process: a process stopped by SIGSTOP (memory pressure, a debugger, a paused container)
neither exits nor answers, so its exit sentinel never fires and its hosts would wait on it
for good.

Each worker process beats once a second on a pipe of its own, from a thread that does
nothing else; a Monitor thread in the main process reads those pipes. A process silent for
the host timeout plus a grace is lost: each host it had started is past the deadline its
own watchdog should have enforced (a process that cannot run Python cannot cut a session),
so a working process, however slow its devices or long its wait for a login slot, is
never taken for a frozen one; time the main process itself stood still (Ctrl-Z stops the
whole group) is not counted. The monitor kills a lost one with SIGKILL, so it
never resumes to push a host a second time, and the main thread then buries it as it does
a dead one. The beats travel apart from the results on purpose: a result is written in two
parts when large, and a process stopped between them would leave the main thread waiting
in the middle of reading it; the kill ends that read too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from runner.base.errors import FailureClass, Remedy, advice
from runner.base.models import HostResult, WorkItem
from runner.run import scheduler
from runner.run.cluster import exclusive
from runner.run.executor import Policy

log = logging.getLogger(__name__)

BEAT = 1.0  # seconds between a worker process's beats
GRACE = 10.0  # past the host timeout, before a silent worker process is lost
# A spawned process beats only once it has imported netjob (a second or two, far more on
# a loaded machine): its first beat is given this long on top.
FIRST_BEAT = 60.0
_WAIT = 0.5  # the monitor's longest wait for a beat
_HELD = 5.0  # the monitor late by more than this: its own process did not run


@dataclasses.dataclass(eq=False)
class Watched:
    """One worker process as the monitor sees it. `lost` is set (by the monitor thread)
    just before the kill, so whoever sees the process end knows why."""

    process: BaseProcess
    beats: Connection | None  # None once closed
    heard: float = dataclasses.field(default_factory=time.monotonic)
    spoke: bool = False
    lost: str | None = None
    buried: bool = False  # set by the main thread: its end is known, judge it no more


class Monitor:
    """A thread that reads every worker process's beats and kills the silent ones."""

    def __init__(self, host_timeout: float) -> None:
        self.limit = host_timeout + GRACE
        self._watched: list[Watched] = []
        self._lock = threading.Lock()
        self._end = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="netjob-liveness", daemon=True)

    def watch(self, process: BaseProcess, beats: Connection) -> Watched:
        watched = Watched(process, beats)
        with self._lock:
            self._watched.append(watched)
        if not self._thread.is_alive() and not self._end.is_set():
            self._thread.start()
        return watched

    def close(self) -> None:
        """The thread ends within its next wait, closing the pipes it reads (not joined:
        the end of a run need not wait for it)."""
        self._end.set()

    def _loop(self) -> None:
        last = time.monotonic()
        while not self._end.is_set():
            with self._lock:
                watched = [w for w in self._watched if w.beats is not None]
            ready = wait([w.beats for w in watched if w.beats is not None], timeout=_WAIT)
            now = time.monotonic()
            forgive(watched, now - last - _WAIT)
            last = now
            for one in watched:
                if one.beats in ready:
                    self._hear(one)
            self._judge(watched, time.monotonic())
        with self._lock:
            for one in self._watched:
                if one.beats is not None:
                    one.beats.close()
                    one.beats = None

    def _hear(self, watched: Watched) -> None:
        beats = watched.beats
        assert beats is not None
        try:
            while beats.poll():
                beats.recv_bytes()  # one byte a beat: always written whole
                watched.heard, watched.spoke = time.monotonic(), True
        except (EOFError, OSError):  # it ended: its sentinel tells the main thread
            beats.close()
            watched.beats = None

    def _judge(self, watched: Sequence[Watched], now: float) -> None:
        for one in watched:
            allowed = self.limit + (0.0 if one.spoke else FIRST_BEAT)
            silent = now - one.heard
            if one.beats is None or one.buried or silent <= allowed:
                continue
            one.lost = (
                f"its worker process stopped answering (silent for {silent:.0f} s, past the "
                f"host timeout plus {GRACE:g} s: stopped with SIGSTOP, paused or starved of "
                "memory) and was killed"
            )
            log.warning("worker process %s %s", one.process.pid, one.lost[len("its ") :])
            one.process.kill()  # works on a stopped process too; it never resumes
            one.beats.close()
            one.beats = None


def forgive(watched: Sequence[Watched], held: float) -> None:
    """The monitor itself was held up (`held` seconds past its wait): this process was
    stopped or starved too (Ctrl-Z stops the whole process group, and `fg` resumes it).
    That silence is not the worker processes' own: it does not count against them."""
    if held > _HELD:
        for one in watched:
            one.heard += held


def beat(beats: Connection) -> None:
    """In a worker process: beat until the main process stops listening (its going is
    seen on the work pipe, which ends the process)."""

    def loop() -> None:
        with contextlib.suppress(OSError):
            while True:
                time.sleep(BEAT)
                beats.send_bytes(b".")

    # The first beat before any host: a process stopped at once has still been heard, so
    # it is judged by the host timeout, not the allowance for a process starting.
    with contextlib.suppress(OSError):
        beats.send_bytes(b".")
    threading.Thread(target=loop, name="netjob-beat", daemon=True).start()


def lost_host(item: WorkItem, policy: Policy, why: str, started: float) -> HostResult:
    """A host in flight on a worker process that died or was lost: never run again (what
    the device did is unknown). One that may change its device is `unknown`, which
    --retry-failed leaves out unless told; the others failed `interrupted`."""
    if exclusive(item, policy):
        result = scheduler.interrupted(
            item.host.name,
            f"{why} while working on it: it may or may not have been changed; "
            + advice(
                "look at the device (the host log has what was recorded)",
                (Remedy.RETRY_UNKNOWN,),
            ),
            started,
        )
        return dataclasses.replace(result, failure=FailureClass.UNKNOWN)
    return scheduler.interrupted(
        item.host.name,
        f"{why} while working on it: what the device did is unknown; "
        + advice("check it (the host log has what was recorded)", (Remedy.RETRY_FAILED,)),
        started,
    )
