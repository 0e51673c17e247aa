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
<stem>-<8 hex of its path>. Host files are named by safe_name(), unique per host.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.base.errors import FailureClass
from runner.base.models import (
    CheckResult,
    CheckStatus,
    HostResult,
    Job,
    Report,
    Status,
    StepResult,
    TaskKind,
)
from runner.base.platforms import DEFAULT as DEFAULT_PLATFORM
from runner.base.redact import Redactor
from runner.base.safe_files import name_hash, safe_name, write_private
from runner.base.version import __version__
from runner.render.save_paths import split as split_save_to
from runner.report.compliance import compliance
from runner.report.markdown import markdown
from runner.report.noise import normalize
from runner.report.output_store import OutputStore

__all__ = ["RunWriter", "job_folder", "load_host", "safe_name"]
_OWNER = ".job"  # in a job's reports folder: which job file it belongs to


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
        owner = (plain / _OWNER).read_text(encoding="utf-8").strip()
    except OSError:
        return plain  # free, or written before folders recorded their job: this job's
    return plain if owner == key else plain.with_name(f"{plain.name}-{name_hash(key)}")


def _claim(reports_dir: Path, job_path: Path) -> Path:
    """job_folder(), made and marked as this job's; a race for one name is lost cleanly."""
    key = job_key(reports_dir, job_path)
    for _ in range(2):
        folder = job_folder(reports_dir, job_path)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        try:
            fd = os.open(folder / _OWNER, flags, 0o600)
        except FileExistsError:
            if job_folder(reports_dir, job_path) == folder:
                return folder
            continue  # another job claimed the name first: take the hashed one
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(key + "\n")
        return folder
    return folder


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
        self.run_dir = self._new_run_dir()
        self.store = OutputStore(self.job_dir / "outputs")
        self.platforms: dict[str, str] = {}
        (self.run_dir / "hosts").mkdir(mode=0o700)
        self.results: dict[str, HostResult] = {}
        self.saved: dict[str, tuple[str, int]] = {}  # per task: the files' folder, how many

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

    def begin(self, hosts: list[str]) -> None:
        """run.json, before any host starts: which hosts this run is for, so a run cut short
        (kill -9, a power cut: no report.json) can be read back from its host files, and the
        hosts without one are known (see runner.report.history)."""
        manifest = {
            "format": "netjob-run/1",
            "job": {"name": self.job.name, "file": str(self.job.path)},
            "run_id": self.run_dir.name,
            "started": self.started,
            "pid": os.getpid(),
            "hosts": hosts,
        }
        self._write("run.json", json.dumps(self.redactor.data(manifest)))

    def host_done(self, result: HostResult) -> HostResult:
        """Write the host's files now; keep only its redacted summary (no outputs) in memory,
        and return the redacted result, outputs included, for the console (`-v`)."""
        result = self._redacted(result)  # once, then every writer below uses it as is
        name = safe_name(result.host)
        self._write(f"hosts/{name}.log", self._log(result), atomic=False)
        # Outputs live once, by content, in the job's store; the host file names them.
        digests = [[self.store.put(o) for o in step.outputs] for step in result.steps]
        data = host_dict(result, digests)
        data["platform"] = self.platforms.get(result.host)
        # No indent: json's C encoder only runs without one, and this is per host.
        self._write(f"hosts/{name}.json", json.dumps(data), atomic=False)
        for step in result.steps:
            if step.save_to and step.status is Status.OK:
                platform = self.platforms.get(result.host, DEFAULT_PLATFORM)
                self._save_to(step, normalize("\n".join(step.outputs), platform))
        slim = tuple(dataclasses.replace(s, outputs=()) for s in result.steps)
        summary = dataclasses.replace(result, steps=slim)
        self.results[result.host] = summary
        return result

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
        self._write(
            "report.json",
            json.dumps(self.redactor.data(report_dict(report, self.job, self._meta())), indent=1),
        )
        self._write("report.md", markdown(report, self.job.name))
        self._point_latest()
        return report

    def _meta(self) -> dict[str, Any]:
        """The run's meta, and where save_to files went: per task, their folder and count."""
        saved = [
            {"task": task, "folder": folder, "files": count}
            for task, (folder, count) in self.saved.items()
        ]
        return {**self.meta, "saved": saved} if saved else self.meta

    def _point_latest(self) -> None:
        link = self.job_dir / "latest"
        tmp = self.job_dir / f".latest-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(self.run_dir.name)
        os.replace(tmp, link)

    def _write(self, relative: str, text: str, atomic: bool = True) -> None:
        # Names come through safe_name(); this is the belt to its braces, without syscalls.
        if relative.startswith("/") or ".." in relative.split("/"):
            raise ValueError(f"refusing to write outside the run folder: {relative!r}")
        # report.json is written whole then renamed, so a reader never sees half of it.
        # Host files are new files written in one call: a rename per host buys nothing.
        write_private(self.run_dir / relative, text, atomic=atomic)

    def _log(self, result: HostResult) -> str:
        lines = [
            f"# netjob {__version__} run {self.run_dir.name}: job '{self.job.name}' "
            f"({self.job.path}), host {result.host}",
            f"# status: {result.status.value}"
            + (f"  failure: {result.failure.value}" if result.failure else "")
            + f"  started: {_stamp(result.started)}  duration: {result.duration:.3f}s",
        ]
        if result.error:
            lines.append(f"# error: {result.error}")
        check = bool(self.meta.get("check"))
        for step in result.steps:
            lines.extend(step_log({**step_dict(step), "outputs": step.outputs}, check))
        return "\n".join(lines) + "\n"


def step_log(step: Mapping[str, Any], check: bool = False) -> list[str]:
    """A step as the host log and `netjob show` print it, from its JSON form with its
    outputs' texts: `>>>` marks only what was sent; what --check (or a skip) kept back is
    listed as not sent, after the note and the diff that say why."""
    status = step["status"]
    head = f"\n== task '{step['task']}' [{step['kind']}] {status}"
    if status != Status.SKIPPED.value:
        head += f"  started: {_stamp(step['started'] or 0.0)}  duration: {step['duration_s']:.3f}s"
    lines = [head]
    if step.get("error"):
        lines.append(f"!! {step['failure']}: {step['error']}")
    commands, outputs = step["commands"], step.get("outputs") or []
    if step["kind"] == TaskKind.SHOW.value:
        for i, command in enumerate(commands):
            lines.append(f">>> {command}")
            if i < len(outputs):
                lines.append(outputs[i].rstrip("\n"))
    elif _sent(step, check):
        lines.extend(f">>> {command}" for command in commands)
        lines.extend(output.rstrip("\n") for output in outputs)
    if step.get("note"):
        lines.append(f"-- {step['note']}")
    if step.get("diff"):
        lines.append("-- config lines (+ sent, or to send with --check):")
        lines.append(step["diff"].rstrip("\n"))
    elif step["kind"] != TaskKind.SHOW.value and not _sent(step, check):
        lines.extend(f"-- not sent: {command}" for command in commands)
    for item in step.get("checks") or ():
        evidence = f": {item['evidence']}" if item["evidence"] else ""
        lines.append(f"?? check '{item['name']}': {item['status']}{evidence}")
    return lines


def _sent(step: Mapping[str, Any], check: bool) -> bool:
    """Whether a step's lines reached the device: not under --check, not when skipped, not
    when the device already had them (a config step `unchanged`)."""
    if check or step["status"] == Status.SKIPPED.value:
        return False
    return not (step["status"] == Status.OK.value and step.get("note") == "unchanged")


def load_host(run_dir: Path, host: str) -> dict[str, Any]:
    """A host's JSON from a run folder, with each step's outputs read back from the store."""
    data: dict[str, Any] = json.loads((run_dir / "hosts" / f"{safe_name(host)}.json").read_text())
    store = OutputStore(run_dir.parent / "outputs")
    for step in data["steps"]:
        step["outputs"] = [store.get(digest) for digest in step.get("outputs", [])]
    return data


def host_result(data: dict[str, Any]) -> HostResult:
    """A host file (or report.json's entry for a host) read back as the HostResult it was
    written from, without its outputs: the reader to host_dict's writer."""
    steps = tuple(
        StepResult(
            task=step["task"],
            kind=TaskKind(step["kind"]),
            commands=tuple(step["commands"]),
            status=Status(step["status"]),
            failure=_failure(step.get("failure")),
            error=step.get("error"),
            started=step.get("started") or 0.0,
            duration=step.get("duration_s") or 0.0,
            checks=tuple(
                CheckResult(c["name"], CheckStatus(c["status"]), c["evidence"])
                for c in step.get("checks", ())
            ),
            diff=step.get("diff"),
            note=step.get("note"),
        )
        for step in data["steps"]
    )
    return HostResult(
        host=data["host"],
        status=Status(data["status"]),
        steps=steps,
        failure=_failure(data.get("failure")),
        error=data.get("error"),
        started=data.get("started") or 0.0,
        duration=data.get("duration_s") or 0.0,
    )


def _failure(value: str | None) -> FailureClass | None:
    """A failure class read back from JSON (a ValueError if it names none)."""
    return FailureClass(value) if value else None


def _value(failure: FailureClass | None) -> str | None:
    """A failure class as JSON has it: its value."""
    return failure.value if failure is not None else None


def step_dict(step: StepResult, outputs: list[str] | None = None) -> dict[str, Any]:
    """A step for JSON; `outputs` are the store's digests of its outputs (host files only)."""
    data: dict[str, Any] = {
        "task": step.task,
        "kind": step.kind.value,
        "status": step.status.value,
        "commands": list(step.commands),
        "failure": _value(step.failure),
        "error": step.error,
        "started": step.started or None,
        "duration_s": round(step.duration, 4),
        "note": step.note,
    }
    if step.checks:
        data["checks"] = [
            {"name": c.name, "status": c.status.value, "evidence": c.evidence} for c in step.checks
        ]
    if step.diff is not None:
        data["diff"] = step.diff
    if outputs is not None:
        data["outputs"] = outputs
        if step.parsed is not None:
            data["parsed"] = [dict(row) for row in step.parsed]
    return data


def host_dict(result: HostResult, digests: list[list[str]] | None = None) -> dict[str, Any]:
    name = safe_name(result.host)
    steps = [step_dict(s, digests[i] if digests else None) for i, s in enumerate(result.steps)]
    return {
        "host": result.host,
        "status": result.status.value,
        "failure": _value(result.failure),
        "error": result.error,
        "started": result.started or None,
        "duration_s": round(result.duration, 4),
        "log": f"hosts/{name}.log",
        "data": f"hosts/{name}.json",
        "steps": steps,
        # Only a cluster run names its pollers: a local run's report stays as it was.
        **({"poller": result.poller} if result.poller else {}),
    }


def summarize(report: Report) -> dict[str, Any]:
    counts = {s.value: 0 for s in Status}
    failures: dict[str, int] = {}
    for result in report.hosts.values():
        counts[result.status.value] += 1
        if result.failure and result.failed:  # a skipped host's reason is not a failure
            failures[result.failure.value] = failures.get(result.failure.value, 0) + 1
    return {"hosts": len(report.hosts), **counts, "failures": failures}


def report_dict(report: Report, job: Job, meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "netjob-report/1",
        "netjob_version": __version__,
        "job": {"name": job.name, "file": str(job.path)},
        "run_id": report.run_dir.name,
        "started": report.started,
        "duration_s": round(report.duration, 3),
        "interrupted": report.interrupted,
        "stopped": report.stopped,
        **meta,
        "summary": summarize(report),
        "compliance": compliance(report.hosts.values()),
        "hosts": {name: host_dict(r) for name, r in sorted(report.hosts.items())},
    }
