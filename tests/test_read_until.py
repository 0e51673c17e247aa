"""netjob's read_until_pattern (runner.device.netmiko_patches._read_until) against
netmiko's own on the same reads: the same text returned, the same rest kept in the read
buffer, the same errors. Pure logic: the driver is an in-memory fake whose reads hand out
chunks, so both functions see exactly the same stream."""

from __future__ import annotations

import re
from typing import Any

import pytest
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ReadException, ReadTimeout

from runner.device.netmiko_patches import _read_until


class _Driver:
    def __init__(self, chunks: list[str]) -> None:
        self._chunks = list(chunks)
        self._read_buffer = ""
        self.read_timeout_override = None
        self.reads = 0

    def read_channel(self) -> str:
        self.reads += 1
        buffered, self._read_buffer = self._read_buffer, ""
        return buffered + (self._chunks.pop(0) if self._chunks else "")


def _both(chunks: list[str], **kwargs: Any) -> list[tuple[str, str, str]]:
    """For netmiko's, then ours: (what was returned, or the error's class; the read buffer
    after; the chunks not read)."""
    seen = []
    for read in (BaseConnection.read_until_pattern, _read_until):
        driver = _Driver(chunks)
        try:
            said = str(read(driver, **kwargs))  # type: ignore[arg-type]
        except (ReadException, ReadTimeout, re.error) as exc:
            said = type(exc).__name__
        seen.append((said, driver._read_buffer, "".join(driver._chunks)))
    return seen


@pytest.mark.parametrize(
    ("chunks", "pattern", "flags"),
    [
        (["show clock\n12:00\nr1", "#", " after"], r"r1#", 0),  # no group of its own
        (["show clock\nr1# more", " and more"], r"r1#", 0),  # the rest of a read is kept
        (["enable\nPass", "word: "], r"(?:r1.*|ssword)", re.I),  # netmiko's enable pattern
        (["x\nr1#y"], r"(r1)#", 0),  # one group: netmiko keeps the group, not the match
        (["x\nr1#y"], r"(r1)(#)", 0),  # two groups: netmiko's ReadException
        (["x\nab"], r"(z)?ab", 0),  # a group that matched nothing: ReadException too
        (["conf t\r\nr1(config)#"], r"\(config", 0),
        (["", "", "r1#"], r"r1#", 0),  # empty reads before the prompt
    ],
)
def test_the_same_as_netmikos_read_until_pattern(
    chunks: list[str], pattern: str, flags: int
) -> None:
    netmikos, ours = _both(chunks, pattern=pattern, re_flags=flags, read_timeout=5)
    assert ours == netmikos


def test_a_pattern_that_never_comes_times_out_like_netmikos() -> None:
    netmikos, ours = _both(["r1>"], pattern=r"r1#", read_timeout=0.05)
    assert ours == netmikos == ("ReadTimeout", "", "")


def test_it_pauses_as_netmiko_does_after_every_read_that_does_not_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """netmiko sleeps its loop delay (10 ms) after every read that did not match, so what
    arrives meanwhile is matched as one read; so does netjob's (matching every packet
    would search a long echo once per packet)."""
    import time

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    driver = _Driver(["a", "b", "", "c", "r1#"])
    assert _read_until(driver, pattern="r1#") == "abcr1#"
    assert driver.reads == 5
    assert slept == [0.01] * 4
