"""Rollout safety for changes: `--serial N|N%` batches and a `--max-fail N|N%` threshold
checked before each next batch (Ansible's serial / max_fail_percentage, with unreachable
hosts counted as failures too, unlike ansible #18782)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from runner.base.errors import InputError

T = TypeVar("T")
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Amount:
    value: float
    percent: bool = False

    @classmethod
    def parse(cls, text: str, option: str) -> Amount:
        match = _AMOUNT.match(text)
        if not match or (match.group(2) and float(match.group(1)) > 100):
            raise InputError(f"{option} {text!r}: expected a count like 10 or a share like 25%")
        if option == "--serial" and float(match.group(1)) == 0:
            raise InputError(
                "--serial 0: a batch needs at least one host (leave --serial out "
                "to run every host at once)"
            )
        return cls(float(match.group(1)), bool(match.group(2)))

    def of(self, total: int) -> float:
        return total * self.value / 100 if self.percent else self.value

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else f"{self.value:g}"


def batches(items: Sequence[T], serial: Amount | None) -> list[Sequence[T]]:
    if serial is None or not items:
        return [items]
    size = max(1, math.ceil(serial.of(len(items))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def over(max_fail: Amount | None, failed: int, ran: int) -> bool:
    """True when failures so far exceed the threshold (of the hosts run so far, for %)."""
    return max_fail is not None and ran > 0 and failed > max_fail.of(ran)
