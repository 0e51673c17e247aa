"""The compliance view of a run: per rule and per host, pass / fail / error with evidence,
as the records of report.json (runner.report.document) and report.md read it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from runner.base.models import CheckStatus, HostResult, Status
from runner.report.document import ComplianceDoc, FailingCheck, RuleDoc


def compliance(results: Iterable[HostResult], names: Sequence[str] = ()) -> ComplianceDoc | None:
    """Per rule, its pass / fail / error counts and the checks that did not pass (by host,
    in host order), and how many hosts were compliant, non-compliant, and not checked:
    a host is compliant only when it ran to its end with every check passing; one with a
    failing check is non-compliant whatever else happened; the others (they failed or
    were cut off before all their checks ran, or skipped them all) are not checked, never
    compliant. `names`: the job's check names, so a run in which no host reached a check
    still says so. None when the job has no checks (report.json's `{}`)."""
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
        if result.noncompliant:
            noncompliant += 1
        elif checked and result.status in (Status.OK, Status.CHANGED):
            compliant += 1
        else:
            unchecked += 1
    if not counts and not names:
        return None
    for name in names if not counts else ():  # no host reached a check: each rule, at 0
        counts[name] = dict.fromkeys(CheckStatus, 0)
        failing[name] = []
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
