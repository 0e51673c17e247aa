"""Issue 25: the writes a netjob run spends per session, counted by the lab on every
platform it simulates, for a show-only job and a config job (counts, never times).

The numbers are bench/README.md's table (bench/round_trips.py prints it): a change that
adds a round trip per device fails here, and one that cuts some updates the table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from netjob_lab.platforms import PLATFORMS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from round_trips import count

pytestmark = pytest.mark.lab

# The most writes each job may take per platform: (show-only, config).
MOST = {
    "cisco_ios": (5, 9),
    "arista_eos": (5, 9),
    "juniper_junos": (3, 14),
    "cisco_xr": (3, 14),
    "cisco_nxos": (3, 7),
    "huawei": (5, 14),
}


def test_every_lab_platform_has_its_numbers() -> None:
    assert set(MOST) == set(PLATFORMS)


@pytest.mark.sessions
@pytest.mark.parametrize("platform", list(PLATFORMS))
@pytest.mark.parametrize("task", ["show", "config"])
def test_writes_per_session(platform: str, task: str, tmp_path: Path) -> None:
    counted = count(platform, task, tmp_path)
    assert counted.exit_code == 0 and counted.sessions == 1, counted
    most = MOST[platform][0 if task == "show" else 1]
    assert counted.writes <= most, counted
    assert counted.answers >= 1, counted
