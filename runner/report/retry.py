"""--retry-failed: the selection narrowed to the hosts whose last attempt at the job did
not succeed, read from the job's past runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from runner.base.errors import InputError
from runner.load.selection import Selection
from runner.report import history


def only_unfinished(
    selection: Selection,
    reports_dir: Path,
    on_note: Callable[[str], None] | None = None,
    include_unknown: bool = False,
) -> Selection:
    """For --retry-failed: only the hosts whose most recent attempt, across this job's runs,
    did not succeed (failed, skipped, never reached), and those no run has tried. A run cut
    short (no report.json) is read back from its host files; `on_note` hears about it."""
    wanted = {h.name for h in selection.hosts}
    try:
        latest, short = history.latest_attempts(reports_dir, selection.job.path, wanted)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"--retry-failed: cannot read the runs of {selection.job.path}: {exc}"
        ) from None
    if not latest:
        raise InputError(
            f"--retry-failed: no earlier run of {selection.job.path} under {reports_dir}; "
            "run the job once without it"
        )
    for run in short:
        if on_note is not None:
            past = history.read_run(run)  # still running: none of the selected hosts is its
            why = past.running or f"was cut short: {past.stopped}"
            on_note(f"run {run}{':' if past.running else ''} {why}")
    # An `unknown` host may have been changed: running it again is a person's decision.
    done = ("ok", "changed") if include_unknown else ("ok", "changed", "unknown")
    unknown = [h.name for h in selection.hosts if latest.get(h.name) == "unknown"]
    if unknown and not include_unknown and on_note is not None:
        on_note(
            f"left out, their result never came back (from the cluster, or in flight when "
            f"the run was killed: they may or may not have been changed): {', '.join(unknown)}"
            "; look at the devices, then add --include-unknown to run them again"
        )
    hosts = tuple(h for h in selection.hosts if latest.get(h.name) not in done)
    left_out = () if include_unknown else tuple(unknown)
    return dataclasses.replace(selection, hosts=hosts, unknown=left_out)
