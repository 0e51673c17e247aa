"""A simulated Junos device: its configuration as statements, committed and candidate.

A statement is the path of one leaf, split where Junos opens a brace:
`("interfaces", "ge-0/0/1", "unit 0", "family inet", "address 192.0.2.1/24")`. From a
list of them come the curly-brace text, `| display set` and `| compare`. Pure: no I/O.

The candidate is the device's, shared by every session, as with Junos' plain `configure`:
changes left uncommitted at `exit` stay in it, and a later `commit` applies them.
The factory defaults drift by index like IOS's (netjob_lab.running).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone

from netjob_lab.device import BaseDevice
from netjob_lab.running import host_number

Statement = tuple[str, ...]
Tree = dict[str, "Tree | None"]

VERSION = "22.4R1.10"
# Leaves that hold one value: setting one replaces the value before.
_SINGLE = {"host-name", "description", "authorization", "class"}


def default_statements(index: int, hostname: str) -> list[Statement]:
    host = host_number(index)
    statements: list[Statement] = [(f"version {VERSION}",), ("system", f"host-name {hostname}")]
    statements.append(("system", "services", "ssh"))
    if index % 3 == 0:
        statements.append(("system", "services", "web-management", "http"))
    statements.append(("system", "syslog", "host 192.0.2.50", "any any"))
    if index % 4:
        statements.append(("system", "ntp", "server 192.0.2.123"))
    inet = ("unit 0", "family inet")
    statements += [
        ("interfaces", "ge-0/0/0", "description uplink"),
        ("interfaces", "ge-0/0/0", *inet, f"address 192.0.2.{host}/24"),
        ("interfaces", "ge-0/0/1", "description users"),
        ("interfaces", "ge-0/0/1", *inet, f"address 203.0.113.{host}/24"),
        ("interfaces", "ge-0/0/2", *inet),
        ("interfaces", "ge-0/0/3", "description spare"),
        ("interfaces", "ge-0/0/3", "disable"),
        ("interfaces", "lo0", *inet, f"address 198.51.100.{host}/32"),
    ]
    if index % 5 == 0:
        statements.append(("snmp", "community public", "authorization read-only"))
    return statements


def set_statement(statements: list[Statement], new: Statement) -> None:
    """Add `new`; a one-value leaf (description, host-name, ...) is replaced in place."""
    if new in statements:
        return
    keyword = new[-1].split()[0]
    for i, old in enumerate(statements):
        if keyword in _SINGLE and old[:-1] == new[:-1] and old[-1].split()[0] == keyword:
            statements[i] = new
            return
    statements.append(new)


def delete_statements(statements: list[Statement], target: Statement) -> bool:
    """Remove every statement at or under `target`; False if there was none."""

    def under(statement: Statement) -> bool:
        last = len(target) - 1
        return (
            len(statement) > last
            and statement[:last] == target[:last]
            and (statement[last] == target[last] or statement[last].startswith(target[last] + " "))
        )

    kept = [s for s in statements if not under(s)]
    found = len(kept) != len(statements)
    statements[:] = kept
    return found


def quoted(value: str) -> str:
    """A value as Junos shows it: in double quotes when it has spaces or specials."""
    value = value.strip('"')
    return f'"{value}"' if re.search(r"[\s;{}#]", value) or not value else value


def _tree(statements: Sequence[Statement]) -> Tree:
    root: Tree = {}
    for statement in statements:
        node = root
        for segment in statement[:-1]:
            child = node.get(segment)
            if child is None:  # new, or a leaf like `family inet;` that now has contents
                child = node[segment] = {}
            node = child
        node.setdefault(statement[-1], None)
    return root


def _brace_lines(tree: Tree, depth: int = 0) -> Iterator[str]:
    pad = "    " * depth
    for segment, child in tree.items():
        if child is None:
            yield f"{pad}{segment};"
        else:
            yield f"{pad}{segment} {{"
            yield from _brace_lines(child, depth + 1)
            yield f"{pad}}}"


def _leaves(tree: Tree, path: Statement = ()) -> Iterator[Statement]:
    for segment, child in tree.items():
        if child is None:
            yield (*path, segment)
        else:
            yield from _leaves(child, (*path, segment))


def render(statements: Sequence[Statement]) -> str:
    """The curly-brace text of `show configuration`."""
    return "".join(line + "\n" for line in _brace_lines(_tree(statements)))


def render_set(statements: Sequence[Statement]) -> str:
    """`| display set`: one `set` line per leaf."""
    return "".join("set " + " ".join(leaf) + "\n" for leaf in _leaves(_tree(statements)))


def compare(old: Sequence[Statement], new: Sequence[Statement]) -> str:
    """`show | compare`: the changed leaves under their `[edit ...]` parents."""
    before, after = list(_leaves(_tree(old))), list(_leaves(_tree(new)))
    removed = [leaf for leaf in before if leaf not in after]
    added = [leaf for leaf in after if leaf not in before]
    # Parents in configuration order, as Junos lists them.
    order = list(dict.fromkeys(leaf[:-1] for leaf in [*after, *before]))
    changed = {leaf[:-1] for leaf in [*removed, *added]}
    lines: list[str] = []
    for parent in (p for p in order if p in changed):
        lines.append(f"[edit {' '.join(parent)}]" if parent else "[edit]")
        lines += [f"-   {leaf[-1]};" for leaf in removed if leaf[:-1] == parent]
        lines += [f"+   {leaf[-1]};" for leaf in added if leaf[:-1] == parent]
    return "".join(line + "\n" for line in lines)


def _padding(size: int) -> str:
    """A long prefix list of about `size` bytes, for the big_config fault."""
    lines = ["policy-options {", "    prefix-list lab-big {"]
    total = 0
    while total < size:
        n = len(lines)
        lines.append(f"        198.51.{n // 254 % 256}.{n % 254 + 1}/32;")
        total += len(lines[-1]) + 1
    return "\n".join([*lines, "    }", "}"]) + "\n"


class JunosDevice(BaseDevice):
    platform = "juniper_junos"

    def __init__(
        self,
        index: int,
        hostname: str,
        *,
        started: datetime | None = None,
        rejected: Sequence[str] = (),
        big_config_mb: float = 0.0,
    ) -> None:
        super().__init__(index, started=started, rejected=rejected)
        self.committed = default_statements(index, hostname)
        self.candidate = list(self.committed)
        self.history: list[list[Statement]] = []  # earlier commits; `rollback 1` is the last
        self.last_commit = (self.boot_time, "root")
        self._padding = _padding(int(big_config_mb * 1_000_000)) if big_config_mb else ""
        # Lines the lab does not model, shown as written after the configuration by
        # `show configuration` (not `| display set`): a test puts real devices'
        # secret-bearing lines here for backups to hold (as RunningConfig.verbatim).
        self.verbatim: list[str] = []
        self.startup_config = self.running_config()

    @property
    def hostname(self) -> str:
        for statement in reversed(self.committed):
            if statement[:1] == ("system",) and statement[-1].startswith("host-name "):
                return statement[-1].split(maxsplit=1)[1]
        return "Amnesiac"  # what Junos calls a device without a host name

    @property
    def changed(self) -> bool:
        return self.candidate != self.committed

    def running_config(self) -> str:
        when, user = self.last_commit
        header = f"## Last commit: {when:%Y-%m-%d %H:%M:%S} UTC by {user}\n"
        extra = "".join(line + "\n" for line in self.verbatim)
        return header + render(self.committed) + self._padding + extra

    def commit(self, user: str) -> None:
        self.history.append(self.committed)
        self.committed = list(self.candidate)
        self.last_commit = (datetime.now(timezone.utc), user)
        self.startup_config = self.running_config()

    def rollback(self, number: int) -> bool:
        """Load commit `number` back (0: the committed config) into the candidate."""
        if number > len(self.history):
            return False
        self.candidate = list(self.history[-number] if number else self.committed)
        return True
