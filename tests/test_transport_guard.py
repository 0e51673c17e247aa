"""tests/transport_guard.py can fail: an unmarked test that drove a libssh2 session, and a
libssh2 session in the paramiko pass, are both named."""

from __future__ import annotations

from pathlib import Path

import pytest
from transport_guard import problem

LIBSSH2 = "SSH-2.0-libssh2_1.11.1"
PARAMIKO = "SSH-2.0-paramiko_4.0.0"


class _Item:
    def __init__(self, marked: bool, module: str = "test_example.py") -> None:
        self.nodeid = f"tests/{module}::test_x"
        self.path = Path("tests") / module
        self._marked = marked

    def get_closest_marker(self, name: str) -> object:
        return object() if self._marked and name == "sessions" else None


def test_an_unmarked_test_on_libssh2_is_told_to_take_the_marker() -> None:
    found = problem(_Item(marked=False), [PARAMIKO, LIBSSH2], None)  # type: ignore[arg-type]
    assert found is not None and "without the `sessions` marker" in found
    assert problem(_Item(marked=True), [LIBSSH2], None) is None  # type: ignore[arg-type]


def test_the_paramiko_pass_refuses_a_libssh2_session() -> None:
    found = problem(_Item(marked=True), [LIBSSH2], "paramiko")  # type: ignore[arg-type]
    assert found is not None and "paramiko pass" in found
    own = _Item(marked=False, module="test_ssh2_transport.py")  # runs each library itself
    assert problem(own, [LIBSSH2], "paramiko") is None  # type: ignore[arg-type]
    assert problem(own, [LIBSSH2], None) is None  # type: ignore[arg-type]
    assert problem(_Item(marked=True), [PARAMIKO], "paramiko") is None  # type: ignore[arg-type]


@pytest.mark.parametrize("clients", [[], [PARAMIKO]])
def test_no_libssh2_session_nothing_to_say(clients: list[str]) -> None:
    assert problem(_Item(marked=False), clients, None) is None  # type: ignore[arg-type]
