"""Reporters, in the manner of Nornir's processors: `core.run` fans each host's result,
each piece of news from the workers and the finished Report out to every reporter it is
given, in the calling thread, after the run folder has the host's files. The console
views (runner.report.console) are reporters; so are report.html (`HtmlPage`) and any
object a user or a test passes with these three methods (a Protocol: no subclassing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from runner.base.models import HostResult, Report, RunProgress
from runner.base.run_layout import REPORT_HTML

log = logging.getLogger(__name__)


class Reporter(Protocol):
    # Whether `progress` does anything: the workers send news (a message per task, across
    # processes) only when some reporter wants it.
    @property
    def wants_progress(self) -> bool: ...

    def host_done(self, result: HostResult) -> None:
        """A host finished: its result as the run folder keeps it (redacted, no outputs)."""

    def progress(self, news: RunProgress) -> None:
        """A host started a task, or moved a file's bytes."""

    def run_done(self, report: Report) -> None:
        """The run ended and report.json is written."""


@dataclass(frozen=True)
class Callbacks:
    """Plain functions as a reporter: the Python API's `on_result` and `on_progress`."""

    on_result: Callable[[HostResult], None] | None = None
    on_progress: Callable[[RunProgress], None] | None = None

    @property
    def wants_progress(self) -> bool:
        return self.on_progress is not None

    def host_done(self, result: HostResult) -> None:
        if self.on_result is not None:
            self.on_result(result)

    def progress(self, news: RunProgress) -> None:
        if self.on_progress is not None:
            self.on_progress(news)

    def run_done(self, report: Report) -> None:
        return None


class HtmlPage:
    """report.html beside report.json, a page to share; a page that fails to build never
    fails the run (the report.json it is judged by is already written)."""

    wants_progress = False

    def host_done(self, result: HostResult) -> None:
        return None

    def progress(self, news: RunProgress) -> None:
        return None

    def run_done(self, report: Report) -> None:
        from runner.report.html import write_html

        try:
            write_html(report.run_dir)
        except Exception:
            log.warning("could not write %s", report.run_dir / REPORT_HTML, exc_info=True)


@dataclass(frozen=True)
class FanOut:
    """Several reporters as one, in order; the workers' news goes out only if some
    reporter wants it (progress costs the workers a message per task)."""

    reporters: Sequence[Reporter]

    @property
    def wants_progress(self) -> bool:
        return any(reporter.wants_progress for reporter in self.reporters)

    def host_done(self, result: HostResult) -> None:
        for reporter in self.reporters:
            reporter.host_done(result)

    def progress(self, news: RunProgress) -> None:
        for reporter in self.reporters:
            reporter.progress(news)

    def run_done(self, report: Report) -> None:
        for reporter in self.reporters:
            reporter.run_done(report)
