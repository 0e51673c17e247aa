"""How a config task written flat (no line indented, as engineers paste config into a
terminal) is read: which lines belong to the section opened above them, which are global.

A device reads such lines modally. After `interface Loopback5` it takes `description x`
inside the interface; a line that is no interface command (`ntp server 192.0.2.55`) it
runs at the global level, leaving the interface, so the lines after it are global too
(IOS, EOS, NX-OS, IOS-XR; VRP and Comware for all but `undo` lines). netjob reads a flat
task the same way, from the platform table's words (PlatformInfo.section_words and
.global_words, runner.base.config_words), and plans and sends each line in that context:

- a task with any indented line is read by its indentation, which is the authority;
- a line before any section, a section opener, and a line after an exit (`exit`, `quit`,
  `end`, `return`, `!`, `#`, which leave the section and are not sent) are global as written;
- after a section opener, a line is the section's when it is one of that section's
  commands, global when it is one of the platform's global commands (the longer match
  wins; on a tie the section's, as the device tries the current mode first); another
  opener opens its own section; a `no`/`undo` line is read as the command it negates;
- any other line is refused before anything connects (FlatConfigError): where the device
  takes it is unknown, and a wrong guess would resend the line on every run or send the
  next exit from the wrong level. Indenting it, or an `exit` before it, says where it goes;
- a line whose first word abbreviates a section's (`int Loopback5`) is refused too: the
  device opens the section, a reading by full words would not.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from runner.base import platforms
from runner.base.errors import InputError
from runner.base.models import TaskKind

# Lines that leave a section; they are not configuration themselves.
EXITS = ("exit", "quit", "end", "return", "!", "#")


class FlatConfigError(InputError):
    """A flat config line that is neither a command of the section above it nor a global
    one on the platform: netjob cannot tell where the device would take it."""


def refuse_unplaced(lines: Sequence[str], kind: TaskKind, platform: str) -> None:
    """Raises FlatConfigError for a config task (rendered for a host on `platform`) with a
    flat line netjob cannot place: called when steps render, before anything connects."""
    if kind in (TaskKind.CONFIG, TaskKind.TEMPLATE):
        nest_flat_lines(lines, platforms.lookup(platform))


def nest_flat_lines(lines: Sequence[str], info: platforms.PlatformInfo) -> list[str]:
    """The task's lines with each section's lines indented under it (one space), as the
    device reads them; see the module doc. Raises FlatConfigError for a line it cannot
    place. Sending keeps the task's order, so a line is never moved to another context."""
    if any(line[:1].isspace() for line in lines if line.strip()):
        return list(lines)
    nested: list[str] = []
    section: str | None = None  # the opener line of the section the device is in
    known = _first_words(info)
    for line in lines:
        bare = line.strip()
        if bare in (*info.section_exits, *EXITS):
            section = None
            continue
        _refuse_abbreviated_opener(bare, info, known)
        place = "global" if section is None else _place(bare, section, info)
        if place == "section":
            nested.append(" " + bare)
        elif place == "open" or (place == "global" and _opens(bare, info)):
            section = bare
            nested.append(bare)
        elif place == "global":
            section = None
            nested += _shown(bare, info)
        else:
            raise FlatConfigError(_unplaced(bare, section or "", info, known))
    return nested


def _first_words(info: platforms.PlatformInfo) -> set[str]:
    """The first word of every command the platform's words know, sections' and global."""
    commands = [*info.global_words, *info.sections]
    commands += [command for _, children in info.section_words for command in children]
    return {command.split()[0] for command in commands if command.strip()}


def _refuse_abbreviated_opener(line: str, info: platforms.PlatformInfo, known: set[str]) -> None:
    """`int Loopback5` opens the interface on the device, which takes abbreviations; read by
    its full words it would not, and the lines after it would be misread: refused."""
    words = _positive(line, info)[1].lower().split()
    if not words or words[0] in known:
        return
    keywords = sorted({opener.split()[0] for opener in info.sections})
    full = next((word for word in keywords if word.startswith(words[0])), None)
    if full is not None:
        raise FlatConfigError(
            f"config line '{line}': '{words[0]}' abbreviates '{full}'; write it in full, so "
            "netjob reads the lines after it in the context the device gives them"
        )


def _place(line: str, section: str, info: platforms.PlatformInfo) -> str:
    """ "section", "open", "global" or "unknown": where the device takes `line` typed
    after the opener `section`."""
    negated, words = _positive(line, info)
    kind = next((p for p in info.sections if section.startswith(p)), "")
    children = dict(info.section_words).get(kind, ())
    inside, outside = _longest(words, children), _longest(words, info.global_words)
    if inside and inside >= outside:
        return "section"
    if _opens(words, info):
        return "global" if negated else "open"  # `no interface X` removes one: global
    return "global" if outside else "unknown"


def _opens(line: str, info: platforms.PlatformInfo) -> bool:
    """Whether `line` opens a section: not a negation, and no longer global command
    (`vlan batch 10 20` on VRP is one line, though `vlan 10` opens a VLAN's view)."""
    opener = next((p for p in info.sections if line.startswith(p)), None)
    if opener is None or _positive(line, info)[0]:
        return False
    return _longest(line, info.global_words) <= len(opener.split())


def _positive(line: str, info: platforms.PlatformInfo) -> tuple[bool, str]:
    """(negated, the command it negates or the line): `no shutdown` → (True, `shutdown`)."""
    first, _, rest = line.partition(" ")
    if first in info.negations and rest.strip():
        return True, rest.strip()
    return False, line


def _longest(line: str, commands: Sequence[str]) -> int:
    """The number of words of the longest command `line` starts with, word for word."""
    words = line.lower().split()
    return max(
        (len(c.split()) for c in commands if words[: len(c.split())] == c.split()), default=0
    )


def _shown(line: str, info: platforms.PlatformInfo) -> list[str]:
    """A global line in the form the device shows it: IOS-XR's `ntp server X` is `ntp` with
    ` server X` under it."""
    prefix = next((p for p in info.shown_nested if line.startswith(p + " ")), None)
    if prefix is None:
        return [line]
    return [prefix, " " + line.removeprefix(prefix).strip()]


def _unplaced(line: str, section: str, info: platforms.PlatformInfo, known: set[str]) -> str:
    leave = info.section_exits[0]
    first = _positive(line, info)[1].split()[0].lower()
    close = difflib.get_close_matches(first, sorted(known), n=1, cutoff=0.8)
    mean = f"; did you mean '{close[0]}'?" if close else ""
    return (
        f"config line '{line}' follows '{section}' unindented, and netjob does not know "
        f"whether {info.name} takes it inside that section or at the global level: indent "
        f"it (' {line}') if it belongs to the section, or put '{leave}' before it if it is "
        f"global{mean}"
    )
