"""The Inventory record and Ansible's host patterns on it (`--limit`, a job's `hosts:`):
`a,b` or `a:b`, `&x`, `!x`, globs, `~regex`, `@file`. Loading an inventory is
runner.load.inventory (and the Nornir and Ansible formats beside it)."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.base import user_files
from runner.base.errors import SelectionError
from runner.base.models import Host
from runner.base.time_bound import time_bound

PLATFORM_GROUP = "platform_"  # `platform_juniper_junos`: every host of that platform
_MAX_LIST_BYTES = 64 * 1024 * 1024  # `--limit @file`: one host name a line
_MATCH_SECONDS = 2.0  # a `~regex` over every host name; ms for any sane one


@dataclass(frozen=True)
class Inventory:
    hosts: Mapping[str, Host]
    groups: tuple[str, ...] = ()
    source: Path = field(default=Path("inventory.yaml"))
    # Each group's own vars as its source wrote them (Ansible's, for `inventory convert`).
    group_vars: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # What a source of truth answered (runner.load.sot_inventory): source, fetched, devices,
    # hosts, sha256; one per NetBox/Nautobot inventory read, for report.json.
    snapshots: tuple[Mapping[str, Any], ...] = ()

    def select(self, *patterns: str | None) -> list[Host]:
        """Hosts matching every given pattern (None = no restriction), in inventory order."""
        chosen = list(self.hosts.values())
        for pattern in patterns:
            if pattern is not None:
                names = self._match(pattern)
                chosen = [h for h in chosen if h.name in names]
        return chosen

    def _match(self, pattern: str) -> set[str]:
        """_matched(), bounded in time: a regex that backtracks (`~(r|r)+x` over long names)
        or a glob or did-you-mean over a huge part would run for minutes."""
        why = "a regular expression in it backtracks (as `(a|a)+`)" if "~" in pattern else ""
        with time_bound(
            _MATCH_SECONDS,
            lambda: SelectionError(
                f"host pattern {_short(pattern)}: matching it against {len(self.hosts):,} host "
                f"names took over {_MATCH_SECONDS:g} s{': ' + why if why else ''}; simplify it"
            ),
        ):
            return self._matched(pattern)

    def _matched(self, pattern: str) -> set[str]:
        """Ansible's host patterns: `a,b` or `a:b` unite, `&x` intersects, `!x` excludes (in
        that order, whatever the order written); `@file` reads names, one a line; `~re` is a
        regex on names. Only intersections or exclusions start from `all`.
        """
        union: set[str] = set()
        intersections: list[set[str]] = []
        exclude: set[str] = set()
        tokens = self._tokens(pattern)
        if not tokens:
            raise SelectionError(f"empty host pattern {pattern!r}; name hosts, groups or 'all'")
        for token in tokens:
            if token.startswith("!"):
                exclude |= self._token(token[1:])
            elif token.startswith("&"):
                intersections.append(self._token(token[1:]))
            else:
                union |= self._token(token)
        chosen = union if any(not t.startswith(("!", "&")) for t in tokens) else set(self.hosts)
        for names in intersections:
            chosen &= names
        return chosen - exclude

    def _tokens(self, pattern: str) -> list[str]:
        """`,` separates, and so does `:` in a part that is not a name (IPv6, `r[1:3]`)."""
        parts: list[str] = []
        for part in (p.strip() for p in pattern.split(",")):
            if ":" in part and part.lstrip("!&") not in self.hosts:
                parts += _COLON_PARTS.findall(part)
            elif part:
                parts.append(part)
        tokens: list[str] = []
        for part in parts:
            tokens += self._read_names(part) if part.startswith("@") else [part]
        return tokens

    def _read_names(self, token: str) -> list[str]:
        """`@retry.txt`: one pattern a line (a host name, as Ansible's retry files hold)."""
        path = Path(token[1:]).expanduser()
        try:
            text = user_files.read_text(path, _MAX_LIST_BYTES)
        except user_files.FileRefused as exc:
            raise SelectionError(f"host list {token}: {exc}", path=path) from None
        names = [n.strip() for n in text.splitlines() if n.strip() and not n.startswith("#")]
        if not names:
            raise SelectionError(f"host list {token} names no host; one name a line", path=path)
        return names

    @functools.cached_property  # once per inventory: every pattern part may ask
    def platform_groups(self) -> dict[str, list[str]]:
        """A group per platform its hosts are on (`platform_cisco_ios`), as Ansible's
        constructed `group_by`: the inventory's own group of that name wins."""
        found: dict[str, list[str]] = {}
        for host in self.hosts.values():
            found.setdefault(f"{PLATFORM_GROUP}{host.platform}", []).append(host.name)
        return {name: hosts for name, hosts in found.items() if name not in self.groups}

    def _token(self, token: str) -> set[str]:
        if token in ("all", "*"):
            return set(self.hosts)
        if token.startswith("~"):
            return self._regex(token)
        if token in self.hosts:
            return {token}
        if token in self.groups:
            return {h.name for h in self.hosts.values() if token in h.groups}
        by_platform = self.platform_groups
        if token in by_platform:
            return set(by_platform[token])
        subscript = _SUBSCRIPT.match(token)
        if subscript is not None and self._is_pattern(subscript.group(1)):
            return self._subscript(*subscript.groups())
        if any(c in token for c in "*?["):
            found = self._glob(token)
            if found:
                return found
            raise SelectionError(f"'{token}' matches no host or group in {self.source}")
        if not token or token[0] in "!&@":
            raise SelectionError(
                f"host pattern part {token!r}: '!' and '&' take one name, group or glob "
                "each, e.g. 'core:&edge:!r003'"
            )
        groups = [*self.groups, *self.platform_groups]
        near = difflib.get_close_matches(token, [*groups, *self.hosts], n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise SelectionError(
            f"unknown host or group '{token}' in {self.source}; {hint}"
            f"groups are: {', '.join(groups) or '(none)'}; see `netjob hosts`"
        )

    def _glob(self, token: str) -> set[str]:
        found = {n for n in self.hosts if fnmatch.fnmatchcase(n, token)}
        found |= {
            h.name for h in self.hosts.values() for g in h.groups if fnmatch.fnmatchcase(g, token)
        }
        for group, names in self.platform_groups.items():
            if fnmatch.fnmatchcase(group, token):
                found.update(names)
        return found

    def _is_pattern(self, base: str) -> bool:
        """Whether `base` of `base[0:2]` names hosts (else `r[1:3]` stays a glob)."""
        if base in ("all", "*") or base in self.hosts or base in self.groups:
            return True
        return base in self.platform_groups or bool(
            any(c in base for c in "*?[") and self._glob(base)
        )

    def _subscript(
        self, base: str, index: str | None, start: str | None, end: str | None
    ) -> set[str]:
        """Ansible's subscripts on a group (or any pattern), in inventory order: `core[0]`
        the first host, `core[-1]` the last, `core[0:2]` the first three (both ends
        included, as Ansible's), `core[1:]` all but the first."""
        names = [n for n in self.hosts if n in self._token(base)]
        if index is not None:
            at = int(index)
            if not -len(names) <= at < len(names):
                raise SelectionError(
                    f"host pattern '{base}[{index}]': {base} has {len(names)} host(s), "
                    f"so its subscripts run from 0 to {len(names) - 1} (or -1 for the last)"
                )
            return {names[at]}
        first = int(start or 0)
        last = int(end) if end else len(names) - 1
        chosen = names[first : last + 1]
        if not chosen:
            raise SelectionError(
                f"host pattern '{base}[{start or ''}:{end or ''}]' selects no host: {base} has "
                f"{len(names)} host(s), numbered from 0"
            )
        return set(chosen)

    def _regex(self, token: str) -> set[str]:
        try:
            regex = re.compile(token[1:])
        except re.error as exc:
            raise SelectionError(f"host pattern {token!r}: bad regular expression: {exc}") from None
        found = {n for n in self.hosts if regex.match(n)}
        if not found:
            raise SelectionError(f"'{token}' matches no host in {self.source}")
        return found


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


# Ansible's subscripts: `core[0]`, `core[-1]`, `core[0:2]`, `core[1:]`, `core[:2]`.
_SUBSCRIPT = re.compile(r"^(.+)\[(?:(-?[0-9]+)|([0-9]*):([0-9]*))\]$")

# A `:`-separated part: runs of anything but `:`, where a bracketed `[1:3]` stays whole.
_COLON_PARTS = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")
