"""The run folder's documents as frozen, typed records: report.json (`ReportDoc`), the host
files hosts/<name>.json (`HostDoc`) and run.json (`RunManifest`), and how a run's live
records (runner.base.models) become them. Every other module of the report room, and
through it the CLI, reads these records' attributes.

This is the one mapping to the documents: a record's fields, in order and with their
metadata (runner.report.json_fields), are what report.json and the host files hold, what
schema/report.schema.json publishes (runner.report.report_schema generates it), and which
host fields report.md and report.html show as columns. A field added here, with its
value in host_doc() or step_doc(), is in all of them.

    report.json          ReportDoc: the run, its Summary, ComplianceDoc and a HostDoc per host
    hosts/<name>.json    HostDoc with each StepDoc's outputs (in the file: their digests in
                         the job's output store) and parsed rows, and the host's platform
    run.json             RunManifest: written before any host starts, with who runs it
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runner.base.errors import FailureClass
from runner.base.models import (
    CheckResult,
    CheckStatus,
    Host,
    HostResult,
    Status,
    StepResult,
    TaskKind,
)
from runner.base.run_layout import REPORT_JSON, host_data, host_log
from runner.base.run_owner import Owner
from runner.report.change import ChangeDoc, iso
from runner.report.json_fields import meta

REPORT_FORMAT = "netjob-report/1"
RUN_FORMAT = "netjob-run/1"

_STARTED_ISO = meta(
    optional=True,
    schema={"format": "date-time"},
    about="started in ISO 8601, local time with its offset (2026-12-07T10:58:00.123+01:00), "
    "as the change record's times; only when started",
)


def iso_time(seconds: float | None) -> str | None:
    """Seconds since the epoch in ISO 8601 as the change record writes its times (local
    time with its offset, to the millisecond); None stays None."""
    return None if seconds is None else iso(seconds)


@dataclass(frozen=True)
class JobRef:
    """The job a run ran: its name and its file, as given."""

    name: str
    file: str


@dataclass(frozen=True)
class CheckDoc:
    """One check of a step: its rule's name, pass/fail/error, and the line or value."""

    name: str
    status: CheckStatus
    evidence: str


@dataclass(frozen=True, kw_only=True)
class StepDoc:
    """A step of a host. `outputs` are the outputs' texts (read_host reads them from the
    job's output store; the host file holds their digests); outputs and parsed rows are
    in the host files only."""

    task: str
    kind: TaskKind
    status: Status
    commands: tuple[str, ...]
    failure: FailureClass | None = None
    error: str | None = None
    started: float | None = None  # seconds since the epoch; None: never started
    duration_s: float = 0.0
    note: str | None = None
    # `started` as ISO 8601, for people and tools that read no epoch seconds.
    started_iso: str | None = field(init=False, default=None, metadata=_STARTED_ISO)
    checks: tuple[CheckDoc, ...] = field(default=(), metadata=meta(optional=True))
    diff: str | None = field(default=None, metadata=meta(optional=True))
    confirm: str | None = field(
        default=None,
        metadata=meta(
            optional=True,
            schema={"enum": ["confirmed", "reverted", "unknown", "pending"]},
            about="a change under the device's revert timer (--confirm)",
        ),
    )
    outputs: tuple[str, ...] = field(default=(), metadata=meta(host_file=True))
    parsed: tuple[Mapping[str, Any], ...] | None = field(
        default=None, metadata=meta(host_file=True, optional=True)
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_iso", iso_time(self.started))

    def to_result(self) -> StepResult:
        """The StepResult this was written from (but its save_to)."""
        return StepResult(
            task=self.task,
            kind=self.kind,
            commands=self.commands,
            status=self.status,
            outputs=self.outputs,
            failure=self.failure,
            error=self.error,
            started=self.started or 0.0,
            duration=self.duration_s or 0.0,
            checks=tuple(CheckResult(c.name, c.status, c.evidence) for c in self.checks),
            parsed=self.parsed,
            diff=self.diff,
            note=self.note,
            confirm=self.confirm,
        )


@dataclass(frozen=True, kw_only=True)
class HostDoc:
    """A host: in report.json (no outputs), or its host file (outputs, platform). A field
    with a `column` is shown in report.html's hosts table and each host's section, and (if
    report.json holds it) in report.md's table of failed hosts."""

    host: str
    status: Status
    failure: FailureClass | None = None
    error: str | None = None
    started: float | None = None
    started_iso: str | None = field(init=False, default=None, metadata=_STARTED_ISO)
    duration_s: float = 0.0
    log: str = field(metadata=meta(about="the host's transcript, relative to the run"))
    data: str = field(metadata=meta(about="the host's JSON with output digests"))
    steps: tuple[StepDoc, ...] = ()
    poller: str | None = field(
        default=None, metadata=meta(optional=True, about="on a cluster: the worker that ran it")
    )
    platform: str | None = field(default=None, metadata=meta(host_file=True, column="platform"))
    transport: str | None = field(
        default=None,
        metadata=meta(
            optional=True,
            column="transport",
            about="how netjob reached the host: ssh2 (netmiko over libssh2, netjob[fast]), "
            "paramiko (netmiko over paramiko), or telnet (unencrypted); a host never "
            "contacted has its inventory's `transport:` (ssh: netjob chooses); absent in "
            "runs made before it was kept",
        ),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_iso", iso_time(self.started))

    def to_result(self) -> HostResult:
        """The HostResult this was written from (outputs only if read with them)."""
        return HostResult(
            host=self.host,
            status=self.status,
            steps=tuple(step.to_result() for step in self.steps),
            failure=self.failure,
            error=self.error,
            started=self.started or 0.0,
            duration=self.duration_s or 0.0,
            poller=self.poller,
            transport=self.transport,
        )


@dataclass(frozen=True, kw_only=True)
class Summary:
    """How many hosts ended how; failed hosts by failure class."""

    hosts: int
    ok: int
    changed: int
    failed: int
    skipped: int
    failures: Mapping[FailureClass, int] = field(
        default_factory=dict, metadata=meta(about="failed hosts by failure class")
    )

    def by_status(self) -> tuple[tuple[Status, int], ...]:
        """The counts in the order of Status: ok, changed, failed, skipped."""
        counts = {
            Status.OK: self.ok,
            Status.CHANGED: self.changed,
            Status.FAILED: self.failed,
            Status.SKIPPED: self.skipped,
        }
        return tuple((status, counts[status]) for status in Status)


@dataclass(frozen=True)
class FailingCheck:
    """A check that did not pass, where: the host, the task and what it found."""

    host: str
    task: str
    status: CheckStatus = field(metadata=meta(schema={"enum": ["fail", "error"]}))
    evidence: str


@dataclass(frozen=True, kw_only=True)
class RuleDoc:
    """A rule across the run's hosts: how many passed, failed and could not be judged."""

    passed: int = field(metadata=meta(key="pass"))
    fail: int
    error: int
    failing: tuple[FailingCheck, ...]


@dataclass(frozen=True, kw_only=True)
class ComplianceDoc:
    """The compliance view of a run (runner.report.compliance); none without checks."""

    compliant: int
    noncompliant: int
    # Hosts of the run none of whose checks ran (failed before them, or skipped them).
    # Absent from the report.json of runs made before it was added: read as 0.
    unchecked: int = field(
        default=0,
        metadata=meta(about="hosts none of whose checks ran (failed before them, or skipped them)"),
    )
    rules: Mapping[str, RuleDoc]


@dataclass(frozen=True)
class SavedDoc:
    """Where a task's save_to files went: their common folder and how many."""

    task: str
    folder: str
    files: int


@dataclass(frozen=True, kw_only=True)
class RunMeta:
    """What the caller adds to a run's report.json (core's RunWriter meta)."""

    inventory: str | None = None
    # A NetBox/Nautobot inventory's snapshot (source, fetched, devices, hosts, sha256)
    inventory_snapshots: tuple[Mapping[str, Any], ...] = ()
    workers: int | None = None
    check: bool | None = None  # a dry run (--check): no config sent; report.json's key
    change: ChangeDoc | None = None  # who ran what (runner.report.change)


@dataclass(frozen=True, kw_only=True)
class RunningDoc:
    """A run still going, as `netjob report` reads it (never in report.json): who runs it,
    the hosts with no result yet, and those of them a worker has taken (None: not known,
    a run that keeps no journal of started hosts: a cluster's)."""

    pid: int
    machine: str | None
    pending: tuple[str, ...] = field(metadata=meta(about="hosts with no result yet"))
    in_flight: tuple[str, ...] | None = field(
        metadata=meta(about="those of them a worker has taken; null: not known (a cluster run)")
    )


_SNAPSHOT = {
    "type": "object",
    "required": ["source", "fetched", "devices", "hosts", "sha256"],
    "properties": {
        "source": {"type": "string"},
        "fetched": {"type": "string"},
        "devices": {"type": "integer"},
        "hosts": {"type": "integer"},
        "sha256": {"type": "string"},
    },
}


@dataclass(frozen=True, kw_only=True)
class ReportDoc:
    """report.json: the run, its summary and compliance, and each host (no outputs). The
    run's meta is written each when recorded (a run read back from its host files has none)."""

    format: str = field(default=REPORT_FORMAT, metadata=meta(schema={"const": REPORT_FORMAT}))
    netjob_version: str
    job: JobRef
    run_id: str
    started: float = field(metadata=meta(about="seconds since the epoch"))
    duration_s: float
    interrupted: bool
    stopped: str | None = field(metadata=meta(about="why the run ended early"))
    inventory: str | None = field(default=None, metadata=meta(optional=True))
    inventory_snapshots: tuple[Mapping[str, Any], ...] = field(
        default=(),
        metadata=meta(
            optional=True,
            schema={"items": _SNAPSHOT},
            about="what each NetBox/Nautobot inventory answered: the source, when, how many "
            "devices and hosts, the sha256 of the devices as fetched",
        ),
    )
    workers: int | None = field(default=None, metadata=meta(optional=True))
    check: bool | None = field(default=None, metadata=meta(optional=True))  # a dry run
    saved: tuple[SavedDoc, ...] = field(
        default=(),
        metadata=meta(
            optional=True,
            about="where save_to files went: per task, their common folder and how many",
        ),
    )
    change: ChangeDoc | None = field(
        default=None,
        metadata=meta(
            optional=True,
            about="the run's change record: who ran what, where, with which variables, from "
            "which job revision (absent in runs made before it was kept)",
        ),
    )
    summary: Summary
    compliance: ComplianceDoc | None = field(
        metadata=meta(empty=True, about="empty when the job has no checks")
    )
    hosts: Mapping[str, HostDoc]
    running: RunningDoc | None = field(
        default=None,
        metadata=meta(
            optional=True,
            about="only when `netjob report` reads a run that is still going (never in "
            f"{REPORT_JSON}): its process, and its hosts without a result yet, which `hosts` "
            "leaves out",
        ),
    )


@dataclass(frozen=True, kw_only=True)
class RunManifest:
    """run.json, before any host starts: which hosts the run is for (a run cut short is
    read back from it and its host files: runner.report.history)."""

    format: str = RUN_FORMAT
    job: JobRef
    run_id: str
    started: float
    pid: int
    hosts: tuple[str, ...]
    # The change record, kept for a run cut short.
    change: ChangeDoc | None = field(default=None, metadata=meta(optional=True))
    # Who runs it (runner.base.run_owner), so a reader can tell a live run from a killed
    # one: the machine and the process's start. None in runs made before they were kept.
    # Never masked: no secret of the run is in them, and one mask inside a process's start
    # (a numeric password) would read a live run as killed.
    machine: str | None = field(default=None, metadata=meta(unmasked=True))
    process_start: str | None = field(default=None, metadata=meta(unmasked=True))

    @property
    def owner(self) -> Owner:
        return Owner(self.pid, self.machine, self.process_start)


# --- from the live records (runner.base.models) -------------------------------------------


def step_doc(step: StepResult) -> StepDoc:
    """A step as its host file has it, outputs' texts and parsed rows included."""
    return StepDoc(
        task=step.task,
        kind=step.kind,
        status=step.status,
        commands=step.commands,
        failure=step.failure,
        error=step.error,
        started=step.started or None,
        duration_s=round(step.duration, 4),
        note=step.note,
        checks=tuple(CheckDoc(c.name, c.status, c.evidence) for c in step.checks),
        diff=step.diff,
        confirm=step.confirm,
        outputs=step.outputs,
        parsed=step.parsed,
    )


def host_doc(result: HostResult, host: Host | None = None) -> HostDoc:
    """A host's result as its documents have it; `host`, the inventory's, adds what the
    run knew of the host itself (None: a result read back without its inventory)."""
    return HostDoc(
        host=result.host,
        status=result.status,
        failure=result.failure,
        error=result.error,
        started=result.started or None,
        duration_s=round(result.duration, 4),
        log=host_log(result.host),
        data=host_data(result.host),
        steps=tuple(step_doc(step) for step in result.steps),
        poller=result.poller or None,  # only a cluster run names its pollers
        platform=None if host is None else host.platform,
        transport=result.transport or (None if host is None else host.connection.transport),
    )
