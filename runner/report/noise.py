"""Lines that change on every run without anything having changed on the device
(timestamps, uptimes, byte counts, traffic counters): each platform's built-in rules (the
platform table's `noise`) plus a job's own regexes, dropped before two outputs are compared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from runner.base import platforms


def noise_rules(platform: str) -> tuple[str, ...]:
    """The built-in noise regexes of a netmiko device_type (`_telnet`/`_ssh` ignored)."""
    return platforms.lookup(platform).noise


def normalize(text: str, platform: str, extra: Sequence[str] = ()) -> str:
    """`text` without noise lines, trailing spaces or CRs; `extra` regexes drop lines too.

    An invalid `extra` regex raises re.error: validate a job's patterns when it loads.
    """
    rules = (*noise_rules(platform), *extra)
    noise = re.compile("|".join(f"(?:{rule})" for rule in rules)) if rules else None
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    kept = [line for line in lines if not (noise and noise.search(line))]
    return "\n".join(kept).strip("\n") + "\n"
