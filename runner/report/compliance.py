"""The compliance view of a run: per rule and per host, pass / fail / error with evidence,
as the records of report.json (runner.report.document) and report.md read it."""

from __future__ import annotations

from collections.abc import Iterable

from runner.base.models import CheckStatus, HostResult
from runner.report.document import ComplianceDoc, FailingCheck, RuleDoc


def compliance(results: Iterable[HostResult]) -> ComplianceDoc | None:
    """Per rule, its pass / fail / error counts and the checks that did not pass (by host,
    in host order), and how many hosts were (non-)compliant, and how many were not checked
    at all (they failed before their checks, or skipped them): an audit that leaves a host
    out does not count it as compliant. None when no host ran a check (report.json's
    `{}`)."""
    counts: dict[str, dict[CheckStatus, int]] = {}
    failing: dict[str, list[FailingCheck]] = {}
    compliant = noncompliant = unchecked = 0
    for result in sorted(results, key=lambda r: r.host):
        checked = False
        for step in result.steps:
            for check in step.checks:
                checked = True
                status = CheckStatus(check.status)
                rule = counts.setdefault(check.name, dict.fromkeys(CheckStatus, 0))
                rule[status] += 1
                failed = failing.setdefault(check.name, [])
                if status is not CheckStatus.PASS:
                    failed.append(FailingCheck(result.host, step.task, status, check.evidence))
        if checked:
            compliant += not result.noncompliant
            noncompliant += result.noncompliant
        else:
            unchecked += 1
    if not counts:
        return None
    rules = {
        name: RuleDoc(
            passed=rule[CheckStatus.PASS],
            fail=rule[CheckStatus.FAIL],
            error=rule[CheckStatus.ERROR],
            failing=tuple(failing[name]),
        )
        for name, rule in counts.items()
    }
    return ComplianceDoc(
        compliant=compliant, noncompliant=noncompliant, unchecked=unchecked, rules=rules
    )
