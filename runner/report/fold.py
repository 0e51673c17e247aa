"""Folding: hosts that gave the same answer are printed once, under one header.

On a fleet most answers are the same; `netjob cmd` prints each distinct answer once, under
the hosts that gave it, their names collapsed into ranges (`r001, r003-r007 (6 hosts)`).
With a `key` (runner.report.noise.noise_key: `--fold-noise`), answers that differ only in
lines the key drops (a clock, an uptime, counters) fold too, the first host's shown.
Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

_NUMBERED = re.compile(r"(.*?)(\d+)")


@dataclass(frozen=True)
class Fold:
    """One distinct text and the hosts whose text it was, in natural order."""

    hosts: tuple[str, ...]
    text: str
    alike: bool = False  # the hosts' texts differ, only in what the fold's key drops

    @property
    def header(self) -> str:
        count = len(self.hosts)
        alike = f"; alike but for noise lines, {self.hosts[0]}'s shown" if self.alike else ""
        return f"{host_ranges(self.hosts)} ({count} host{'' if count == 1 else 's'}{alike}):"

    @property
    def lines(self) -> list[str]:
        """The text's lines; an empty answer says so, not a blank under its header."""
        return self.text.rstrip("\n").splitlines() if self.text.strip() else ["(empty)"]


def natural_key(name: str) -> tuple[str, int, str]:
    """`r2` before `r10`: a trailing number sorts as a number."""
    found = _NUMBERED.fullmatch(name)
    if found is None:
        return (name, -1, "")
    return (found.group(1), int(found.group(2)), found.group(2))


def fold(texts: Mapping[str, str], key: Callable[[str, str], str] | None = None) -> list[Fold]:
    """Group hosts by identical text, or by `key(host, text)`; groups come in the natural
    order of their first host."""
    groups: dict[str, list[str]] = {}
    for host in sorted(texts, key=natural_key):
        groups.setdefault(texts[host] if key is None else key(host, texts[host]), []).append(host)
    return [
        Fold(tuple(hosts), texts[hosts[0]], len({texts[h] for h in hosts}) > 1)
        for hosts in groups.values()
    ]


def host_ranges(hosts: Iterable[str]) -> str:
    """`r001, r003-r007, core1`: three or more names with the same prefix and consecutive
    numbers (of one width, when zero-padded) collapse into a range; the rest are listed."""
    parts: list[str] = []
    run: list[str] = []  # the current range, consecutive names
    for name in sorted(hosts, key=natural_key):
        if run and _follows(run[-1], name):
            run.append(name)
            continue
        parts.extend(_range(run))
        run = [name]
    parts.extend(_range(run))
    return ", ".join(parts)


def _follows(before: str, name: str) -> bool:
    a, b = _NUMBERED.fullmatch(before), _NUMBERED.fullmatch(name)
    if a is None or b is None:
        return False
    # r009 → r010 keep their width; r9 → r10 have no padding to keep.
    padded = a.group(2).startswith("0") or b.group(2).startswith("0")
    return (
        a.group(1) == b.group(1)
        and int(b.group(2)) == int(a.group(2)) + 1
        and (len(a.group(2)) == len(b.group(2)) or not padded)
    )


def _range(run: list[str]) -> list[str]:
    if len(run) > 2:
        return [f"{run[0]}-{run[-1]}"]
    return run  # two names read better as `r001, r002` than as a range
