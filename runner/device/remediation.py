"""The remediation of a config task, on every config step (a dry run shows it, a run sends
it): which of the task's lines the device still lacks, given its running config.

A task's lines are a PARTIAL configuration: only what the task sets. So the remediation is
not "running → intended" (that would remove everything the task does not mention) but
"running → running with the task applied": hier_config predicts that future config
(`HConfig.future`: idempotent commands such as `description` replace each other, a `no …`
removes its positive form) and computes the remediation to reach it, each line in its
parent context (` description uplink` under `interface GigabitEthernet0/1`).

Its diff is what a reviewer reads, as Ansible's `--diff` shows it: per section, the running
lines the change replaces or removes (`-  description spare`, hier_config's difference of
the running config and the future one), then the lines sent (`+  description to core`).

A `no …` line whose positive form is absent is still sent: IOS hides many defaults, so
the absence of a line proves nothing about what the device does.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.base import platforms
from runner.base.errors import RemediationError
from runner.base.flat_config import nest_flat_lines

# hier_config is imported where it is used: a run of show and save tasks never needs it,
# and its import (0.1 s of CPU) was paid by every run and every worker process.
if TYPE_CHECKING:
    from hier_config import HConfig, Platform
    from hier_config.child import HConfigChild
    from hier_config.platforms.driver_base import HConfigDriverBase

# hier_config reads a banner until a line that closes it, never closing on the line that
# opens it, so a one-line banner (`banner motd ^CAuthorized only^C`, as IOS shows a
# banner without newlines) would swallow the rest of the config. Split it in two.
_ONE_LINE_BANNER = re.compile(r"^(banner \S+ (\^C|[^\s\w]))(.*)\2[ \t]*$", re.MULTILINE)
# IOS stores any delimiter a banner was typed with as `^C`: `banner motd ^hi^` shows as
# `banner motd ^Chi^C`. Both sides are compared in that form, so a banner already there
# is `unchanged`; it is still sent as the task wrote it.
_BANNER_DELIMITER = re.compile(r"^([ \t]*banner \S+ )(\^C|[^\s\w])(.*)\2[ \t]*$", re.MULTILINE)


def _device_banner(text: str) -> str:
    return _BANNER_DELIMITER.sub(r"\1^C\3^C", text)


@dataclass(frozen=True)
class Remediation:
    """hier_config's word: the lines that bring the running config to the intended one
    (here, the running config with the task applied)."""

    lines: tuple[str, ...]  # what to send, in order, each under its parents (indented)
    # Unified-diff style: ` ` a section's line (context), `-` a running line the change
    # replaces or removes, `+` a line to send.
    diff: str


def hier_platform(platform: str) -> Platform:
    """hier_config's platform for a netmiko device_type (`_ssh`/`_telnet` ignored)."""
    from hier_config import Platform

    return Platform[platforms.lookup(platform).hier_platform]


def remediation(running: str, lines: Sequence[str], platform: str) -> Remediation:
    """The lines of `lines` missing from `running`, with their parents; see the module doc."""
    info = platforms.lookup(platform)
    hier = hier_platform(platform)
    if info.comment_lines:
        running = _blocks(running, info.comment_lines)
    current = _load(hier, _device_banner(running), "the running config")
    nested = nest_flat_lines(lines, info)
    # Compared in the form the device shows; sent in the form the task wrote.
    shown = [_device_banner(_shown_as(line, info)) for line in nested]
    written = {device.strip(): line.strip() for device, line in zip(shown, nested, strict=True)}
    task = _load(hier, "\n".join(shown), "the task's lines")
    future = current.future(task)
    needed = current.config_to_get_to(future)
    gone = _gone(current, future)
    to_send: list[str] = []
    diff: list[str] = []
    depth = 1
    flat_parent: str | None = None
    for child in needed.all_children_sorted():
        level = child.depth()
        if level == 1:
            flat_parent = _flat_parent(child, info, lines)
        # Before a section's first line, the running lines the change takes out of it.
        diff.extend(_minus(gone.pop(tuple(child.path())[:-1], ()), flat_parent))
        if level == 1 and flat_parent is not None:
            continue  # its children go out as the one-line commands the task wrote
        one_line = flat_parent is not None and level == 2  # `ntp server X`, at the top
        sent_level = 1 if one_line else level
        # Leave a section before a line of an outer level, as the task's author did: a
        # device whose parser does not fall back to the outer level (VRP's `undo` lines)
        # would refuse the line, or take it in the wrong place.
        for _ in range(depth - sent_level):
            to_send.append(" " * 2 * (depth - 2) + info.section_exits[0])
            depth -= 1
        depth = sent_level
        text = _join_banner(child.cisco_style_text())
        text = text[: len(text) - len(text.lstrip())] + written.get(text.strip(), text.strip())
        if one_line:
            text = f"{flat_parent} {text.strip()}"
        to_send.append(text)
        diff.append(("+" if _is_sent(child) else " ") + text)
    for path, removed in gone.items():  # a section the remediation itself never entered
        diff.extend(" " + "  " * n + text for n, text in enumerate(path))
        diff.extend(_minus(removed, None))
    return Remediation(tuple(to_send), "\n".join(diff) + "\n" if diff else "")


def _gone(current: HConfig, future: HConfig) -> dict[tuple[str, ...], list[HConfigChild]]:
    """The running lines the future config no longer has, by the path of their section:
    hier_config's difference holds them with their parents, a parent still in the future
    config is context only, one that is not goes whole (with its children)."""
    kept = {tuple(child.path()) for child in future.all_children()}
    found: dict[tuple[str, ...], list[HConfigChild]] = {}

    def walk(children: Iterable[HConfigChild]) -> None:
        for child in children:
            path = tuple(child.path())
            if path in kept:
                walk(child.children)
            else:
                found.setdefault(path[:-1], []).append(child)

    walk(current.difference(future).children)
    return found


def _minus(removed: Iterable[HConfigChild], flat_parent: str | None) -> list[str]:
    """Removed lines and their children as `-` lines; under a section the task wrote as
    one-line commands, in that form (`-ntp server 192.0.2.1`)."""
    out: list[str] = []
    for child in removed:
        for line in (child, *child.all_children_sorted()):
            text = _join_banner(line.cisco_style_text())
            if flat_parent is not None and line.depth() == 2:
                text = f"{flat_parent} {text.strip()}"
            out.append("-" + text)
    return out


def _flat_parent(
    child: HConfigChild, info: platforms.PlatformInfo, lines: Sequence[str]
) -> str | None:
    """A section the device shows (`ntp`) that the task wrote as one-line commands."""
    text = child.text.strip()
    if text in info.shown_nested and any(line.strip().startswith(text + " ") for line in lines):
        return text
    return None


@functools.cache
def _driver(hier: Platform) -> HConfigDriverBase:
    """hier_config's driver, but keeping ` no ip address` lines (IOS, EOS drop them).

    Dropping them suits comparing two whole configs; for a partial one it would hide a
    task that removes an address, and the remediation would claim "unchanged".
    """
    from hier_config import get_hconfig_driver

    driver = get_hconfig_driver(hier)
    kept = [rule for rule in driver.rules.per_line_sub if rule.search != "^ no ip address"]
    driver.rules = driver.rules.model_copy(update={"per_line_sub": kept})
    return driver


def _blocks(running: str, separator: str) -> str:
    """A config whose sections are separated by comment lines (VRP's `#`) and whose
    top-level lines may be indented (VRP shows ` sysname r1`): each block dedented on its
    own, the separators dropped."""
    blocks = re.split(separator + r".*(?:\n|$)", running, flags=re.MULTILINE)
    return "\n".join(textwrap.dedent(block).strip("\n") for block in blocks if block.strip())


def _shown_as(line: str, info: platforms.PlatformInfo) -> str:
    for pattern, replacement in info.shown_as:
        line = re.sub(pattern, replacement, line)
    return line


def _load(hier: Platform, text: str, what: str) -> HConfig:
    try:
        from hier_config import get_hconfig

        return get_hconfig(_driver(hier), _ONE_LINE_BANNER.sub(r"\1\3\n\2", text))
    except Exception as exc:  # ValueError, DuplicateChildError, anything hier_config raises
        raise RemediationError(
            f"cannot read {what} as {hier.name} configuration: "
            f"{type(exc).__name__}: {str(exc)[:200]}"
        ) from exc


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


def set_lines_remediation(running: str, lines: Sequence[str]) -> Remediation:
    """The same remediation for a flat `set`-style config (Junos `show configuration | display
    set`): a `set` line already there is not sent, a `delete` of what is absent is not
    sent, anything else is sent as written. The diff shows the `set` lines a `delete`
    takes away as `-` lines above it."""
    present = [line.strip() for line in running.splitlines() if line.strip().startswith("set ")]
    to_send = []
    diff: list[str] = []
    for line in (raw.strip() for raw in lines):
        if line.startswith("set ") and line in present:
            continue
        if line.startswith("delete "):
            target = "set " + line.removeprefix("delete ")
            removed = [p for p in present if p == target or p.startswith(target + " ")]
            if not removed:
                continue
            diff.extend(f"-{p}" for p in removed)
        to_send.append(line)
        diff.append(f"+{line}")
    return Remediation(tuple(to_send), "".join(f"{line}\n" for line in diff))
