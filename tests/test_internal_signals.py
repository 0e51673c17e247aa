"""netjob's own functions signal each other with netjob's exception tree or a return value,
never a builtin exception: a `raise ValueError` inside the device room was caught three
frames up by an `except ValueError` meant for netmiko's, and a new one anywhere on the way
would have been taken for the device's refusal. A library's ValueError is still caught
where the library is called (netmiko's "Failed to enter configuration mode")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from runner.base.errors import InputError
from runner.base.revert_timer import timer_for
from runner.load.ssh_options import parse_spec

RUNNER = Path(__file__).resolve().parent.parent / "runner"
_BUILTINS = {"ValueError", "TypeError", "KeyError", "LookupError", "RuntimeError"}


def _raised_builtins(folder: str) -> list[str]:
    found = []
    for path in sorted((RUNNER / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                called = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(called, ast.Name) and called.id in _BUILTINS:
                    found.append(f"{path.relative_to(RUNNER.parent)}:{node.lineno}")
    return found


@pytest.mark.parametrize("room", ["device", "run"])
def test_no_builtin_exception_is_raised_as_a_signal(room: str) -> None:
    assert _raised_builtins(room) == []


def test_a_bad_jump_spec_is_netjob_s_input_error() -> None:
    with pytest.raises(InputError, match="port 70000 is not from 1 to 65535"):
        parse_spec("netops@bastion:70000")


def test_a_platform_without_a_timer_is_netjob_s_input_error() -> None:
    with pytest.raises(InputError, match="no timer for platform cisco_ios"):
        timer_for(None, {"arista_eos": 60.0}, "cisco_ios")
