"""The Inventory record and Ansible's host patterns on it (`--limit`, a job's `hosts:`):
`a,b` or `a:b`, `&x`, `!x`, globs, `~regex`, `@file`. Loading an inventory is
runner.load.inventory (and the Nornir and Ansible formats beside it)."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.base import user_files
from runner.base.errors import SelectionError
from runner.base.models import Host
from runner.base.time_bound import time_bound

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

    def _token(self, token: str) -> set[str]:
        if token in ("all", "*"):
            return set(self.hosts)
        if token.startswith("~"):
            return self._regex(token)
        if token in self.hosts:
            return {token}
        if token in self.groups:
            return {h.name for h in self.hosts.values() if token in h.groups}
        if any(c in token for c in "*?["):
            found = {n for n in self.hosts if fnmatch.fnmatchcase(n, token)}
            found |= {
                h.name
                for h in self.hosts.values()
                for g in h.groups
                if fnmatch.fnmatchcase(g, token)
            }
            if found:
                return found
            raise SelectionError(f"'{token}' matches no host or group in {self.source}")
        if not token or token[0] in "!&@":
            raise SelectionError(
                f"host pattern part {token!r}: '!' and '&' take one name, group or glob "
                "each, e.g. 'core:&edge:!r003'"
            )
        near = difflib.get_close_matches(token, [*self.groups, *self.hosts], n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise SelectionError(
            f"unknown host or group '{token}' in {self.source}; {hint}"
            f"groups are: {', '.join(self.groups) or '(none)'}; see `netjob hosts`"
        )

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


# A `:`-separated part: runs of anything but `:`, where a bracketed `[1:3]` stays whole.
_COLON_PARTS = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")
