"""`netjob history`: the past runs under a reports folder (of one job, or of every job),
newest first, each with its change record's id, who ran it, what it ran and how it ended.
A run cut short is read back from its files (runner.report.history.report_data); a run
folder that cannot be read is listed as such, never skipped silently."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner.base.errors import ExitCode, InputError
from runner.report import history
from runner.report.change import iso
from runner.report.outcome import exit_code

_OUTCOME = {
    ExitCode.OK: "ok",
    ExitCode.HOSTS_FAILED: "failed",
    ExitCode.NONCOMPLIANT: "non-compliant",
    ExitCode.INTERRUPTED: "interrupted",
    ExitCode.RUNNING: "running",
}


@dataclass(frozen=True, kw_only=True)
class PastRunLine:
    """One run as `netjob history` lists it."""

    run: str  # the run folder
    started: str  # ISO 8601 with the time zone (the change record's, or from report.json)
    change_id: str | None
    who: str | None
    job: str
    hosts: str  # the job's pattern, and --limit when given
    outcome: str  # ok, failed, non-compliant, interrupted, running, cut short; with counts
    check: bool = False  # a dry run (--check): it changed nothing, whatever it counts


def past_runs(reports_dir: Path, job: Path | None = None) -> list[PastRunLine]:
    """Every run of `job` (or of every job) under `reports_dir`, newest first."""
    if job is not None:
        folders = history.runs(reports_dir, job, unfinished=True)
        if not folders:
            raise InputError(f"no runs of {job} under {reports_dir}")
    else:
        folders = [
            run
            for folder in sorted(reports_dir.iterdir() if reports_dir.is_dir() else ())
            if folder.is_dir() and not folder.is_symlink()
            for run in history.runs(reports_dir, folder, unfinished=True)
        ]
        if not folders:
            raise InputError(f"no runs under {reports_dir}; run a job first (or pass --reports)")
    dated = sorted((_line(run) for run in folders), key=lambda pair: pair[0], reverse=True)
    return [line for _, line in dated]


def _line(run: Path) -> tuple[float, PastRunLine]:
    """The run's line, and when it started (seconds since the epoch), to sort by."""
    try:
        report = history.report_data(run)
    except (InputError, OSError, ValueError, KeyError, TypeError) as exc:
        unreadable = PastRunLine(
            run=str(run),
            started="?",
            change_id=None,
            who=None,
            job=run.parent.name,
            hosts="?",
            outcome=f"unreadable: {exc}",
        )
        return _mtime(run), unreadable
    change = report.change
    summary = report.summary
    code = exit_code(report)
    outcome = _OUTCOME.get(code, code.name.lower())
    if history.cut_short(run) and code is not ExitCode.RUNNING:
        outcome = "cut short"
    # A dry run's "changed" is what it would have changed: a change board must not read it
    # as a change made (a README walk found them alike in the list).
    dry = bool(report.check)
    plural = "host" if summary.hosts == 1 else "hosts"
    would = "would change" if dry else "changed"
    counts = f"{summary.hosts} {plural}: {summary.ok} ok, {summary.changed} {would}"
    counts += f", {summary.failed} failed"
    if report.compliance is not None:
        counts += f", {report.compliance.noncompliant} non-compliant"
    hosts = "?"
    who = None
    if change is not None:
        hosts = change.hosts + (f" --limit {change.limit}" if change.limit is not None else "")
        who = f"{change.user or '?'}@{change.machine or '?'}"
    return report.started, PastRunLine(
        run=str(run),
        started=(change.started if change and change.started else iso(report.started)),
        change_id=change.id if change else None,
        who=who,
        job=report.job.file,
        hosts=hosts,
        outcome=f"{'dry run, ' if dry else ''}{outcome} ({counts})",
        check=dry,
    )


def _mtime(run: Path) -> float:
    try:
        return run.stat().st_mtime
    except OSError:
        return 0.0


def history_text(lines: list[PastRunLine]) -> str:
    """The runs as a plain table, a line per run: when, change, who, job, hosts, outcome,
    and the run folder (for `netjob report`)."""
    rows = [("started", "change", "who", "job", "hosts", "outcome", "run")]
    rows += [
        (
            line.started,
            line.change_id or "-",
            line.who or "-",
            line.job,
            line.hosts,
            line.outcome,
            line.run,
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + f"  {row[-1]}\n"
        for row in rows
    )
