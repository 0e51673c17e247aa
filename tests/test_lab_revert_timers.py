"""The lab's confirm-or-revert timers, on each platform's command line (no SSH): a timed
change is really rolled back when its timer runs out, the confirmation cancels the timer,
and the cut_after_commit fault is parsed. The clock runs fast (test-only)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from netjob_lab.device import BaseDevice, Device
from netjob_lab.faults import DeviceFaults, parse_fault
from netjob_lab.platforms import Settings, make_device, new_cli

SPEED = 120.0  # a lab minute is half a second

TIMED = {
    "cisco_ios": ["enable", "lab-enable", "configure terminal revert timer 1"],
    "arista_eos": ["enable", "lab-enable", "configure session s1"],
    "cisco_xr": ["configure"],
    "juniper_junos": ["configure"],
}
LINES = {
    "cisco_ios": ["interface Loopback9", "description timed", "end"],
    "arista_eos": ["interface Loopback9", "description timed", "commit timer 00:01:00"],
    "cisco_xr": ["interface Loopback9", "description timed", "commit confirmed 60", "end"],
    "juniper_junos": ["set interfaces lo0 description timed", "commit confirmed 1", "exit"],
}
CONFIRM = {
    "cisco_ios": ["enable", "lab-enable", "configure confirm"],
    "arista_eos": ["enable", "lab-enable", "configure session s1 commit"],
    "cisco_xr": ["configure", "commit", "end"],
    "juniper_junos": ["configure", "commit", "exit"],
}


def _device(platform: str, archived: bool = True) -> BaseDevice:
    device = make_device(platform, Settings(1, "r001", "lab-enable", datetime.now(timezone.utc)))
    device.revert.speed = SPEED
    if archived and isinstance(device, Device):  # IOS's timer needs `archive` / `path`
        device.config.archive_path = "flash:archive"
    return device


def _type(device: BaseDevice, lines: list[str]) -> str:
    cli = new_cli(device, "netjob")
    return "".join(cli.execute(line).output for line in lines)


def _wait_for(probe: Callable[[], bool], bound: float = 30.0) -> bool:
    """probe() until true, within a bound (the timer thread sets what it reads)."""
    deadline = time.monotonic() + bound
    while not probe() and time.monotonic() < deadline:
        time.sleep(0.02)
    return probe()


@pytest.mark.parametrize("platform", sorted(TIMED))
def test_an_unconfirmed_change_is_rolled_back_when_the_timer_runs_out(platform: str) -> None:
    device = _device(platform)
    before = device.running_config()
    said = _type(device, TIMED[platform] + LINES[platform])
    assert "Invalid" not in said and "error" not in said.lower(), said
    assert "timed" in device.running_config() and device.revert.pending
    assert _wait_for(lambda: device.revert.reverts == 1)
    assert _stamped_out(device.running_config()) == _stamped_out(before)


def _stamped_out(text: str) -> list[str]:
    """Without Junos' `## Last commit` stamp: a revert is a commit of its own."""
    return [line for line in text.splitlines() if not line.startswith("## Last")]


@pytest.mark.parametrize("platform", sorted(TIMED))
def test_the_confirmation_cancels_the_timer(platform: str) -> None:
    device = _device(platform)
    device.revert.speed = 1.0  # a real minute: the confirmation comes long before
    _type(device, TIMED[platform] + LINES[platform])
    said = _type(device, CONFIRM[platform])
    assert "No Rollback" not in said and "no pending" not in said, said
    assert not device.revert.pending and device.revert.confirms == 1
    assert "timed" in device.running_config()


def test_a_confirmation_with_nothing_pending_says_so() -> None:
    assert "% No Rollback Confirmed Change pending" in _type(
        _device("cisco_ios"), CONFIRM["cisco_ios"]
    )
    assert "has no pending commit timer" in _type(_device("arista_eos"), CONFIRM["arista_eos"])


def test_timers_outside_the_platform_range_are_refused() -> None:
    ios = _type(
        _device("cisco_ios"), ["enable", "lab-enable", "configure terminal revert timer 121"]
    )
    assert "Invalid input" in ios
    xr = _type(_device("cisco_xr"), ["configure", "interface Loopback9", "commit confirmed 29"])
    assert "Invalid input" in xr


def test_the_cut_after_commit_fault_parses() -> None:
    assert parse_fault("r003=cut_after_commit:120") == ("r003", DeviceFaults(cut_after_commit=120))
    with pytest.raises(ValueError, match="needs a value"):
        parse_fault("r003=cut_after_commit")


def test_ios_refuses_the_timer_without_an_archive_path() -> None:
    device = _device("cisco_ios", archived=False)
    said = _type(device, TIMED["cisco_ios"])
    assert "Archive path not configured" in said and not device.revert.pending
    said = _type(device, ["enable", "lab-enable", "configure terminal", "archive", "path flash:a"])
    assert "Invalid" not in said and "archive\n path flash:a" in device.running_config()
    assert "Enter configuration commands" in _type(device, TIMED["cisco_ios"])
    assert device.revert.pending
