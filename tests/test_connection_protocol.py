"""The Connection protocol says everything its callers use: no caller probes a connection
for an attribute (`getattr(connection, "notes", None)` read what the protocol never
promised, and a fake without it passed unnoticed), and the in-memory fake has every
member, so a logic test runs the same calls the lab's tests do."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fakes import FakeConnection

from runner.base.models import Host
from runner.device.connection import Connection, NetmikoConnection

RUNNER = Path(__file__).resolve().parent.parent / "runner"
# A name that holds a Connection in runner's code.
_NAMES = ("connection", "conn")
_PROBE = re.compile(r"\b(?:getattr|hasattr)\(\s*(?:" + "|".join(_NAMES) + r")\b")


def _members() -> set[str]:
    return {
        name
        for name in vars(Connection)
        if not name.startswith("_") and name not in {"register", "mro"}
    }


def _sources() -> list[Path]:
    return [p for p in RUNNER.rglob("*.py") if "lab" not in p.relative_to(RUNNER).parts]


def test_no_caller_probes_a_connection_for_an_attribute() -> None:
    probes = [
        f"{path.relative_to(RUNNER.parent)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _PROBE.search(line)
    ]
    assert probes == []


def test_every_member_callers_use_is_in_the_protocol() -> None:
    members = _members()
    used: dict[str, str] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        # A caller imports the protocol; the device room is its implementation.
        if path.parent.name == "device" or "runner.device.connection import" not in text:
            continue
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in _NAMES
            ):
                used.setdefault(node.attr, f"{path.relative_to(RUNNER.parent)}:{node.lineno}")
    assert used, "no caller found: the scan looks at the wrong names"
    assert {name: at for name, at in used.items() if name not in members} == {}


def test_the_fake_and_netmiko_s_connection_have_every_member() -> None:
    fake = FakeConnection(Host(name="r1", address="192.0.2.1"))
    for name in sorted(_members()):
        assert hasattr(fake, name), f"FakeConnection lacks {name}"
        assert hasattr(NetmikoConnection, name), f"NetmikoConnection lacks {name}"
