"""A run's change record: who ran what, where, with which variables and from which job
revision, as a change board reads it. Kept in report.json (key `change`) and run.json, so
a run cut short keeps it too; shown by report.md, report.html, `netjob report` and
`netjob history`. Its fields are its JSON keys, written and read, and described in the
schema, by runner.report.json_fields; runner.report.provenance gathers its values.

    change:
      id: CHG-1                  # --change-id (a ticket), or null
      user: alice                # the OS user
      machine: jump1             # the machine netjob ran on
      command: netjob run ...    # the command line (-e secrets masked), null from the API
      hosts: all                 # the job's host pattern
      limit: core                # --limit, or null
      extra_vars: {x: 1}         # every -e value merged, secrets masked
      job_sha256: 9f2c...
      job_commit: 1a2b...        # the job's git work tree: HEAD, or null (no git)
      job_dirty: false           # tracked files changed, or the job file untracked; null
      inventories: [{file: inv.yaml, sha256: 77aa...}]
      started: 2026-12-07T10:01:02.123+00:00   # ISO 8601 with the time zone
      ended: 2026-12-07T10:01:09.456+00:00     # null until the run ends
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runner.report.json_fields import from_json, meta, to_json

__all__ = [
    "ChangeDoc",
    "InventoryRef",
    "change_from_json",
    "change_json",
    "change_rows",
    "iso",
]

_ISO = "ISO 8601 with the time zone"


@dataclass(frozen=True)
class InventoryRef:
    """An inventory the run read: its path as given and the sha256 of its bytes (of a
    folder: of its files' names and digests), None if it could not be read."""

    file: str
    sha256: str | None


@dataclass(frozen=True, kw_only=True)
class ChangeDoc:
    """The change record of a run (module docstring)."""

    id: str | None = field(default=None, metadata=meta(about="--change-id: the change ticket"))
    user: str | None = field(default=None, metadata=meta(about="the OS user who ran it"))
    machine: str | None = field(default=None, metadata=meta(about="the machine it ran on"))
    command: str | None = field(
        default=None,
        metadata=meta(about="the command line, secret -e values masked; null from the Python API"),
    )
    hosts: str = field(default="all", metadata=meta(about="the job's host pattern"))
    limit: str | None = field(default=None, metadata=meta(about="--limit as given"))
    extra_vars: Mapping[str, Any] = field(
        default_factory=dict, metadata=meta(about="every -e value, merged, secrets masked")
    )
    job_sha256: str | None = None
    job_commit: str | None = field(
        default=None,
        metadata=meta(about="the commit checked out in the job's git work tree; null outside one"),
    )
    job_dirty: bool | None = field(
        default=None,
        metadata=meta(
            about="the work tree had local changes (a tracked file, or the job file untracked)"
        ),
    )
    inventories: tuple[InventoryRef, ...] = ()
    started: str | None = field(default=None, metadata=meta(about=_ISO))
    ended: str | None = field(default=None, metadata=meta(about=_ISO))


def iso(t: float) -> str:
    """Seconds since the epoch in ISO 8601, local time with its offset, to the millisecond."""
    moment = datetime.datetime.fromtimestamp(t).astimezone()
    return moment.isoformat(timespec="milliseconds")


def change_json(change: ChangeDoc) -> dict[str, Any]:
    return to_json(change)


def change_from_json(data: Mapping[str, Any] | None) -> ChangeDoc | None:
    """The record from report.json's or run.json's `change` (None in runs made before it)."""
    if not data:
        return None
    found: ChangeDoc = from_json(ChangeDoc, data)
    return found


def change_rows(change: ChangeDoc) -> list[tuple[str, str]]:
    """The record as (label, text) rows, in the order a change board reads them: the same
    for report.md, report.html and `netjob report`."""
    when = f"{change.started or '?'} to {change.ended or '(did not end)'}"
    where = f", --limit {change.limit}" if change.limit is not None else ""
    extra = ", ".join(f"{k}={json.dumps(v)}" for k, v in change.extra_vars.items())
    rows = [
        ("change", change.id or "(no --change-id given)"),
        ("who", f"{change.user or '?'} on {change.machine or '?'}"),
        ("when", when),
        ("command", change.command or "(not from the command line)"),
        ("hosts", f"{change.hosts}{where}"),
        ("-e", extra or "(none)"),
        ("job", f"sha256 {change.job_sha256 or '(unreadable)'}, {_revision(change)}"),
    ]
    rows += [
        ("inventory", f"{i.file} sha256 {i.sha256 or '(unreadable)'}") for i in change.inventories
    ]
    return rows


def _revision(change: ChangeDoc) -> str:
    if change.job_commit is None:
        return "not in a git work tree"
    if change.job_dirty is None:
        return f"git commit {change.job_commit}"
    state = "with local changes" if change.job_dirty else "no local changes"
    return f"git commit {change.job_commit}, {state}"
