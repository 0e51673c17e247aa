"""The compliance view of a run: per rule and per host, pass / fail / error with evidence,
as data for report.json and as a Markdown report a person can send to a colleague."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runner.models import HostResult, Report


def compliance(results: Iterable[HostResult]) -> dict[str, Any]:
    """{"hosts": {...}, "rules": {rule: {pass, fail, error, failing: [{host, status,
    evidence}]}}, "compliant": n, "noncompliant": n}; empty when the job has no checks."""
    rules: dict[str, dict[str, Any]] = {}
    compliant = noncompliant = 0
    for result in sorted(results, key=lambda r: r.host):
        checked = False
        for step in result.steps:
            for check in step.checks:
                checked = True
                rule = rules.setdefault(
                    check.name, {"pass": 0, "fail": 0, "error": 0, "failing": []}
                )
                rule[str(check.status.value)] += 1
                if check.status != "pass":
                    rule["failing"].append(
                        {
                            "host": result.host,
                            "task": step.task,
                            "status": check.status.value,
                            "evidence": check.evidence,
                        }
                    )
        if checked:
            compliant += not result.noncompliant
            noncompliant += result.noncompliant
    if not rules:
        return {}
    return {"compliant": compliant, "noncompliant": noncompliant, "rules": rules}


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
