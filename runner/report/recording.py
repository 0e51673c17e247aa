"""The report side of a run in progress, as the core drives it: the run folder opened
before any device is contacted (the reports folder checked: exit 4 if it fails,
runner.report.disk), each host's result written and handed to the reporters as it ends,
and at the end a result for every host the run did not reach, then report.json."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runner.base.models import HostResult, Report, WorkItem
from runner.base.redact import Redactor
from runner.load.selection import Selection
from runner.report import readback
from runner.report.disk import ReportGuard
from runner.report.provenance import gather
from runner.report.reporters import FanOut, Reporter
from runner.report.run_folder import RunWriter
from runner.run.scheduler import not_run, skipped_by_interrupt


@dataclass(frozen=True)
class Recording:
    guard: ReportGuard
    writer: RunWriter
    fan_out: FanOut
    stop: threading.Event  # set on a write error: no new hosts start

    def record(self, result: HostResult) -> None:
        """A host's result: written, then told to the reporters (on the main thread)."""
        result = readback.given_up(result, self.writer.run_dir)  # a change left under a timer
        self.fan_out.host_done(self.guard.host_done(self.writer, result, self.stop))

    def failed(self) -> int:
        return sum(1 for r in self.writer.results.values() if r.failed)

    def finish(self, items: Sequence[WorkItem], stopped: str | None) -> Report:
        """Every host not run gets a result saying why (`stopped`); then report.json, and
        the reporters hear of it if it could be written. Raises ReportWriteError after
        what could be written."""
        guard, writer = self.guard, self.writer
        if guard.error is not None:
            stopped = guard.reason
        for item in items:
            if item.host.name not in writer.results:
                if stopped == "interrupted":
                    self.record(skipped_by_interrupt(item.host.name))
                else:
                    self.record(not_run(item.host.name, f"not run: {stopped}"))
        report = guard.finish(writer, interrupted=stopped == "interrupted", stopped=stopped)
        if guard.error is None:
            self.fan_out.run_done(report)
        guard.raise_if_failed(writer)
        return report


def open_run(
    reports_dir: Path,
    selection: Selection,
    items: Sequence[WorkItem],
    redactor: Redactor,
    reporters: Sequence[Reporter],
    stop: threading.Event,
    *,
    workers: int,
    dry_run: bool,
    change_id: str | None,
    command: tuple[str, ...] | None,
    journal: bool,
) -> Recording:
    """The run's recording: its folder made, run.json naming the run's hosts, so a run cut
    short can be read back (`journal`: its started hosts too)."""
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
    writer.hosts = {h.name: h for h in selection.hosts}
    return Recording(guard, writer, FanOut(list(reporters)), stop)
