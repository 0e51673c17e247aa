"""Which netmiko device_type a platform name in an inventory or a job means, or why it is
refused. Every loader (netjob's, Nornir's and Ansible's inventories, a job's per-platform
keys) asks here, so one name means one platform everywhere.

A name is honoured as written when netmiko has a driver of that name (netmiko's own list,
captured in netmiko_device_types.txt: this room may not import netmiko, and `plan`/`hosts`
should not pay for it); else mapped when the table (runner/base/platforms.py) knows it as
another tool's name for exactly one driver (NAPALM's `ios`, Ansible's `cisco.nxos.nxos`,
scrapli's `cisco_iosxe`); else refused before anything connects, with the nearest name.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Collection
from pathlib import Path

from runner.base import platforms

DEFAULT_KEY = "default"  # a per-platform mapping's entry for every other platform


@functools.cache
def device_types() -> frozenset[str]:
    """netmiko's device_types, as the installed netmiko's ssh_dispatcher has them (a test
    checks the copy), without `autodetect`."""
    text = Path(__file__).with_name("netmiko_device_types.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def rules() -> str:
    """What decides how a name reads, as one string: a checked inventory kept on disk
    (runner.load.inventory's cache) is kept under it, so new rules check it again."""
    mapped = sorted({**platforms.foreign_names(), **platforms.AMBIGUOUS}.items())
    return repr((sorted(device_types()), mapped))


def resolve(name: str) -> str | None:
    """The netmiko device_type `name` stands for, or None: not one netjob can drive."""
    if name in device_types() and name not in platforms.AMBIGUOUS:
        return name
    return platforms.from_foreign(name)


def refusal(name: str, keys: tuple[str, ...] = ()) -> str:
    """Why `name` is refused and what to write instead, as the end of a one-line message
    (`keys`: other words allowed where it stands, such as `default`)."""
    if name in platforms.AMBIGUOUS:
        return f"platform {name!r} is ambiguous: {platforms.AMBIGUOUS[name]}"
    known = sorted({*keys, *device_types(), *platforms.foreign_names()})
    near = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    hint = f"did you mean '{near[0]}'? " if near else ""
    return (
        f"unknown platform {name!r}; {hint}expected a netmiko device_type or a NAPALM, "
        "Ansible or scrapli name netjob maps (README: Platform names)"
    )


def telnet_type(platform: str) -> str | None:
    """netmiko's telnet driver for a platform (`cisco_ios` → `cisco_ios_telnet`), or None
    where netmiko has none."""
    base = platform.removesuffix("_ssh")
    name = base if base.endswith("_telnet") else f"{base}_telnet"
    return name if name in device_types() else None


def pick(keys: Collection[str], platform: str) -> str | None:
    """The key of a per-platform mapping (keys resolved already) a host of `platform`
    takes: its own device_type, the same without `_ssh`/`_telnet`, the family the table
    files it under (`cisco_xe` → `cisco_ios`, `juniper` → `juniper_junos`), then
    `default`; None when none of them is there."""
    info = platforms.lookup(platform)
    family: tuple[str, ...] = (info.name,) if info.known else ()
    for key in (platform, platforms.family(platform), *family, DEFAULT_KEY):
        if key in keys:
            return key
    return None


def names_table() -> str:
    """The other tools' names netjob reads, and what each is read as, as the README's
    Markdown table."""
    by_type: dict[str, list[str]] = {}
    for alias, device_type in platforms.foreign_names().items():
        if alias not in device_types():  # netmiko's own name (`huawei_vrp`): as written
            by_type.setdefault(device_type, []).append(f"`{alias}`")
    refused: dict[str, list[str]] = {}
    for name, why in platforms.AMBIGUOUS.items():
        refused.setdefault(why, []).append(f"`{name}`")
    rows = ["| name (NAPALM, Ansible, scrapli) | read as |", "|---|---|"]
    rows += [f"| {', '.join(names)} | `{kind}` |" for kind, names in by_type.items()]
    rows += [f"| {', '.join(names)} | refused: {why} |" for why, names in refused.items()]
    return "\n".join(rows) + "\n"
