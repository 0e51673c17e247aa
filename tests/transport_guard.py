"""Keeps the `sessions` marker honest, so CI's second pass runs, on paramiko, every test
that drives a device through netjob's SSH session (issue 25: both transports).

netjob chooses libssh2 when the `fast` extra is installed (the suite's default pass) and
paramiko when NETJOB_TRANSPORT=paramiko (CI's second pass: `pytest -m sessions`). The
lab notes each shell session's client software (netjob_lab.sshd.CLIENTS, its SSH version
line). A test that served a libssh2 session from an in-process lab without the `sessions`
marker fails at its teardown: left unmarked it would never run on paramiko. And on the
paramiko pass a libssh2 session fails the test: the pass would not be what it says.
test_ssh2_transport.py runs each library itself, on purpose, and is left out of both.

Not seen: sessions to devices served by another process (FakeNOS, `netjob lab`, the
bench's lab): those modules are marked by hand. Not blamed: sessions a module- or
session-scoped fixture opens (a run shared by a module's tests), which would otherwise fall
on whichever test happens to set the fixture up first (`-k` picks another); the tests
that first use such a fixture are marked, so the paramiko pass runs it too.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from netjob_lab import sshd

LIBSSH2 = "libssh2"
# Tests that choose their own library (they set NETJOB_TRANSPORT, or `transport: ssh2`).
CHOOSE_THEIR_OWN = frozenset({"test_ssh2_transport.py", "test_transport_guard.py"})


def problem(item: pytest.Item, clients: list[str], forced: str | None) -> str | None:
    """The failure for a test whose sessions' clients do not fit its marker or its pass."""
    on_libssh2 = any(LIBSSH2 in client for client in clients)
    if not on_libssh2 or item.path.name in CHOOSE_THEIR_OWN:
        return None  # (those run each library themselves: no second pass needed)
    if item.get_closest_marker("sessions") is None:
        return (
            f"{item.nodeid} drove a device through netjob's SSH session without the "
            "`sessions` marker: add it (`pytestmark = [pytest.mark.lab, pytest.mark.sessions]`) "
            "so CI runs it on paramiko too (NETJOB_TRANSPORT=paramiko pytest -m sessions)"
        )
    if forced == "paramiko":
        return (
            f"{item.nodeid} ran a session on libssh2 in the paramiko pass "
            "(NETJOB_TRANSPORT=paramiko): it would not test paramiko"
        )
    return None


# Indices in sshd.CLIENTS of sessions opened while a shared fixture was set up.
_SHARED: set[int] = set()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object]) -> Generator[None, None, None]:
    start = len(sshd.CLIENTS)
    try:
        return (yield)
    finally:
        if fixturedef.scope != "function":
            _SHARED.update(range(start, len(sshd.CLIENTS)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_SEEN] = len(sshd.CLIENTS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        yield
    finally:
        start = item.stash.get(_SEEN, len(sshd.CLIENTS))
        clients = [
            client
            for index, client in enumerate(sshd.CLIENTS[start:], start)
            if index not in _SHARED
        ]
    found = problem(item, clients, os.environ.get("NETJOB_TRANSPORT"))
    if found is not None:
        pytest.fail(found, pytrace=False)


_SEEN = pytest.StashKey[int]()
