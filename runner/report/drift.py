"""Drift between two runs' outputs: `diff_outputs` compares two mappings of key → output,
with keys such as (host, task, command), after runner.report.noise has dropped the lines
that change on every run; how run folders become those mappings is the caller's business
(runner.report.history). Outputs are kept once by content in runner.report.output_store.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class DriftKind(str, Enum):
    SAME = "same"
    CHANGED = "changed"
    ADDED = "added"  # only in the later run
    REMOVED = "removed"  # only in the earlier run


@dataclass(frozen=True)
class Drift(Generic[K]):
    key: K
    label: str  # the key as a reader sees it: "r001 | audit | show version"
    kind: DriftKind
    diff: str = ""  # a unified diff of the normalized outputs, for CHANGED only


def label_of(key: Any) -> str:
    return " | ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


def diff_outputs(
    before: Mapping[K, str],
    after: Mapping[K, str],
    clean: Callable[[K, str], str] = lambda key, text: text,
    context: int = 3,
) -> tuple[Drift[K], ...]:
    """One Drift per key of either mapping: before's keys in order, then after's new ones.

    `clean(key, text)` normalizes an output before comparing, e.g.
    `lambda key, text: normalize(text, platform_of[key[0]], job_ignore)`.
    """
    drifts = []
    for key in (*before, *(k for k in after if k not in before)):
        label = label_of(key)
        if key not in after:
            drifts.append(Drift(key, label, DriftKind.REMOVED))
        elif key not in before:
            drifts.append(Drift(key, label, DriftKind.ADDED))
        else:
            old, new = clean(key, before[key]), clean(key, after[key])
            lines = difflib.unified_diff(
                old.splitlines(), new.splitlines(), f"{label} (before)", f"{label} (after)",
                n=context, lineterm="",
            )  # fmt: skip
            diff = "\n".join(lines)
            drifts.append(Drift(key, label, DriftKind.CHANGED if diff else DriftKind.SAME, diff))
    return tuple(drifts)


def render_drift(drifts: Sequence[Drift[Any]]) -> str:
    """The diffs and added/removed outputs as text, ending with a one-line summary."""
    parts = []
    for drift in drifts:
        if drift.kind is DriftKind.CHANGED:
            parts.append(drift.diff)
        elif drift.kind is not DriftKind.SAME:
            parts.append(f"{drift.kind.value}: {drift.label}")
    counts = {kind: sum(d.kind is kind for d in drifts) for kind in DriftKind}
    summary = ", ".join(
        f"{counts[kind]} {kind.value}" for kind in DriftKind if kind.value != "same"
    )
    parts.append(f"drift: {summary}, {counts[DriftKind.SAME]} unchanged")
    return "\n".join(parts) + "\n"
