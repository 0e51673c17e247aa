"""The watchdog: one thread per process calls each deadline's callback once, at its time,
and never for a cancelled one. It now bounds every login's set-up too, so one callback
that raises must not end the thread (every later deadline would pass unwatched)."""

from __future__ import annotations

import threading
import time

import pytest

from runner.base.watchdog import Watchdog


def test_a_callback_that_raises_does_not_stop_later_deadlines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watchdog = Watchdog()
    fired = threading.Event()

    def broken() -> None:
        raise OSError("the socket was gone already")

    watchdog.watch(time.monotonic(), broken)
    watchdog.watch(time.monotonic() + 0.01, fired.set)
    assert fired.wait(10), "the deadline after a failing callback never fired"
    assert "a deadline's callback failed" in caplog.text


def test_a_cancelled_deadline_never_fires_and_the_next_one_does() -> None:
    watchdog = Watchdog()
    cancelled, fired = threading.Event(), threading.Event()
    token = watchdog.watch(time.monotonic() + 0.05, cancelled.set)
    watchdog.cancel(token)
    watchdog.watch(time.monotonic() + 0.1, fired.set)
    assert fired.wait(10)
    assert not cancelled.is_set()  # its deadline came before the one that fired
