"""Drift between two runs' outputs: normalize away noise, store outputs once, diff them.

- `normalize` drops lines that change on every run without anything having changed
  (timestamps, uptimes, byte counts, traffic counters), by platform, plus a job's own regexes.
- `OutputStore` keeps outputs by content (sha256), so a thousand identical outputs across
  runs take the space of one.
- `diff_outputs` compares two mappings of key → output, with keys such as
  (host, task, command); how run folders become those mappings is the caller's business.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Generic, TypeVar

from runner import platforms
from runner.errors import StoreError

K = TypeVar("K", bound=Hashable)
_DIGEST = re.compile(r"[0-9a-f]{64}")


def noise_rules(platform: str) -> tuple[str, ...]:
    """The built-in noise regexes of a netmiko device_type (`_telnet`/`_ssh` ignored)."""
    return platforms.lookup(platform).noise


def normalize(text: str, platform: str, extra: Sequence[str] = ()) -> str:
    """`text` without noise lines, trailing spaces or CRs; `extra` regexes drop lines too.

    An invalid `extra` regex raises re.error: validate a job's patterns when it loads.
    """
    rules = (*noise_rules(platform), *extra)
    noise = re.compile("|".join(f"(?:{rule})" for rule in rules)) if rules else None
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    kept = [line for line in lines if not (noise and noise.search(line))]
    return "\n".join(kept).strip("\n") + "\n"


class OutputStore:
    """Outputs stored once by content: root/ab/cdef….gz (sha256 of the UTF-8 text).

    Outputs may hold secrets a device printed, so files are 0600 and folders 0700. Writes
    are atomic (a temporary file, then a rename), so readers and concurrent writers of the
    same output never see half a file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):  # never a path outside root
            raise StoreError(f"{digest!r} is not a sha256 hex digest")
        return self.root / digest[:2] / f"{digest[2:]}.gz"

    def put(self, text: str) -> str:
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if path.exists():
            return digest
        for folder in (self.root, path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(gzip.compress(data, mtime=0))  # mtime=0: same text, same bytes
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> str:
        path = self.path(digest)
        try:
            data = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise StoreError(f"output {digest[:12]} is not in {self.root}") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise StoreError(f"output {digest[:12]} in {self.root} is damaged: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise StoreError(f"output {digest[:12]} in {self.root} is damaged: wrong digest")
        return data.decode("utf-8")

    def __contains__(self, digest: object) -> bool:
        return (
            isinstance(digest, str)
            and _DIGEST.fullmatch(digest) is not None
            and (self.path(digest).exists())
        )


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
