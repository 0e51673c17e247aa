"""The run folder's record of changes made under a device's revert timer: one file per
host, confirm/<host>.json, written BEFORE the command that starts the timer is sent and
rewritten with the outcome. A run killed in between (kill -9) leaves the record
`pending`: `netjob report` reads such a host as `unknown` (the device has reverted by
itself unless someone confirmed it), and `netjob confirm RUN` / `netjob verify RUN` take
it from there in another process.

Secret-looking values in the lines are masked before they are written; `verify` judges
a host by its other lines.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.base import run_layout
from runner.base.logs import LogFilter
from runner.base.redact import MASK, Redactor
from runner.base.safe_files import write_private

PENDING, CONFIRMED, REVERTED, UNKNOWN = "pending", "confirmed", "reverted", "unknown"


@dataclass(frozen=True, kw_only=True)
class PendingChange:
    host: str
    platform: str
    task: str
    seconds: float  # the timer asked for
    session: str  # EOS's configuration session (also named on the other platforms)
    lines: tuple[str, ...]  # what went under the timer, secrets masked
    started: float  # when the command that starts the timer was sent (epoch seconds)
    outcome: str = PENDING
    detail: str | None = None  # how the outcome was seen
    save_config: bool = False  # save once confirmed (a save before would keep a revert out)
    # A rollback's replace (`netjob rollback --confirm`): the kept config it puts back,
    # and the one the device had before it (files in run folders, unmasked, 0600); the
    # device is judged by comparing its whole config with each.
    replaced: str | None = None
    before: str | None = None

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    def judged_lines(self) -> tuple[str, ...]:
        """The lines a look at the device's config can judge by: none holding a secret
        (masked in the record; and a device shows a secret hashed, never as it was sent)."""
        pairs = zip(self.lines, masked(self.lines), strict=True)
        return tuple(line for line, shown in pairs if MASK not in shown)


def masked(lines: tuple[str, ...]) -> tuple[str, ...]:
    redactor = Redactor(LogFilter.registered())
    return tuple(redactor.text(line) for line in lines)


def path_of(run_dir: Path, host: str) -> Path:
    return run_layout.pending_change(run_dir, host)


def write(run_dir: Path, change: PendingChange) -> None:
    """Atomically (a crash leaves the old record or the new one), 0600, never through a
    link: the record is in place before the device's timer starts."""
    target = path_of(run_dir, change.host)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    data = dataclasses.asdict(change)
    data["lines"] = list(change.lines)
    write_private(target, json.dumps(data, indent=1) + "\n", atomic=True)


def settle(run_dir: Path, change: PendingChange, outcome: str, detail: str) -> PendingChange:
    settled = dataclasses.replace(change, outcome=outcome, detail=detail)
    write(run_dir, settled)
    return settled


def read_all(run_dir: Path) -> list[PendingChange]:
    folder = run_dir / run_layout.CONFIRM
    if not folder.is_dir():
        return []
    return [_read(path) for path in sorted(folder.glob("*.json"))]


def read_one(run_dir: Path, host: str) -> PendingChange | None:
    path = path_of(run_dir, host)
    return _read(path) if path.is_file() else None


def _read(path: Path) -> PendingChange:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data["lines"] = tuple(data.get("lines") or ())
    fields = {f.name for f in dataclasses.fields(PendingChange)}
    return PendingChange(**{k: v for k, v in data.items() if k in fields})
