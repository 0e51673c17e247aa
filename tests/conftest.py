from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_types import Write  # noqa: E402  (from tests/, on sys.path from the line above)

# The `lab` marker's guard (tests/lab_guard.py): an unmarked test may not start a lab;
# pytester runs its test (test_lab_marker.py).
# The `sessions` marker's guard (tests/transport_guard.py): a test that drives a device
# through netjob's SSH session is marked, so CI runs it on paramiko as well as libssh2.
pytest_plugins = ["lab_guard", "transport_guard", "pytester"]

INVENTORY = """\
defaults:
  platform: cisco_ios
  username: netjob
  password_env: TEST_PASSWORD
groups:
  core:
    vars: {role: core, ntp_servers: [192.0.2.1]}
    connection: {read_timeout: 5}
  edge:
    vars: {role: edge}
hosts:
  r1: {address: 192.0.2.11, groups: [core], vars: {uplink: Gi0/0}}
  r2: {address: 192.0.2.12, groups: [core, edge], vars: {uplink: Gi0/1}}
  r3: {address: 192.0.2.13, port: 2222, groups: [edge], vars: {uplink: Gi0/2, role: special}}
"""


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """write("name.yaml", text) -> Path, in a fresh folder."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return _write


@pytest.fixture
def inventory_file(write: Write) -> Path:
    return write("inventory.yaml", INVENTORY)


@pytest.fixture(scope="session", autouse=True)
def _session_known_hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Session- and module-scoped fixtures (the FakeNOS run, the shared labs) run before any
    function-scoped fixture: they too learn host keys in a file of the test session, never in
    ~/.netjob, where a key from an earlier CI run on a reused port reads as host_key_changed."""
    import os

    folder = tmp_path_factory.mktemp("netjob-session-home")
    saved = {k: os.environ.get(k) for k in ("NETJOB_KNOWN_HOSTS", "NETJOB_LAB_HOST_KEY")}
    os.environ["NETJOB_KNOWN_HOSTS"] = str(folder / "known_hosts")
    os.environ["NETJOB_LAB_HOST_KEY"] = str(folder / "lab_host_key")
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _own_known_hosts(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test learns lab host keys in its own known-hosts file (never ~/.netjob), and
    starts with no bastion connection left by another."""
    from runner.device import hostkeys, jump

    folder = tmp_path_factory.mktemp("netjob-home")
    monkeypatch.setenv("NETJOB_KNOWN_HOSTS", str(folder / "known_hosts"))
    monkeypatch.setenv("NETJOB_LAB_HOST_KEY", str(folder / "lab_host_key"))
    hostkeys.forget_loaded()
    yield
    jump.close_all()
    hostkeys.forget_loaded()
