"""The test session never touches the user's ~/.netjob: a key learned there by one CI run on
a port that a later run hands to another simulator reads as host_key_changed."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def session_fixture_files() -> tuple[Path, str]:
    """What a session-scoped fixture (one that starts a lab or runs netjob once for many
    tests) sees, before any function-scoped fixture has run."""
    import os

    from runner.device import hostkeys

    return hostkeys.default_file(), os.environ.get("NETJOB_LAB_HOST_KEY", "")


def test_session_fixtures_learn_host_keys_outside_home(
    session_fixture_files: tuple[Path, str],
) -> None:
    known_hosts, lab_key = session_fixture_files
    home = Path.home() / ".netjob"
    assert home not in known_hosts.parents, known_hosts
    assert lab_key and home not in Path(lab_key).parents, lab_key


def test_each_test_has_its_own_known_hosts(session_fixture_files: tuple[Path, str]) -> None:
    from runner.device import hostkeys

    assert hostkeys.default_file() != session_fixture_files[0]
