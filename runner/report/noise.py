"""Lines that change on every run without anything having changed on the device
(timestamps, uptimes, byte counts, traffic counters): each platform's built-in rules (the
platform table's `noise`) plus a job's own regexes, dropped before two outputs are compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from runner.base import platforms


def noise_rules(platform: str) -> tuple[str, ...]:
    """The built-in noise regexes of a netmiko device_type (`_telnet`/`_ssh` ignored)."""
    return platforms.lookup(platform).noise


def normalize(text: str, platform: str, extra: Sequence[str] = (), saved: bool = False) -> str:
    """`text` without noise lines, trailing spaces or CRs; `extra` regexes drop lines too.
    `saved`, for a `save_to:` file: only the config file's own noise goes (`ntp
    clock-period`, `! Last configuration change at`, which change between two backups of one
    config, so a file kept in git changes when the config does); clocks, uptimes and
    counters stay, as the device said them.

    An invalid `extra` regex raises re.error: validate a job's patterns when it loads.
    """
    own = noise_rules(platform)
    if saved:
        own = tuple(rule for rule in own if rule not in platforms.SHOW_NOISE)
    rules = (*own, *extra)
    noise = re.compile("|".join(f"(?:{rule})" for rule in rules)) if rules else None
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    kept = [line for line in lines if not (noise and noise.search(line))]
    return "\n".join(kept).strip("\n") + "\n"


def noise_key(
    platform_of: Mapping[str, str | None], extra: Sequence[str] = ()
) -> Callable[[str, str], str]:
    """What `--fold-noise` folds outputs by: a host's output without the noise `netjob diff`
    drops (its platform's rules, the default platform's for a host of none, and `extra`, a
    job's `normalize:`), so `show clock` on a hundred hosts is one group."""
    return lambda host, text: normalize(text, platform_of[host] or platforms.DEFAULT, extra)
