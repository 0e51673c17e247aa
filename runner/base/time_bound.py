"""A bound in time around work that cannot bound itself: one regular expression match (a
host pattern such as `~(r|r)+x` backtracks for minutes on long names) or one call of a
template filter (`wordwrap(1)` over a long value), which checks nothing while it runs.

A SIGALRM timer raises in the main thread when the time is up: CPython's regular
expression engine checks for signals while it matches, and Python code between bytecodes.
Signals reach only the main thread, so elsewhere (a worker thread, an embedding app's
thread) the block runs unbounded, and the callers' own checks are what bounds it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any


class _Expired(BaseException):
    """Raised by the timer; a BaseException, so no `except Exception` in between eats it."""


@contextlib.contextmanager
def time_bound(seconds: float, fail: Callable[[], BaseException]) -> Iterator[None]:
    """Raise `fail()` if the block runs past `seconds` (main thread, not nested)."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # a bound already runs
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise fail() from None
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)  # a late tick does nothing now
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
