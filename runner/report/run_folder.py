"""Writes a run to disk as it happens: one folder per run, one log (human) and one JSON
(machine) per host written the moment the host finishes, and report.json at the end (also
when interrupted). Every byte goes through the Redactor. Files are readable by the owner only.

    reports/<job>/<run-id>/report.json
    reports/<job>/<run-id>/hosts/<host>.log
    reports/<job>/<run-id>/hosts/<host>.json
    reports/<job>/latest -> <run-id>
    reports/<job>/.job         the job file whose runs these are

<job> is the job file's stem while the folder is that job's (its `.job` says which file,
as a path from the reports folder); a job with the same file name elsewhere gets
<stem>-<8 hex of its path>. Host files are named by safe_name(), unique per host. What
report.json, the host files and run.json hold is runner.report.records' records; this
module builds them from a run's and writes their text (runner.report.document).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from runner.base.errors import FailureClass, InputError
from runner.base.models import Host, HostResult, Job, Report, Status, StepResult, TaskKind
from runner.base.platforms import DEFAULT as DEFAULT_PLATFORM
from runner.base.redact import Redactor
from runner.base.run_layout import (
    HOSTS,
    LATEST,
    MANIFEST,
    OUTPUTS,
    OWNER,
    REPORT_JSON,
    REPORT_MD,
    STARTED,
    host_data,
    host_log,
)
from runner.base.run_owner import Owner
from runner.base.safe_files import link_in, name_hash, refuse_link, safe_name, write_private
from runner.base.version import __version__
from runner.render.save_paths import split as split_save_to
from runner.report.change import ChangeDoc, iso
from runner.report.compliance import compliance
from runner.report.document import (
    HostDoc,
    JobRef,
    ReportDoc,
    RunManifest,
    RunMeta,
    SavedDoc,
    StepDoc,
    Summary,
    host_doc,
    host_json,
    host_text,
    manifest_text,
    read_host,
    report_pieces,
    step_doc,
)
from runner.report.markdown import markdown_pieces
from runner.report.noise import normalize
from runner.report.output_store import OutputStore

__all__ = ["RunWriter", "job_folder", "load_host", "report_doc", "safe_name", "step_log"]


def job_key(reports_dir: Path, job_path: Path) -> str:
    """The job file as seen from the reports folder: moving both together keeps it."""
    try:
        return os.path.relpath(job_path.resolve(), reports_dir.resolve())
    except ValueError:  # another drive
        return str(job_path.resolve())


def job_folder(reports_dir: Path, job_path: Path) -> Path:
    """Where a job's runs are: reports/<stem>/ while that folder is this job file's (or no
    job has claimed it yet), else reports/<stem>-<hash of the job's path>/, so two jobs
    with one file name never read (`--retry-failed`, `diff`, `report`) each other's runs."""
    plain = reports_dir / safe_name(job_path.stem)
    key = job_key(reports_dir, job_path)
    try:
        owner = (plain / OWNER).read_text(encoding="utf-8").strip()
    except OSError:
        return plain  # free, or written before folders recorded their job: this job's
    return plain if owner == key else plain.with_name(f"{plain.name}-{name_hash(key)}")


def _claim(reports_dir: Path, job_path: Path) -> Path:
    """job_folder(), made and marked as this job's; a race for one name is lost cleanly."""
    key = job_key(reports_dir, job_path)
    for _ in range(2):
        folder = job_folder(reports_dir, job_path)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _refuse_links(folder, reports_dir)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        try:
            fd = os.open(folder / OWNER, flags, 0o600)
        except FileExistsError:
            if job_folder(reports_dir, job_path) == folder:
                return folder
            continue  # another job claimed the name first: take the hashed one
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(key + "\n")
        return folder
    return folder


def _refuse_links(path: Path, reports_dir: Path) -> None:
    """No write follows a link under the reports folder (one there may send a run's files,
    device secrets among them, anywhere): refused before anything connects. The reports
    folder itself may be a link: that one is the user's choice."""
    link = link_in(path.relative_to(reports_dir), reports_dir)
    if link is not None:
        raise InputError(refuse_link(link).replace("or save elsewhere", "or pick --reports"))


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t)) + f".{int(t % 1 * 1000):03d}"


class RunWriter:
    def __init__(
        self, reports_dir: Path, job: Job, redactor: Redactor, meta: dict[str, Any] | None = None
    ) -> None:
        self.job = job
        self.redactor = redactor
        self.meta = meta or {}
        self.started = time.time()
        self.job_dir = _claim(reports_dir, job.path)
        _refuse_links(self.job_dir / OUTPUTS, reports_dir)
        self.run_dir = self._new_run_dir()
        self.store = OutputStore(self.job_dir / OUTPUTS)
        # The inventory's hosts, for what the documents say of a host itself (platform).
        self.hosts: dict[str, Host] = {}
        (self.run_dir / HOSTS).mkdir(mode=0o700)
        self.results: dict[str, HostResult] = {}
        self.saved: dict[str, tuple[str, int]] = {}  # per task: the files' folder, how many
        self.started_log: Path | None = None  # the journal of started hosts (begin)
        self._commands: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _new_run_dir(self) -> Path:
        base = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.started))
        for n in range(1, 1000):
            candidate = self.job_dir / (base if n == 1 else f"{base}-{n}")
            try:
                candidate.mkdir(mode=0o700)
                return candidate
            except FileExistsError:
                continue
        raise RuntimeError(f"cannot create a run folder under {self.job_dir}")

    def begin(self, hosts: list[str], journal: bool = True) -> None:
        """run.json, before any host starts: which hosts this run is for and which process
        runs it, so a run cut short (kill -9, a power cut: no report.json) can be read back
        from its host files, and one still going read as running (runner.report.readback).
        With `journal`, the empty journal its workers append each host to as they take it
        (`started_log`; a cluster's pollers, far from this disk, keep none)."""
        owner = Owner.this_process()
        manifest = RunManifest(
            job=JobRef(self.job.name, str(self.job.path)),
            run_id=self.run_dir.name,
            started=self.started,
            pid=owner.pid,
            hosts=tuple(hosts),
            machine=owner.machine,
            process_start=owner.start,
            change=self._change(ended=None),
        )
        if journal:
            self._write(STARTED, "")
            self.started_log = self.run_dir / STARTED
        self._write(MANIFEST, manifest_text(manifest, self.redactor.data))

    def host_done(self, result: HostResult) -> HostResult:
        """Write the host's files now; keep only its redacted summary (no outputs) in memory,
        and return the redacted result, outputs included, for the console (`-v`)."""
        result = self._redacted(result)  # once, then every writer below uses it as is
        self._write(host_log(result.host), self._log(result))
        # Outputs live once, by content, in the job's store; the host file names them.
        data = host_text(host_doc(result, self.hosts.get(result.host)), self.store)
        self._write(host_data(result.host), data)
        for step in result.steps:
            if step.save_to and step.status is Status.OK:
                host = self.hosts.get(result.host)
                platform = DEFAULT_PLATFORM if host is None else host.platform
                self._save_to(step, normalize("\n".join(step.outputs), platform, saved=True))
        # Kept for every host to the run's end: commands most hosts share are kept once.
        slim = tuple(
            dataclasses.replace(s, outputs=(), commands=self._shared(s.commands))
            for s in result.steps
        )
        summary = dataclasses.replace(result, steps=slim)
        self.results[result.host] = summary
        return result

    def _shared(self, commands: tuple[str, ...]) -> tuple[str, ...]:
        return self._commands.setdefault(commands, commands)

    def _save_to(self, step: StepResult, text: str) -> None:
        """A task's `save_to:` file (e.g. a config backup a person diffs or keeps in git),
        placed by runner.render.save_paths, never through a symbolic link below the folder its
        author wrote: the output's text, or its parsed rows as JSON in a `.json` file (not
        written when the parse failed: the step's note says why)."""
        assert step.save_to is not None
        anchor, relative = split_save_to(step.save_to)
        if relative.suffix.lower() == ".json":
            if step.parsed is None:
                return
            text = json.dumps([dict(row) for row in step.parsed], indent=2) + "\n"
        write_private(anchor / relative, text, nested=True, base=anchor)
        folder, count = self.saved.get(step.task, (str(anchor / relative.parent), 0))
        folder = os.path.commonpath([folder, str(anchor / relative.parent)])
        self.saved[step.task] = (folder, count + 1)

    def _redacted(self, result: HostResult) -> HostResult:
        """Every string of the result, once: commands, outputs, parsed rows, diffs, notes,
        errors and check evidence (a check may quote the very line that holds a secret)."""
        text = self.redactor.text
        steps = tuple(
            dataclasses.replace(
                s,
                task=text(s.task),  # a loop item may be a secret: `task (item)`
                commands=tuple(text(c) for c in s.commands),
                outputs=tuple(text(o) for o in s.outputs),
                error=s.error and text(s.error),
                diff=s.diff and text(s.diff),
                note=s.note and text(s.note),
                checks=tuple(
                    dataclasses.replace(c, name=text(c.name), evidence=text(c.evidence))
                    for c in s.checks
                ),
                parsed=None
                if s.parsed is None
                else tuple(self.redactor.data(dict(r)) for r in s.parsed),
            )
            for s in result.steps
        )
        return dataclasses.replace(result, steps=steps, error=result.error and text(result.error))

    def finish(self, interrupted: bool = False, stopped: str | None = None) -> Report:
        report = Report(
            job=self.job.name,
            run_dir=self.run_dir,
            started=self.started,
            duration=time.time() - self.started,
            hosts=dict(self.results),
            interrupted=interrupted,
            stopped=stopped,
        )
        meta = dataclasses.replace(RunMeta(**self.meta), change=self._change(ended=time.time()))
        # The documents without their hosts, whose records are made, written and dropped one
        # at a time: the main process holds one host's record, whatever the run's size.
        document = report_doc(report, self.job, meta, self._saved(), self.hosts, listed=False)
        docs = host_docs(report, self.hosts)
        self._write(REPORT_JSON, report_pieces(document, docs, self.redactor.data))
        failed = (d for d in host_docs(report, self.hosts) if d.status is Status.FAILED)
        self._write(REPORT_MD, markdown_pieces(document, failed, document.summary.failed))
        self._point_latest()
        return report

    def _change(self, ended: float | None) -> ChangeDoc | None:
        """The caller's change record (runner.report.change) with the run's start and end."""
        change: ChangeDoc | None = self.meta.get("change")
        if change is None:
            return None
        return dataclasses.replace(
            change, started=iso(self.started), ended=None if ended is None else iso(ended)
        )

    def _saved(self) -> tuple[SavedDoc, ...]:
        """Where save_to files went: per task, their folder and count."""
        return tuple(SavedDoc(task, folder, count) for task, (folder, count) in self.saved.items())

    def _point_latest(self) -> None:
        link = self.job_dir / LATEST
        tmp = self.job_dir / f".{LATEST}-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(self.run_dir.name)
        os.replace(tmp, link)

    def _write(self, relative: str, text: str | Iterable[str], atomic: bool = True) -> None:
        # Names come through safe_name(); this is the belt to its braces, without syscalls.
        if relative.startswith("/") or ".." in relative.split("/"):
            raise ValueError(f"refusing to write outside the run folder: {relative!r}")
        # report.json is written whole then renamed, so a reader never sees half of it.
        # Host files too: a process killed between the file's creation and its one write
        # left an empty host file, which no reader can take for the host's result.
        write_private(self.run_dir / relative, text, atomic=atomic)

    def _log(self, result: HostResult) -> str:
        lines = [
            f"# netjob {__version__} run {self.run_dir.name}: job '{self.job.name}' "
            f"({self.job.path}), host {result.host}",
            f"# status: {result.status.value}"
            + (f"  failure: {result.failure.value}" if result.failure else "")
            + f"  started: {_stamp(result.started)}  duration: {result.duration:.3f}s"
            + (f"  transport: {result.transport}" if result.transport else ""),
        ]
        if result.error:
            lines.append(f"# error: {result.error}")
        dry_run = bool(RunMeta(**self.meta).check)
        for step in result.steps:
            lines.extend(step_log(step_doc(step), dry_run))
        return "\n".join(lines) + "\n"


def step_log(step: StepDoc, dry_run: bool = False) -> list[str]:
    """A step as the host log and `netjob show` print it, outputs' texts included: `>>>`
    marks only what was sent; what a dry run (or a skip) kept back is listed as not sent,
    after the note and the diff that say why."""
    head = f"\n== task '{step.task}' [{step.kind.value}] {step.status.value}"
    if step.status is not Status.SKIPPED:
        head += f"  started: {_stamp(step.started or 0.0)}  duration: {step.duration_s:.3f}s"
    lines = [head]
    if step.error:
        lines.append(f"!! {step.failure}: {step.error}")
    commands, outputs = step.commands, step.outputs
    if step.kind is TaskKind.SHOW:
        for i, command in enumerate(commands):
            lines.append(f">>> {command}")
            if i < len(outputs):
                lines.append(outputs[i].rstrip("\n"))
    elif _sent(step, dry_run):
        lines.extend(f">>> {command}" for command in commands)
        lines.extend(output.rstrip("\n") for output in outputs)
    if step.note:
        lines.append(f"-- {step.note}")
    if step.diff:
        lines.append("-- config lines (- replaced or removed, + sent, or to send with --check):")
        lines.append(step.diff.rstrip("\n"))
    elif step.kind is not TaskKind.SHOW and not _sent(step, dry_run):
        lines.extend(f"-- not sent: {command}" for command in commands)
    for item in step.checks:
        evidence = f": {item.evidence}" if item.evidence else ""
        lines.append(f"?? check '{item.name}': {item.status.value}{evidence}")
    return lines


def _sent(step: StepDoc, dry_run: bool) -> bool:
    """Whether a step's lines reached the device: not in a dry run, not when skipped, not
    when the device already had them (a config step `unchanged`)."""
    if dry_run or step.status is Status.SKIPPED:
        return False
    return not (step.status is Status.OK and step.note == "unchanged")


def load_host(run_dir: Path, host: str) -> dict[str, Any]:
    """A host's file from a run folder as data, each step's outputs read back from the
    store as texts (readers of the run folder use runner.report.document.read_host)."""
    return host_json(read_host(run_dir, host))


def summarize(report: Report) -> Summary:
    counts = dict.fromkeys(Status, 0)
    failures: dict[FailureClass, int] = {}
    for result in report.hosts.values():
        counts[result.status] += 1
        if result.failure and result.failed:  # a skipped host's reason is not a failure
            failures[result.failure] = failures.get(result.failure, 0) + 1
    return Summary(
        hosts=len(report.hosts),
        ok=counts[Status.OK],
        changed=counts[Status.CHANGED],
        failed=counts[Status.FAILED],
        skipped=counts[Status.SKIPPED],
        failures=failures,
    )


def report_doc(
    report: Report,
    job: Job,
    meta: RunMeta | None = None,
    saved: tuple[SavedDoc, ...] = (),
    hosts: Mapping[str, Host] | None = None,
    listed: bool = True,
) -> ReportDoc:
    """A run's report.json as its record: the Report, the job, the caller's meta, where
    save_to files went and the inventory's `hosts`; without `listed`, its `hosts` empty
    (host_docs() gives them, one at a time)."""
    meta = meta or RunMeta()
    return ReportDoc(
        netjob_version=__version__,
        job=JobRef(job.name, str(job.path)),
        run_id=report.run_dir.name,
        started=report.started,
        duration_s=round(report.duration, 3),
        interrupted=report.interrupted,
        stopped=report.stopped,
        inventory=meta.inventory,
        inventory_snapshots=meta.inventory_snapshots,
        workers=meta.workers,
        check=meta.check,
        saved=saved,
        change=meta.change,
        summary=summarize(report),
        compliance=compliance(
            report.hosts.values(), [check.name for task in job.every_task for check in task.checks]
        ),
        hosts={d.host: d for d in host_docs(report, hosts)} if listed else {},
    )


def host_docs(report: Report, hosts: Mapping[str, Host] | None = None) -> Iterator[HostDoc]:
    """Each host of the run as report.json has it, in order of name, made as it is taken."""
    hosts = hosts or {}
    for name in sorted(report.hosts):
        yield host_doc(report.hosts[name], hosts.get(name))
