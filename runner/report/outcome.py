"""A past run as the CLI prints and judges it: its report.json (or, for a run cut short,
the same document read back) and what decides its exit code (the README's table), so no
caller outside the report room reads the document's keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.base.errors import ExitCode
from runner.base.run_owner import Owner
from runner.report.change import change_rows
from runner.report.document import ReportDoc, report_from_json, report_json

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


def exit_code(data: ReportDoc | Mapping[str, Any]) -> ExitCode:
    """A run's exit code, from its report.json (see the README's table): its record, or
    the document as data."""
    report = data if isinstance(data, ReportDoc) else report_from_json(data)
    if report.running is not None:
        return ExitCode.RUNNING
    if report.interrupted:
        return ExitCode.INTERRUPTED
    if report.summary.failed or report.stopped:
        return ExitCode.HOSTS_FAILED
    noncompliant = report.compliance is not None and report.compliance.noncompliant
    return ExitCode.NONCOMPLIANT if noncompliant else ExitCode.OK


@dataclass(frozen=True)
class PastRun:
    """A run folder read back (runner.report.history.report_data): its report.json's
    record, for the console's summary; `document` is the same as data, for `--output
    json/yaml`."""

    folder: Path
    report: ReportDoc
    cut_short: bool  # no report.json: killed (or still running); read back from its files

    @property
    def document(self) -> dict[str, Any]:
        """report.json as written (or, cut short, as it would have been)."""
        return report_json(self.report)

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(self.report)

    @property
    def running(self) -> str | None:
        """A run still going, in a line: who runs it and its hosts so far; else None."""
        running = self.report.running
        if running is None:
            return None
        where = Owner(running.pid, running.machine, None).where()
        total = len(self.report.hosts) + len(running.pending)
        if running.in_flight is None:
            rest = f"{len(running.pending)} without a result yet"
        else:
            waiting = len(running.pending) - len(running.in_flight)
            rest = f"{len(running.in_flight)} in flight, {waiting} not started yet"
        return (
            f"still running ({where}): so far {len(self.report.hosts)} of {total} hosts "
            f"finished, {rest}"
        )

    @property
    def stopped(self) -> str | None:
        """Why the run stopped early (interrupted, --max-fail, cut short), or None."""
        return self.report.stopped

    @property
    def change_lines(self) -> list[str]:
        """The run's change record (runner.report.change), a line per row; none for a run
        made before records were kept."""
        change = self.report.change
        rows = change_rows(change) if change is not None else []
        # One line per row, whatever a -e value held: control characters shown escaped.
        return [_CONTROL.sub(lambda m: repr(m.group(0))[1:-1], f"{k:<10} {v}") for k, v in rows]

    @property
    def dry_run(self) -> bool:
        """A dry run (--check): no config was sent."""
        return bool(self.report.check)
