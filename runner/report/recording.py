"""The run folder of a run in progress, as the core opens and closes it: opened before any
device is contacted (the reports folder checked: exit 4 if it fails, runner.report.disk),
and at the end a result for every host the run did not reach, then report.json and the
reporters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from runner.base.models import HostResult, Report, WorkItem
from runner.base.redact import Redactor
from runner.load.selection import Selection
from runner.report.disk import ReportGuard
from runner.report.provenance import gather
from runner.report.reporters import FanOut
from runner.report.run_folder import RunWriter
from runner.run.scheduler import not_run, skipped_by_interrupt


def open_run(
    reports_dir: Path,
    selection: Selection,
    items: Sequence[WorkItem],
    redactor: Redactor,
    *,
    workers: int,
    dry_run: bool,
    change_id: str | None,
    command: tuple[str, ...] | None,
    journal: bool,
) -> tuple[ReportGuard, RunWriter]:
    """The guard of the reports folder and the run's writer; run.json names the run's
    hosts, so a run cut short can be read back (`journal`: its started hosts too)."""
    guard = ReportGuard(reports_dir)
    change = gather(
        job=selection.job.path,
        hosts=selection.job.hosts,
        inventories=selection.inventories,
        limit=selection.limit,
        extra_vars=selection.extra_vars,
        change_id=change_id,
        command=command,
    )

    def open_writer() -> RunWriter:
        opened = RunWriter(
            reports_dir,
            selection.job,
            redactor,
            {
                "inventory": str(selection.inventory.source),
                "inventory_snapshots": selection.inventory.snapshots,
                "workers": workers,
                "check": dry_run,  # report.json's key for a dry run
                "change": change,
            },
        )
        opened.begin([item.host.name for item in items], journal=journal)
        return opened

    writer = guard.open(open_writer)
    writer.platforms = {h.name: h.platform for h in selection.hosts}
    return guard, writer


def finish_run(
    items: Sequence[WorkItem],
    stopped: str | None,
    guard: ReportGuard,
    writer: RunWriter,
    record: Callable[[HostResult], None],
    fan_out: FanOut,
) -> Report:
    """Every host not run gets a result saying why (`stopped`); then report.json, and the
    reporters hear of it if it could be written. Raises ReportWriteError after what could
    be written."""
    if guard.error is not None:
        stopped = guard.reason
    for item in items:
        if item.host.name not in writer.results:
            if stopped == "interrupted":
                record(skipped_by_interrupt(item.host.name))
            else:
                record(not_run(item.host.name, f"not run: {stopped}"))
    report = guard.finish(writer, interrupted=stopped == "interrupted", stopped=stopped)
    if guard.error is None:
        fan_out.run_done(report)
    guard.raise_if_failed(writer)
    return report
