"""How a person reads each host of a run, for report.html: its standing (failed, then
non-compliant, then not checked, then changed, ok, skipped: the order the page lists hosts
in), the badges it carries, the tiles that count them, and durations as a person reads
them (0.55 s, 2 min 3 s)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from runner.base.models import Status
from runner.report.document import HostDoc
from runner.report.fold import natural_key

# The order of the page: what needs a person first.
STANDINGS = ("failed", "non-compliant", "not checked", "changed", "ok", "skipped")
# The tiles of the summary: how many hosts carry each badge (a host changed and
# non-compliant counts in both; an ok host that failed a check is never counted `ok`).
TILES = ("failed", "non-compliant", "changed", "ok", "skipped")


def standing(host: HostDoc, audited: bool) -> str:
    """The host's standing; `audited`: the job has checks (report.json's compliance), so a
    host none of whose checks ran is `not checked`, never ok."""
    if host.status is Status.FAILED:
        return "failed"
    checks = [c for s in host.steps for c in s.checks]
    if any(c.status.value != "pass" for c in checks):
        return "non-compliant"
    if audited and (not checks or host.status is Status.SKIPPED):
        return "not checked"
    return str(host.status.value)


def badges(host: HostDoc, audited: bool) -> list[str]:
    """A host's status as people read it: a host that ran but failed a check is
    `non-compliant`, never `ok` (a changed one is both); one that ran none of the job's
    checks is `not checked` beside its status."""
    status = host.status.value
    found = standing(host, audited)
    if found == "non-compliant" and status in ("ok", "changed"):
        return [status, found] if status == "changed" else [found]
    if found == "not checked" and status in ("ok", "changed"):
        return [status, found]
    return [status]


def order(hosts: Iterable[tuple[HostDoc, str]]) -> list[tuple[HostDoc, str]]:
    """(host, standing) pairs in the page's order: by standing, then by name as people
    count (r2 before r10)."""
    rank = {name: i for i, name in enumerate(STANDINGS)}
    return sorted(hosts, key=lambda pair: (rank[pair[1]], natural_key(pair[0].host)))


def tiles(badge_lists: Sequence[Sequence[str]], audited: bool) -> list[tuple[str, int]]:
    """(badge, hosts carrying it) for the summary's tiles; `non-compliant` only for a job
    with checks."""
    shown = [t for t in TILES if audited or t != "non-compliant"]
    return [(tile, sum(tile in found for found in badge_lists)) for tile in shown]


def human_duration(seconds: float | None) -> str:
    """A duration as a person reads it: 0.55 s, 3.2 s, 42 s, 2 min 3 s, 1 h 4 min."""
    if seconds is None:
        return ""
    if seconds < 0.01:
        return "< 0.01 s"
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
