"""report.md: a run's compliance and failures as Markdown tables, what a colleague needs
without netjob installed."""

from __future__ import annotations

from runner.base.models import Report
from runner.report.compliance import compliance


def markdown(report: Report, job_name: str) -> str:
    """report.md: what a colleague needs, without netjob installed."""
    data = compliance(report.hosts.values())
    lines = [f"# {job_name}: run {report.run_dir.name}", ""]
    failed = report.failed
    lines.append(
        f"{len(report.hosts)} hosts, {len(failed)} failed to run"
        + (f", {data['noncompliant']} non-compliant" if data else "")
        + "."
    )
    if data:
        lines += [
            "",
            "## Compliance by rule",
            "",
            "| rule | pass | fail | error |",
            "|---|---|---|---|",
        ]
        for name, rule in data["rules"].items():
            lines.append(f"| {_cell(name)} | {rule['pass']} | {rule['fail']} | {rule['error']} |")
        lines += [
            "",
            "## What failed, where",
            "",
            "| host | rule | status | evidence |",
            "|---|---|---|---|",
        ]
        for name, rule in data["rules"].items():
            for item in rule["failing"]:
                lines.append(
                    f"| {_cell(item['host'])} | {_cell(name)} | {item['status']} "
                    f"| {_cell(item['evidence'])} |"
                )
    if failed:
        lines += [
            "",
            "## Hosts that failed to run",
            "",
            "| host | failure | message |",
            "|---|---|---|",
        ]
        for result in sorted(failed, key=lambda r: r.host):
            lines.append(
                f"| {_cell(result.host)} | {result.failure} | {_cell(result.error or '')} |"
            )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
