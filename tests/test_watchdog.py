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


def test_only_a_deadline_that_comes_first_wakes_the_thread() -> None:
    """A new deadline later than the first one changes nothing the thread waits for: it is
    not woken (a host's start, hundreds at a time); an earlier one wakes it, and fires."""
    watchdog = Watchdog()
    woken = 0
    notify = watchdog._wake.notify

    def counted(n: int = 1) -> None:
        nonlocal woken
        woken += 1
        notify(n)

    watchdog._wake.notify = counted  # type: ignore[method-assign]
    now = time.monotonic()
    watchdog.watch(now + 3600, lambda: None)
    assert woken == 1  # the first deadline: the thread starts waiting for it
    for later in range(1, 50):
        watchdog.watch(now + 3600 + later, lambda: None)
    assert woken == 1
    fired = threading.Event()
    watchdog.watch(time.monotonic() + 0.01, fired.set)
    assert woken == 2
    assert fired.wait(10)
