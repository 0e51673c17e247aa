"""Per-host deadlines enforced by one thread for the whole run (not a timer per host).

A blocked netmiko read cannot be cancelled from outside; closing its socket can. So the
executor registers "close this host's socket at time T", and a host past its deadline fails
within moments instead of holding a worker for minutes (netmiko #1655, nornir #19).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Watchdog:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cancelled: set[int] = set()
        self._ids = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, on_expiry: Callable[[], None]) -> int:
        """Call on_expiry (in the watchdog thread) at time.monotonic() == deadline."""
        with self._wake:
            token = next(self._ids)
            heapq.heappush(self._heap, (deadline, token, on_expiry))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="netjob-watchdog", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        return token

    def cancel(self, token: int) -> None:
        with self._wake:
            self._cancelled.add(token)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._heap:
                    self._wake.wait()
                deadline, token, on_expiry = self._heap[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
                if token in self._cancelled:
                    self._cancelled.discard(token)
                    continue
            on_expiry()  # outside the lock: it may take a moment to close a socket
