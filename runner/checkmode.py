"""Honest check mode for config tasks: which of a task's lines the device still lacks.

A task's lines are a PARTIAL configuration: only what the task sets. So the plan is not
"running → intended" (that would remove everything the task does not mention) but
"running → running with the task applied": hier_config predicts that future config
(`HConfig.future`: idempotent commands such as `description` replace each other, a `no …`
removes its positive form) and computes the remediation to reach it, each line in its
parent context (` description uplink` under `interface GigabitEthernet0/1`).

A `no …` line whose positive form is absent is still planned: IOS hides many defaults, so
the absence of a line proves nothing about what the device does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hier_config import HConfig, Platform, get_hconfig, get_hconfig_driver
from hier_config.child import HConfigChild
from hier_config.platforms.driver_base import HConfigDriverBase

from runner.errors import NetjobError

# netmiko device_type → hier_config platform; anything else is parsed by indentation alone.
PLATFORMS: dict[str, Platform] = {
    "cisco_ios": Platform.CISCO_IOS,
    "cisco_xe": Platform.CISCO_IOS,
    "cisco_nxos": Platform.CISCO_NXOS,
    "cisco_xr": Platform.CISCO_XR,
    "arista_eos": Platform.ARISTA_EOS,
    "juniper_junos": Platform.JUNIPER_JUNOS,
}

# hier_config reads a banner until a line that closes it, never closing on the line that
# opens it, so a one-line banner (`banner motd ^CAuthorized only^C`, as IOS shows a
# banner without newlines) would swallow the rest of the config. Split it in two.
_ONE_LINE_BANNER = re.compile(r"^(banner \S+ (\^C|[^\s\w]))(.*)\2[ \t]*$", re.MULTILINE)


class PlanError(NetjobError):
    """The running config or the task's lines could not be read as a configuration."""


@dataclass(frozen=True)
class ConfigPlan:
    lines: tuple[str, ...]  # what to send, in order, each under its parents (indented)
    diff: str  # the same as a unified-diff-style text: `+` for lines to send

    @property
    def unchanged(self) -> bool:
        return not self.lines


def hier_platform(platform: str) -> Platform:
    """hier_config's platform for a netmiko device_type (`_ssh`/`_telnet` ignored)."""
    return PLATFORMS.get(re.sub(r"_(ssh|telnet|serial)$", "", platform), Platform.GENERIC)


def plan_config(running: str, lines: Sequence[str], platform: str) -> ConfigPlan:
    """The lines of `lines` missing from `running`, with their parents; see the module doc."""
    hier = hier_platform(platform)
    current = _load(hier, running, "the running config")
    task = _load(hier, "\n".join(lines), "the task's lines")
    remediation = current.config_to_get_to(current.future(task))
    to_send: list[str] = []
    diff: list[str] = []
    for child in remediation.all_children_sorted():
        text = _join_banner(child.cisco_style_text())
        to_send.append(text)
        diff.append(("+" if _is_sent(child) else " ") + text)
    return ConfigPlan(tuple(to_send), "\n".join(diff) + "\n" if diff else "")


@functools.cache
def _driver(hier: Platform) -> HConfigDriverBase:
    """hier_config's driver, but keeping ` no ip address` lines (IOS, EOS drop them).

    Dropping them suits comparing two whole configs; for a partial one it would hide a
    task that removes an address, and the plan would claim "unchanged".
    """
    driver = get_hconfig_driver(hier)
    kept = [rule for rule in driver.rules.per_line_sub if rule.search != "^ no ip address"]
    driver.rules = driver.rules.model_copy(update={"per_line_sub": kept})
    return driver


def _load(hier: Platform, text: str, what: str) -> HConfig:
    try:
        return get_hconfig(_driver(hier), _ONE_LINE_BANNER.sub(r"\1\3\n\2", text))
    except ValueError as exc:  # hier_config's only complaint about malformed text
        raise PlanError(f"cannot read {what} as {hier.name} configuration: {exc}") from exc


def _is_sent(child: HConfigChild) -> bool:
    """A parent that already exists is context for its children, not a change."""
    return child.is_leaf or child.new_in_config


def _join_banner(text: str) -> str:
    """Undo the split of a one-line banner, so it is sent as it was written."""
    first, newline, last = text.partition("\n")
    if newline and "\n" not in last and first.startswith("banner ") and last.strip():
        delimiter = first.split(maxsplit=2)[2]
        if delimiter.startswith(last.strip()):
            return first + last.strip()
    return text


def plan_set_lines(running: str, lines: Sequence[str]) -> ConfigPlan:
    """The same plan for a flat `set`-style config (Junos `show configuration | display
    set`): a `set` line already there is not sent, a `delete` of what is absent is not
    sent, anything else is sent as written."""
    present = {line.strip() for line in running.splitlines() if line.strip().startswith("set ")}
    to_send = []
    for line in (raw.strip() for raw in lines):
        if line.startswith("set ") and line in present:
            continue
        if line.startswith("delete "):
            target = "set " + line.removeprefix("delete ")
            if not any(p == target or p.startswith(target + " ") for p in present):
                continue
        to_send.append(line)
    return ConfigPlan(tuple(to_send), "".join(f"+{line}\n" for line in to_send))
