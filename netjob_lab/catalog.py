"""What the lab's command lines accept, per platform, read from their command tables (so
the list cannot drift from what the devices answer): `netjob lab --commands`."""

from __future__ import annotations

from collections.abc import Iterable

from netjob_lab.junos_commands import CONFIGURATION, OPERATIONAL
from netjob_lab.junos_shell import PIPES as JUNOS_PIPES
from netjob_lab.shell import DIALECTS, PIPES
from netjob_lab.table import Mode

ARGUMENTS = (
    "WORD: one word; NUM: a number; IP: an IPv4 address; PREFIX: 192.0.2.1/24; "
    "IFNAME: an interface name (abbreviations work: gi0/1); JIF: a Junos interface "
    "(ge-0/0/1); LINE: the rest of the line. Keywords may be abbreviated (sh ip int br)."
)
_MODES = {Mode.CONFIG_IF: "interface", Mode.CONFIG_VLAN: "vlan", Mode.CONFIG_ARCHIVE: "archive"}


def catalog() -> dict[str, dict[str, tuple[str, ...]]]:
    """Per netmiko device_type: per mode, the command specs, in the tables' order."""
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for platform, dialect in DIALECTS.items():
        modes = {
            "exec": _unique(dialect.user_exec.specs, dialect.priv_exec.specs),
            "config": dialect.config.specs,
            **{_MODES[mode]: table.specs for mode, table in dialect.submodes.items()},
            "pipes (after |)": PIPES.specs,
        }
        result[platform] = modes
    result["juniper_junos"] = {
        "operational": OPERATIONAL.specs,
        "configuration": CONFIGURATION.specs,
        "pipes (after |)": JUNOS_PIPES.specs,
    }
    return dict(sorted(result.items()))


def _unique(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(spec for group in groups for spec in group))


def render() -> str:
    lines = [f"Arguments: {ARGUMENTS}"]
    for platform, modes in catalog().items():
        lines.append("")
        lines.append(platform)
        for mode, specs in modes.items():
            lines.append(f"  {mode}:")
            lines.extend(f"    {spec}" for spec in specs)
    return "\n".join(lines) + "\n"
