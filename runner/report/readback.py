"""A run folder without report.json, read back: a run still going, or one killed (`kill -9`,
a power cut) before it could write its report. What says which is its run.json (the hosts,
and the process that runs them: runner.base.run_owner) and its journal of started hosts.

    a host with a host file                finished: its result, as written
    still going (its process alive):       no result yet: in flight (a worker took it) or
                                           not started; `hosts` leaves both out, `running`
                                           names them; `--retry-failed` refuses them
    killed, taken by a worker:             failed `unknown`: in flight, what the device did
                                           is not known
    killed, never taken:                   skipped `interrupted`: never started, not run
    killed, no journal (a cluster run, or  failed `interrupted`, as before the journal: which
    one made before it):                   hosts had started is not known
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from runner.base import pending_confirm, revert_timer
from runner.base.errors import FailureClass, InputError, Remedy, advice
from runner.base.models import HostResult, Job, Report, Status
from runner.base.pending_confirm import CONFIRMED, PENDING, REVERTED, PendingChange
from runner.base.run_layout import HOSTS, MANIFEST, REPORT_JSON, STARTED, host_data
from runner.base.run_owner import read_starts
from runner.report.document import (
    HostDoc,
    ReportDoc,
    RunManifest,
    RunningDoc,
    read_host_file,
    read_manifest,
)
from runner.report.fold import host_ranges
from runner.report.run_folder import report_doc
from runner.run import scheduler

IN_FLIGHT = (
    "in flight when the run was killed: its result was never written, and what the device "
    "did is unknown; " + advice("look at it", (Remedy.RETRY_UNKNOWN,))
)
NEVER_STARTED = "not started: the run was killed before a worker took this host"


def manifest(run: Path) -> RunManifest:
    try:
        return read_manifest(run)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{run / MANIFEST}: cannot read: {exc}") from None


def recovered(run: Path) -> ReportDoc:
    """The report of a run that never wrote report.json: each host file it wrote (one cut
    in half by the kill counts as none), and its other hosts as the table above says."""
    found = manifest(run)
    results: dict[str, HostResult] = {}
    files: dict[str, HostDoc] = {}
    for path in sorted((run / HOSTS).glob("*.json")):
        try:
            doc = read_host_file(path)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        files[doc.host] = doc
        results[doc.host] = doc.to_result()
    starts = read_starts(run / STARTED)
    pending = tuple(name for name in found.hosts if name not in results)
    job = Job(name=found.job.name, path=Path(found.job.file))
    if found.owner.alive():
        in_flight = None if starts is None else tuple(n for n in pending if n in starts)
        running = RunningDoc(
            pid=found.pid, machine=found.machine, pending=pending, in_flight=in_flight
        )
        report = _report(found, run, results, interrupted=False, stopped=None)
        return dataclasses.replace(
            _as_written(report_doc(report, job), files), running=running, change=found.change
        )
    timed = {change.host: change for change in pending_confirm.read_all(run)}
    for name in pending:
        results[name] = _unfinished(name, starts)
        if name in timed:
            results[name] = under_timer(results[name], timed[name], run)
    where = found.owner.where()
    if found.owner.here:
        how = f"cut short: its process ({where}) is gone and never wrote {REPORT_JSON} (killed)"
    else:  # a run folder on a shared disk: that machine's processes cannot be asked from here
        how = f"cut short, or still going elsewhere: its process ({where}) cannot be asked here"
    stopped = f"{how}; read back from its files: {_counts(len(found.hosts), pending, starts)}"
    report = _report(found, run, results, interrupted=True, stopped=stopped)
    return dataclasses.replace(_as_written(report_doc(report, job), files), change=found.change)


def _as_written(report: ReportDoc, files: dict[str, HostDoc]) -> ReportDoc:
    """Each finished host as its file has it: with what the run knew of the host itself
    (runner.report.records' host_doc), which its result alone does not say."""
    hosts = {name: files.get(name, doc) for name, doc in report.hosts.items()}
    return dataclasses.replace(report, hosts=hosts)


def _unfinished(name: str, starts: dict[str, float] | None) -> HostResult:
    """A host of a killed run with no result: in flight, never started, or not known."""
    if starts is None:
        why = "no result: the run was cut short (killed) before this host finished"
        return scheduler.interrupted(name, why)
    if name in starts:
        return HostResult(
            host=name,
            status=Status.FAILED,
            failure=FailureClass.UNKNOWN,
            error=IN_FLIGHT,
            started=starts[name],
        )
    # No start time: the host never started (host_doc writes `started: null`).
    return HostResult(
        host=name, status=Status.SKIPPED, failure=FailureClass.INTERRUPTED, error=NEVER_STARTED
    )


def given_up(result: HostResult, run: Path) -> HostResult:
    """A host the run gave up on (Ctrl-C past the grace period) while its change was under
    the device's revert timer, never confirmed: `unknown`, saying so, not `interrupted`."""
    if result.failure is not FailureClass.INTERRUPTED or result.status is not Status.FAILED:
        return result
    change = pending_confirm.read_one(run, result.host)
    return under_timer(result, change, run) if change is not None else result


def under_timer(result: HostResult, change: PendingChange, run: Path) -> HostResult:
    """A host of a killed run that had a change under the device's revert timer: `unknown`
    until `netjob verify` (or `netjob confirm`) has looked, then what it saw."""
    when = time.strftime("%H:%M:%S %Z", time.localtime(change.started))
    timer = f"{revert_timer.shown(change.seconds)} from {when}"
    if change.outcome == PENDING:
        return dataclasses.replace(
            result,
            status=Status.FAILED,
            failure=FailureClass.UNKNOWN,
            error=f"task '{change.task}' was left under the device's revert timer ({timer}) "
            "and never confirmed: the device reverts by itself when it runs out; "
            f"`netjob verify {run}` looks at which config it has, `netjob confirm {run}` "
            "keeps the change",
        )
    if change.outcome == CONFIRMED:
        return dataclasses.replace(result, status=Status.CHANGED, failure=None, error=None)
    failure = FailureClass.REVERTED if change.outcome == REVERTED else FailureClass.UNKNOWN
    return dataclasses.replace(
        result,
        status=Status.FAILED,
        failure=failure,
        error=f"task '{change.task}' ({timer}), after the run: {change.detail}",
    )


def _counts(total: int, pending: tuple[str, ...], starts: dict[str, float] | None) -> str:
    finished = f"{total - len(pending)} of {total} hosts had finished"
    if starts is None:
        return (
            f"{finished}; which of the others had started is not known (the run kept no "
            "journal of started hosts: a cluster run, or one made before netjob kept it)"
        )
    flying = sum(1 for name in pending if name in starts)
    return (
        f"{finished}, {flying} were in flight (unknown), "
        f"{len(pending) - flying} never started (skipped)"
    )


def _report(
    found: RunManifest,
    run: Path,
    results: dict[str, HostResult],
    interrupted: bool,
    stopped: str | None,
) -> Report:
    started = found.started
    ended = max((r.started + r.duration for r in results.values() if r.started), default=started)
    return Report(
        job=found.job.name,
        run_dir=run,
        started=started,
        duration=max(0.0, ended - started),
        hosts=results,
        interrupted=interrupted,
        stopped=stopped,
    )


def refuse_if_owned(run: Path, hosts: set[str]) -> None:
    """For --retry-failed: an InputError if `run` is still going and some of `hosts` are
    its, with no result yet (starting them again would run them twice at once)."""
    found = manifest(run)
    owned = [
        name for name in found.hosts if name in hosts and not (run / host_data(name)).is_file()
    ]
    if owned and found.owner.alive():
        raise InputError(
            f"--retry-failed: the run {run} is still going ({found.owner.where()}) and has "
            f"not finished {len(owned)} of these hosts ({host_ranges(owned)}): let it end, "
            f"or stop it (kill -INT {found.pid}), then retry"
        )
