"""A lab device's confirm-or-revert timer, as the real ones run it: a timed change starts
it (Junos and IOS-XR `commit confirmed`, EOS `commit timer`, IOS `configure terminal
revert timer`), the confirmation cancels it, and when it runs out the device goes back
to the config it had before the first unconfirmed change, by itself: nothing needs to
be connected for that, and the device is not reloaded.

The lab's clock for these timers can run faster (LabConfig.clock_speed, test-only): a
"1 minute" IOS timer then fires in a second, while the client still asks for a minute.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class RevertTimer:
    """One device's pending timed change (at most one at a time, as on the devices)."""

    def __init__(self) -> None:
        self.speed = 1.0  # lab seconds per real second (test-only: LabConfig.clock_speed)
        self._restore: Callable[[], None] | None = None
        self._cancel: Callable[[], None] | None = None
        self.session: str | None = None  # EOS: the session whose commit timer runs
        self.reverts = 0  # timers that ran out, ever: a test can tell a revert happened
        self.confirms = 0  # timers confirmed, ever
        # Called right after every commit (the cut_after_commit fault cuts sessions there).
        self.on_commit: Callable[[], None] | None = None

    @property
    def pending(self) -> bool:
        return self._restore is not None

    def start(
        self, seconds: float, restore: Callable[[], None], session: str | None = None
    ) -> None:
        """A timed change was made; `restore` puts back the config from before it. A
        second timed change while one is pending restarts the timer and keeps the first
        `restore`: the revert goes back to before the first unconfirmed change."""
        if self._cancel is not None:
            self._cancel()
        if self._restore is None:
            self._restore = restore
        self.session = session
        self._cancel = _schedule(seconds / self.speed, self._run_out)

    def confirm(self, session: str | None = None) -> bool:
        """Cancel the timer: the change stays. False when none was pending (or, with
        `session`, none for that session)."""
        if self._restore is None or (session is not None and session != self.session):
            return False
        if self._cancel is not None:
            self._cancel()
        self._restore = self._cancel = self.session = None
        self.confirms += 1
        return True

    def committed(self) -> None:
        if self.on_commit is not None:
            self.on_commit()

    def _run_out(self) -> None:
        restore, self._restore, self._cancel, self.session = self._restore, None, None, None
        if restore is not None:
            restore()
            self.reverts += 1
            log.info("a revert timer ran out: the previous config is back")


def _schedule(delay: float, fire: Callable[[], None]) -> Callable[[], None]:
    """On the lab's event loop when called from it (every shell runs there, so the revert
    never races a command); a timer thread otherwise (a shell driven by a unit test)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timer.start()
        return timer.cancel
    handle = loop.call_later(delay, fire)
    return handle.cancel


def hms_seconds(text: str) -> int | None:
    """EOS's `hh:mm:ss` → seconds; None when it is not one (or is zero)."""
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() and len(p) == 2 for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts)
    if minutes > 59 or seconds > 59:
        return None
    total = hours * 3600 + minutes * 60 + seconds
    return total or None
