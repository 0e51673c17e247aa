"""The run folder's documents as frozen, typed records, and the one place that writes and
reads their JSON: report.json (`ReportDoc`), the host files hosts/<name>.json (`HostDoc`)
and run.json (`RunManifest`). Every other module of the report room, and through it the
CLI, reads these records' attributes; only this module names the documents' keys.

The JSON written is what schema/report.schema.json publishes (tests/test_report_document.py
holds the records, the schema and a real run's files to each other): a record's fields are
the document's keys, in the order written, but for `RuleDoc.passed` (`pass`). A field
marked `optional` is written only when it has a value (the key is then absent, not null);
one marked `host_file` only in the host files, never in report.json.

    report.json          ReportDoc: the run, its Summary, ComplianceDoc and a HostDoc per host
    hosts/<name>.json    HostDoc with each StepDoc's outputs (in the file: their digests in
                         the job's output store) and parsed rows, and the host's platform
    run.json             RunManifest: written before any host starts, with who runs it
    started.jsonl        the hosts workers took, as they took them (runner.base.run_owner)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from runner.base.errors import FailureClass
from runner.base.models import CheckResult, CheckStatus, HostResult, Status, StepResult, TaskKind
from runner.base.run_layout import MANIFEST, REPORT_JSON, host_data, host_log, outputs_of
from runner.base.run_owner import Owner
from runner.report.change import ChangeDoc, change_from_json, change_json, iso
from runner.report.output_store import OutputStore

__all__ = [
    "REPORT_FORMAT",
    "RUN_FORMAT",
    "CheckDoc",
    "ComplianceDoc",
    "FailingCheck",
    "HostDoc",
    "JobRef",
    "ReportDoc",
    "RuleDoc",
    "RunManifest",
    "RunMeta",
    "RunningDoc",
    "SavedDoc",
    "StepDoc",
    "Summary",
    "host_doc",
    "host_from_json",
    "host_json",
    "host_text",
    "json_keys",
    "manifest_text",
    "read_host",
    "read_host_file",
    "read_manifest",
    "read_report",
    "report_from_json",
    "report_json",
    "report_text",
    "step_doc",
    "summary_json",
]

REPORT_FORMAT = "netjob-report/1"
RUN_FORMAT = "netjob-run/1"

Redact = Callable[[Any], Any]  # runner.base.redact.Redactor.data: JSON-like data in and out

# Field metadata: how a field stands in the JSON (see json_keys).
_OPTIONAL = {"optional": True}  # written only when it has a value


def iso_time(seconds: float | None) -> str | None:
    """Seconds since the epoch in ISO 8601 as the change record writes its times (local
    time with its offset, to the millisecond); None stays None."""
    return None if seconds is None else iso(seconds)


_HOST_FILE = {"host_file": True}  # in the host files only, always written there
_HOST_FILE_OPTIONAL = {"host_file": True, "optional": True}


# --- the records -------------------------------------------------------------------------


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
    # `started` as ISO 8601 in UTC, for people and tools that read no epoch seconds.
    started_iso: str | None = field(init=False, default=None, metadata=_OPTIONAL)
    checks: tuple[CheckDoc, ...] = field(default=(), metadata=_OPTIONAL)
    diff: str | None = field(default=None, metadata=_OPTIONAL)
    confirm: str | None = field(default=None, metadata=_OPTIONAL)
    outputs: tuple[str, ...] = field(default=(), metadata=_HOST_FILE)
    parsed: tuple[Mapping[str, Any], ...] | None = field(default=None, metadata=_HOST_FILE_OPTIONAL)

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
    """A host: in report.json (no outputs), or its host file (outputs, platform)."""

    host: str
    status: Status
    failure: FailureClass | None = None
    error: str | None = None
    started: float | None = None
    duration_s: float = 0.0
    started_iso: str | None = field(init=False, default=None, metadata=_OPTIONAL)
    log: str  # the host's transcript, relative to the run folder
    data: str  # its host file, relative to the run folder
    steps: tuple[StepDoc, ...] = ()
    poller: str | None = field(default=None, metadata=_OPTIONAL)  # a cluster's worker
    platform: str | None = field(default=None, metadata=_HOST_FILE)

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
        )


@dataclass(frozen=True, kw_only=True)
class Summary:
    """How many hosts ended how; failed hosts by failure class."""

    hosts: int
    ok: int
    changed: int
    failed: int
    skipped: int
    failures: Mapping[FailureClass, int]

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
    status: CheckStatus
    evidence: str


@dataclass(frozen=True, kw_only=True)
class RuleDoc:
    """A rule across the run's hosts: how many passed, failed and could not be judged."""

    passed: int = field(metadata={"key": "pass"})
    fail: int
    error: int
    failing: tuple[FailingCheck, ...]


@dataclass(frozen=True, kw_only=True)
class ComplianceDoc:
    """The compliance view of a run (runner.report.compliance); none without checks."""

    compliant: int
    noncompliant: int
    rules: Mapping[str, RuleDoc]
    # Hosts of the run none of whose checks ran (failed before them, or skipped them).
    # Absent from the report.json of runs made before it was added: read as 0.
    unchecked: int = 0


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
    pending: tuple[str, ...]
    in_flight: tuple[str, ...] | None


@dataclass(frozen=True, kw_only=True)
class ReportDoc:
    """report.json: the run, its summary and compliance, and each host (no outputs)."""

    format: str = REPORT_FORMAT
    netjob_version: str
    job: JobRef
    run_id: str
    started: float
    duration_s: float
    interrupted: bool
    stopped: str | None  # why the run ended early
    inventory: str | None = field(default=None, metadata=_OPTIONAL)
    inventory_snapshots: tuple[Mapping[str, Any], ...] = field(default=(), metadata=_OPTIONAL)
    workers: int | None = field(default=None, metadata=_OPTIONAL)
    check: bool | None = field(default=None, metadata=_OPTIONAL)  # a dry run (--check)
    saved: tuple[SavedDoc, ...] = field(default=(), metadata=_OPTIONAL)
    change: ChangeDoc | None = field(default=None, metadata=_OPTIONAL)  # runner.report.change
    summary: Summary
    compliance: ComplianceDoc | None  # `{}` in the JSON: the job has no checks
    hosts: Mapping[str, HostDoc]
    running: RunningDoc | None = field(default=None, metadata=_OPTIONAL)


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
    # Who runs it (runner.base.run_owner), so a reader can tell a live run from a killed
    # one: the machine and the process's start. None in runs made before they were kept.
    machine: str | None = None
    process_start: str | None = None
    change: ChangeDoc | None = None  # the change record, kept for a run cut short

    @property
    def owner(self) -> Owner:
        return Owner(self.pid, self.machine, self.process_start)


def json_keys(record: type[Any], host_file: bool = False) -> dict[str, bool]:
    """A record's keys in report.json (or with `host_file`, in a host file), each with
    whether it is always written: what the schema's properties and `required` say."""
    keys: dict[str, bool] = {}
    for item in fields(record):
        if item.metadata.get("host_file") and not host_file:
            continue
        keys[item.metadata.get("key", item.name)] = not item.metadata.get("optional")
    return keys


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


def host_doc(result: HostResult, platform: str | None = None) -> HostDoc:
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
        poller=result.poller,
        platform=platform,
    )


# --- to JSON --------------------------------------------------------------------------------


def _value(failure: FailureClass | None) -> str | None:
    return failure.value if failure is not None else None


def _step_json(step: StepDoc, outputs: Sequence[str] | None) -> dict[str, Any]:
    """A step for JSON; `outputs` (a host file's: digests, or load_host's: texts) and the
    parsed rows only in a host file's form."""
    data: dict[str, Any] = {
        "task": step.task,
        "kind": step.kind.value,
        "status": step.status.value,
        "commands": list(step.commands),
        "failure": _value(step.failure),
        "error": step.error,
        "started": step.started,
        "duration_s": step.duration_s,
        "note": step.note,
    }
    if step.started_iso is not None:
        data["started_iso"] = step.started_iso
    if step.checks:
        data["checks"] = [
            {"name": c.name, "status": c.status.value, "evidence": c.evidence} for c in step.checks
        ]
    if step.diff is not None:
        data["diff"] = step.diff
    if step.confirm is not None:
        data["confirm"] = step.confirm
    if outputs is not None:
        data["outputs"] = list(outputs)
        if step.parsed is not None:
            data["parsed"] = [dict(row) for row in step.parsed]
    return data


def _host_json(host: HostDoc, outputs: Sequence[Sequence[str]] | None) -> dict[str, Any]:
    """A host for JSON: report.json's entry (`outputs` None), or its host file's form
    (`outputs` per step), which adds the outputs, parsed rows and the platform."""
    data: dict[str, Any] = {
        "host": host.host,
        "status": host.status.value,
        "failure": _value(host.failure),
        "error": host.error,
        "started": host.started,
        **({"started_iso": host.started_iso} if host.started_iso is not None else {}),
        "duration_s": host.duration_s,
        "log": host.log,
        "data": host.data,
        "steps": [
            _step_json(step, None if outputs is None else outputs[i])
            for i, step in enumerate(host.steps)
        ],
    }
    # Only a cluster run names its pollers: a local run's report stays as it was.
    if host.poller:
        data["poller"] = host.poller
    if outputs is not None:
        data["platform"] = host.platform
    return data


def host_json(host: HostDoc) -> dict[str, Any]:
    """A host file's JSON with each step's outputs as texts (runner.report.run_folder's
    load_host): for callers that want the document as data."""
    return _host_json(host, [step.outputs for step in host.steps])


def host_text(host: HostDoc, store: OutputStore) -> str:
    """hosts/<name>.json: each output put in the job's store, the file naming its digest."""
    digests = [[store.put(text) for text in step.outputs] for step in host.steps]
    # No indent: json's C encoder only runs without one, and this is per host.
    return json.dumps(_host_json(host, digests))


def summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "hosts": summary.hosts,
        "ok": summary.ok,
        "changed": summary.changed,
        "failed": summary.failed,
        "skipped": summary.skipped,
        "failures": {failure.value: count for failure, count in summary.failures.items()},
    }


def _compliance_json(compliance: ComplianceDoc | None) -> dict[str, Any]:
    if compliance is None:
        return {}
    rules = {
        name: {
            "pass": rule.passed,
            "fail": rule.fail,
            "error": rule.error,
            "failing": [
                {"host": f.host, "task": f.task, "status": f.status.value, "evidence": f.evidence}
                for f in rule.failing
            ],
        }
        for name, rule in compliance.rules.items()
    }
    return {
        "compliant": compliance.compliant,
        "noncompliant": compliance.noncompliant,
        "unchecked": compliance.unchecked,
        "rules": rules,
    }


def report_json(report: ReportDoc) -> dict[str, Any]:
    """report.json as data: `netjob report --output json|yaml` prints it."""
    data: dict[str, Any] = {
        "format": report.format,
        "netjob_version": report.netjob_version,
        "job": {"name": report.job.name, "file": report.job.file},
        "run_id": report.run_id,
        "started": report.started,
        "duration_s": report.duration_s,
        "interrupted": report.interrupted,
        "stopped": report.stopped,
    }
    # The run's meta, each when recorded (a run read back from its host files has none).
    if report.inventory is not None:
        data["inventory"] = report.inventory
    if report.inventory_snapshots:
        data["inventory_snapshots"] = [dict(s) for s in report.inventory_snapshots]
    if report.workers is not None:
        data["workers"] = report.workers
    if report.check is not None:
        data["check"] = report.check
    if report.saved:
        data["saved"] = [
            {"task": s.task, "folder": s.folder, "files": s.files} for s in report.saved
        ]
    if report.change is not None:
        data["change"] = change_json(report.change)
    data["summary"] = summary_json(report.summary)
    data["compliance"] = _compliance_json(report.compliance)
    data["hosts"] = {name: _host_json(host, None) for name, host in report.hosts.items()}
    if report.running is not None:
        running = report.running
        data["running"] = {
            "pid": running.pid,
            "machine": running.machine,
            "pending": list(running.pending),
            "in_flight": None if running.in_flight is None else list(running.in_flight),
        }
    return data


def report_text(report: ReportDoc, redact: Redact | None = None) -> str:
    """report.json's text; `redact` masks every string of the document once more."""
    data = report_json(report)
    return json.dumps(redact(data) if redact is not None else data, indent=1)


def manifest_text(manifest: RunManifest, redact: Redact | None = None) -> str:
    """run.json's text."""
    data = {
        "format": manifest.format,
        "job": {"name": manifest.job.name, "file": manifest.job.file},
        "run_id": manifest.run_id,
        "started": manifest.started,
        "pid": manifest.pid,
        "hosts": list(manifest.hosts),
    }
    if manifest.change is not None:
        data["change"] = change_json(manifest.change)
    data = redact(data) if redact is not None else data
    # Not masked: no secret of the run is in them, and one mask inside a process's start
    # (a numeric password) would read a live run as killed.
    data.update(machine=manifest.machine, process_start=manifest.process_start)
    return json.dumps(data)


# --- from JSON: a missing key is a KeyError, a value of no known kind a ValueError -------


def _failure(value: str | None) -> FailureClass | None:
    return FailureClass(value) if value else None


def _step(data: Mapping[str, Any], outputs: Callable[[str], str] | None) -> StepDoc:
    parsed = data.get("parsed")
    return StepDoc(
        task=data["task"],
        kind=TaskKind(data["kind"]),
        status=Status(data["status"]),
        commands=tuple(data["commands"]),
        failure=_failure(data.get("failure")),
        error=data.get("error"),
        started=data.get("started"),
        duration_s=data.get("duration_s", 0.0),
        note=data.get("note"),
        checks=tuple(
            CheckDoc(c["name"], CheckStatus(c["status"]), c["evidence"])
            for c in data.get("checks") or ()
        ),
        diff=data.get("diff"),
        confirm=data.get("confirm"),
        outputs=()
        if outputs is None
        else tuple(outputs(digest) for digest in data.get("outputs") or ()),
        parsed=None if parsed is None else tuple(dict(row) for row in parsed),
    )


def host_from_json(data: Mapping[str, Any], outputs: Callable[[str], str] | None = None) -> HostDoc:
    """A host file's JSON (or report.json's entry for a host) as its record; `outputs`
    turns a digest into its text (without it, the steps' outputs stay empty)."""
    return HostDoc(
        host=data["host"],
        status=Status(data["status"]),
        failure=_failure(data.get("failure")),
        error=data.get("error"),
        started=data.get("started"),
        duration_s=data.get("duration_s", 0.0),
        log=data["log"],
        data=data["data"],
        steps=tuple(_step(step, outputs) for step in data["steps"]),
        poller=data.get("poller"),
        platform=data.get("platform"),
    )


def _compliance(data: Mapping[str, Any]) -> ComplianceDoc | None:
    if not data:
        return None
    rules = {
        name: RuleDoc(
            passed=rule["pass"],
            fail=rule["fail"],
            error=rule["error"],
            failing=tuple(
                FailingCheck(f["host"], f["task"], CheckStatus(f["status"]), f["evidence"])
                for f in rule["failing"]
            ),
        )
        for name, rule in data["rules"].items()
    }
    return ComplianceDoc(
        compliant=data["compliant"],
        noncompliant=data["noncompliant"],
        unchecked=data.get("unchecked", 0),  # older report.json: none counted
        rules=rules,
    )


def _summary(data: Mapping[str, Any]) -> Summary:
    return Summary(
        hosts=data["hosts"],
        ok=data["ok"],
        changed=data["changed"],
        failed=data["failed"],
        skipped=data["skipped"],
        failures={FailureClass(k): n for k, n in (data.get("failures") or {}).items()},
    )


def report_from_json(data: Mapping[str, Any]) -> ReportDoc:
    """report.json's data as its record."""
    return ReportDoc(
        format=data["format"],
        netjob_version=data["netjob_version"],
        job=JobRef(data["job"]["name"], data["job"]["file"]),
        run_id=data["run_id"],
        started=data["started"],
        duration_s=data["duration_s"],
        interrupted=data["interrupted"],
        stopped=data["stopped"],
        inventory=data.get("inventory"),
        inventory_snapshots=tuple(data.get("inventory_snapshots") or ()),
        workers=data.get("workers"),
        check=data.get("check"),
        saved=tuple(SavedDoc(s["task"], s["folder"], s["files"]) for s in data.get("saved") or ()),
        change=change_from_json(data.get("change")),
        summary=_summary(data["summary"]),
        compliance=_compliance(data.get("compliance") or {}),
        hosts={name: host_from_json(host) for name, host in data["hosts"].items()},
        running=_running(data.get("running")),
    )


def _running(data: Mapping[str, Any] | None) -> RunningDoc | None:
    if data is None:
        return None
    in_flight = data["in_flight"]
    return RunningDoc(
        pid=data["pid"],
        machine=data["machine"],
        pending=tuple(data["pending"]),
        in_flight=None if in_flight is None else tuple(in_flight),
    )


def _load(path: Path) -> Mapping[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: not a JSON object")
    return data


def read_report(run_dir: Path) -> ReportDoc:
    """A run folder's report.json (OSError, ValueError, KeyError or TypeError if it cannot)."""
    return report_from_json(_load(run_dir / REPORT_JSON))


def read_host_file(path: Path, store: OutputStore | None = None) -> HostDoc:
    """A host file; with the job's `store`, each step's outputs read back from it."""
    return host_from_json(_load(path), None if store is None else store.get)


def read_host(run_dir: Path, host: str, outputs: bool = True) -> HostDoc:
    """A host's file in a run folder, with each step's outputs read back from the job's
    store (a StoreError if one is missing or damaged), or without them."""
    store = OutputStore(outputs_of(run_dir)) if outputs else None
    return read_host_file(run_dir / host_data(host), store)


def read_manifest(run_dir: Path) -> RunManifest:
    data = _load(run_dir / MANIFEST)
    return RunManifest(
        format=data.get("format") or RUN_FORMAT,
        job=JobRef(str(data["job"]["name"]), str(data["job"]["file"])),
        run_id=data.get("run_id") or run_dir.name,
        started=float(data.get("started") or 0.0),
        pid=data.get("pid") or 0,
        hosts=tuple(data["hosts"]),
        machine=data.get("machine"),
        process_start=data.get("process_start"),
        change=change_from_json(data.get("change")),
    )
