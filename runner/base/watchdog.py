"""Per-host deadlines enforced by one thread for the whole run (not a timer per host).

A blocked netmiko read cannot be cancelled from outside; closing its socket can. So the
executor registers "close this host's socket at time T", and a host past its deadline fails
within moments instead of holding a worker for minutes (netmiko #1655, nornir #19).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Watchdog:
    def __init__(self) -> None:
        # The heap holds only (deadline, token); the callbacks sit in a dict that cancel()
        # empties, so a finished host's session is freed now, not at its deadline.
        self._heap: list[tuple[float, int]] = []
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, on_expiry: Callable[[], None]) -> int:
        """Call on_expiry (in the watchdog thread) at time.monotonic() == deadline."""
        with self._wake:
            token = next(self._ids)
            heapq.heappush(self._heap, (deadline, token))
            self._callbacks[token] = on_expiry
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="netjob-watchdog", daemon=True
                )
                self._thread.start()
            if self._heap[0][1] == token:
                # Only a deadline that comes first changes the thread's wait: every host's
                # start would otherwise wake it (a context switch, and the GIL) for nothing.
                self._wake.notify()
        return token

    def cancel(self, token: int) -> None:
        with self._wake:
            self._callbacks.pop(token, None)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._heap:
                    self._wake.wait()
                deadline, token = self._heap[0]
                if token not in self._callbacks:  # cancelled: drop it now
                    heapq.heappop(self._heap)
                    continue
                left = deadline - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
                on_expiry = self._callbacks.pop(token)
            try:
                on_expiry()  # outside the lock: it may take a moment to close a socket
            except Exception:
                # One callback's error must not end the thread: every later deadline of
                # the process would pass unwatched.
                log.warning("a deadline's callback failed", exc_info=True)
