"""report.md: a run's compliance and failures as Markdown tables, what a colleague needs
without netjob installed. The page is templates/report.md.j2, rendered without HTML
escaping; this module prepares its data."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from runner.base.models import Report
from runner.report.compliance import compliance
from runner.report.page_templates import environment

if TYPE_CHECKING:
    import jinja2


def markdown(report: Report, job_name: str) -> str:
    """report.md: what a colleague needs, without netjob installed."""
    failed = sorted(report.failed, key=lambda r: r.host)
    return (
        _environment()
        .get_template("report.md.j2")
        .render(
            job_name=job_name,
            run_name=report.run_dir.name,
            host_count=len(report.hosts),
            compliance=compliance(report.hosts.values()),
            failed=[
                {"host": r.host, "failure": f"{r.failure}", "error": r.error or ""} for r in failed
            ],
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
