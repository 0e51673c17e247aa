"""A platform outside the table: netjob waits for the prompt netmiko finds before each
command, but only one that holds the base prompt learnt at login. On a loaded machine
netmiko's find_prompt (a RETURN, a sleep, a read) once returned the last line of a late
answer, `Unknown command`, and the next command waited for that line until it timed out
(FakeNOS's dlink_ds, in CI). A fake driver replays that read; the logic is netjob's."""

from __future__ import annotations

from typing import Any

from runner.base import platforms
from runner.device.connection import NetmikoConnection
from runner.device.session import Session


class LateAnswerDriver:
    """What netmiko's driver shows NetmikoConnection.send_show, no more."""

    base_prompt = "dlink-ds"

    def __init__(self, reads: list[str]) -> None:
        self.reads = reads
        self.expected: list[str | None] = []

    def find_prompt(self) -> str:
        return self.reads.pop(0)

    def send_command(self, command: str, read_timeout: float, expect_string: str | None) -> str:
        self.expected.append(expect_string)
        return "IP Address       MAC Address\n10.0.0.1   00-01-02-03-04-05"


def _connection(driver: Any) -> NetmikoConnection:
    info = platforms.lookup("dlink_ds")
    assert not info.known and info.prompt is None  # the case this is about
    return NetmikoConnection(Session(driver, info))


def test_a_late_line_is_not_taken_for_the_prompt() -> None:
    driver = LateAnswerDriver(["Unknown command", "dlink-ds#"])
    _connection(driver).send_show("show arpentry", read_timeout=5, expect_string=None)
    assert driver.expected == [r"dlink\-ds\#"]


def test_a_task_s_own_expect_string_is_used_as_given() -> None:
    driver = LateAnswerDriver([])
    _connection(driver).send_show("show arpentry", read_timeout=5, expect_string="ds#")
    assert driver.expected == ["ds#"]


def test_no_prompt_with_the_base_in_three_reads_leaves_it_to_netmiko() -> None:
    driver = LateAnswerDriver(["Unknown command"] * 3)
    _connection(driver).send_show("show arpentry", read_timeout=5, expect_string=None)
    assert driver.expected == [None] and driver.reads == []
