"""report.md: a run's compliance and failures as Markdown tables, what a colleague needs
without netjob installed. The page is templates/report.md.j2, rendered without HTML
escaping; this module prepares its data, from report.json's records (report.document)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from runner.base.models import Status
from runner.report.change import change_rows
from runner.report.document import HostDoc, ReportDoc
from runner.report.json_fields import columns, headings
from runner.report.page_templates import environment

if TYPE_CHECKING:
    import jinja2


def markdown(report: ReportDoc) -> str:
    """report.md: what a colleague needs, without netjob installed."""
    failed = [h for h in report.hosts.values() if h.status is Status.FAILED]
    return "".join(markdown_pieces(report, sorted(failed, key=lambda h: h.host), len(failed)))


def markdown_pieces(report: ReportDoc, failed: Iterable[HostDoc], count: int) -> Iterator[str]:
    """markdown() in pieces, from the run's `count` failed hosts given one at a time in
    order of name (`report.hosts` is not read): a run of any size never holds them all."""
    return (
        _environment()
        .get_template("report.md.j2")
        .generate(
            job_name=report.job.name,
            run_name=report.run_id,
            host_count=report.summary.hosts,
            change=[] if report.change is None else change_rows(report.change),
            compliance=report.compliance,
            # report.json's host fields that runner.report.records shows as columns
            columns=headings(HostDoc, host_file=False),
            failed_count=count,
            failed=(
                {
                    "host": h.host,
                    "columns": columns(h, host_file=False),
                    "failure": f"{h.failure}",
                    "error": h.error or "",
                }
                for h in failed
            ),
        )
    )


@functools.cache
def _environment() -> jinja2.Environment:
    env = environment(html=False)
    env.filters["cell"] = _cell
    return env


def _cell(text: str) -> str:
    """A Markdown table cell: a `|` would end it and a newline the row."""
    return text.replace("|", "\\|").replace("\n", " ")
