"""A run's change record: who ran what, where, with which variables and from which job
revision, as a change board reads it. Kept in report.json (key `change`) and run.json, so
a run cut short keeps it too; shown by report.md, report.html, `netjob report` and
`netjob history`. This module names the record's JSON keys (runner.report.document
writes the rest of the documents); runner.report.provenance gathers its values.

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

__all__ = ["ChangeDoc", "InventoryRef", "change_from_json", "change_json", "change_rows", "iso"]


@dataclass(frozen=True)
class InventoryRef:
    """An inventory the run read: its path as given and the sha256 of its bytes (of a
    folder: of its files' names and digests), None if it could not be read."""

    file: str
    sha256: str | None


@dataclass(frozen=True, kw_only=True)
class ChangeDoc:
    """The change record of a run (module docstring)."""

    id: str | None = None
    user: str | None = None
    machine: str | None = None
    command: str | None = None
    hosts: str = "all"
    limit: str | None = None
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    job_sha256: str | None = None
    job_commit: str | None = None
    job_dirty: bool | None = None
    inventories: tuple[InventoryRef, ...] = ()
    started: str | None = None
    ended: str | None = None


def iso(t: float) -> str:
    """Seconds since the epoch in ISO 8601, local time with its offset, to the millisecond."""
    moment = datetime.datetime.fromtimestamp(t).astimezone()
    return moment.isoformat(timespec="milliseconds")


def change_json(change: ChangeDoc) -> dict[str, Any]:
    return {
        "id": change.id,
        "user": change.user,
        "machine": change.machine,
        "command": change.command,
        "hosts": change.hosts,
        "limit": change.limit,
        "extra_vars": dict(change.extra_vars),
        "job_sha256": change.job_sha256,
        "job_commit": change.job_commit,
        "job_dirty": change.job_dirty,
        "inventories": [{"file": i.file, "sha256": i.sha256} for i in change.inventories],
        "started": change.started,
        "ended": change.ended,
    }


def change_from_json(data: Mapping[str, Any] | None) -> ChangeDoc | None:
    """The record from report.json's or run.json's `change` (None in runs made before it)."""
    if not data:
        return None
    return ChangeDoc(
        id=data.get("id"),
        user=data.get("user"),
        machine=data.get("machine"),
        command=data.get("command"),
        hosts=data.get("hosts") or "all",
        limit=data.get("limit"),
        extra_vars=dict(data.get("extra_vars") or {}),
        job_sha256=data.get("job_sha256"),
        job_commit=data.get("job_commit"),
        job_dirty=data.get("job_dirty"),
        inventories=tuple(
            InventoryRef(str(i["file"]), i.get("sha256")) for i in data.get("inventories") or ()
        ),
        started=data.get("started"),
        ended=data.get("ended"),
    )


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
