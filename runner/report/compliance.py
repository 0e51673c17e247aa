"""The compliance view of a run: per rule and per host, pass / fail / error with evidence,
as data for report.json (and for report.md, runner.report.markdown)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runner.base.models import HostResult


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
