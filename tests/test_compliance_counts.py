"""Who counts as compliant: only a host that ran to its end with every check passing. A
failing check makes a host non-compliant whatever else happened; every other host (it
failed or was cut off before all its checks ran, or skipped them all) is `not checked`,
never compliant; and a run in which no host reached a check still has its rules."""

from __future__ import annotations

from runner.base.errors import FailureClass
from runner.base.models import CheckResult, CheckStatus, HostResult, Status, StepResult, TaskKind
from runner.report.compliance import compliance

PASS = CheckResult("ntp", CheckStatus.PASS, "ntp server 192.0.2.1")
FAIL = CheckResult("http", CheckStatus.FAIL, "ip http server")


def _step(task: str, status: Status, *checks: CheckResult) -> StepResult:
    return StepResult(task=task, kind=TaskKind.SHOW, commands=(), status=status, checks=checks)


def _host(name: str, status: Status, *steps: StepResult) -> HostResult:
    failure = FailureClass.CONNECTION_LOST if status is Status.FAILED else None
    return HostResult(host=name, status=status, steps=steps, failure=failure)


def test_a_host_cut_off_after_a_passing_check_is_not_checked_never_compliant() -> None:
    hosts = [
        _host("r1", Status.OK, _step("ntp", Status.OK, PASS), _step("http", Status.OK)),
        # Its first check passed, then the session dropped before the second step.
        _host("r2", Status.FAILED, _step("ntp", Status.OK, PASS), _step("http", Status.FAILED)),
        # A failing check, then a failure: non-compliant, as it showed.
        _host("r3", Status.FAILED, _step("http", Status.OK, FAIL), _step("x", Status.FAILED)),
        _host("r4", Status.FAILED),  # never logged in
        _host("r5", Status.SKIPPED),  # kept from starting (an interrupt, a stopped rollout)
    ]
    doc = compliance(hosts, ["ntp", "http"])
    assert doc is not None
    assert (doc.compliant, doc.noncompliant, doc.unchecked) == (1, 1, 3)
    assert doc.rules["ntp"].passed == 2 and doc.rules["http"].fail == 1


def test_a_run_in_which_no_host_reached_a_check_still_reports_its_rules() -> None:
    hosts = [_host("r1", Status.FAILED), _host("r2", Status.OK, _step("ntp", Status.OK))]
    doc = compliance(hosts, ["ntp", "http"])
    assert doc is not None
    assert (doc.compliant, doc.noncompliant, doc.unchecked) == (0, 0, 2)
    assert set(doc.rules) == {"ntp", "http"}
    assert all(r.passed == r.fail == r.error == 0 for r in doc.rules.values())


def test_a_job_without_checks_has_no_compliance() -> None:
    assert compliance([_host("r1", Status.OK, _step("show", Status.OK))]) is None
