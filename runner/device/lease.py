"""A host's hold on its session (Lease): how the watchdog cuts it at any moment, and the
login gate a connector holds while it logs in. Pure Python: the executor, the worker
processes and core import it without loading netmiko or paramiko."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from runner.base.errors import HostTimeoutError


class Lease:
    """A host's hold on its session, so another thread (the watchdog) can cut it at any
    moment: while connecting, logging in or waiting for a prompt.

    `login_slot()` is what a connector holds while it logs in (after the TCP connection and
    the SSH banner, which cost the device's AAA server nothing): the executor makes it its
    run's login gate, and stops the host's clock while the host waits for it."""

    def __init__(self, login_slot: Callable[[], AbstractContextManager[object]] | None = None):
        self._lock = threading.Lock()
        self._cutters: list[Callable[[], None]] = []
        self.expired = False
        self.login_slot = login_slot or contextlib.nullcontext

    def on_abort(self, cut: Callable[[], None]) -> None:
        """Register how to cut this session; runs at once if the deadline already passed."""
        with self._lock:
            self._cutters.append(cut)
            if not self.expired:
                return
        cut()
        raise HostTimeoutError("past the host's deadline before it logged in")

    def abort(self) -> None:
        with self._lock:
            self.expired = True
            cutters = list(self._cutters)
        for cut in cutters:
            with contextlib.suppress(Exception):
                cut()
