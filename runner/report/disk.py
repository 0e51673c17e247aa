"""The reports folder as a disk that may refuse: checked before any device is contacted,
and watched while a run writes, so a read-only or full disk ends the run in one line
(exit 4, runner.base.errors.ReportWriteError), never in a traceback with files half written.

    guard = ReportGuard(Path("reports"))     # made 0700 if missing, a test file written
    writer = guard.open(lambda: RunWriter(...))   # and `latest` is a link or absent
    guard.host_done(writer, result, stop)    # a write error: the host's files removed,
                                             # `stop` set (no new hosts), the run goes on
    report = guard.finish(writer, ...)       # report.json if it can be written
    guard.raise_if_failed()                  # ReportWriteError after what could be written
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from runner.base.errors import Remedy, ReportWriteError, advice
from runner.base.models import HostResult, Report
from runner.base.run_layout import HOSTS, LATEST, MANIFEST, REPORT_JSON, STARTED
from runner.report.document import host_doc
from runner.report.run_folder import RunWriter
from runner.run.executor import UNRECORDED
from runner.run.scheduler import not_run

log = logging.getLogger(__name__)

_PROBE_BYTES = 64 * 1024  # a test file this big: a disk with less room is full already


class ReportGuard:
    def __init__(self, reports_dir: Path) -> None:
        self.reports_dir = reports_dir
        self.error: OSError | None = None
        self.lost: list[str] = []  # hosts whose files could not be written
        self._check_folder()

    def open(self, make: Callable[[], RunWriter]) -> RunWriter:
        """The run's writer (its folders made), and its job's `latest` checked."""
        try:
            writer = make()
        except OSError as exc:
            raise ReportWriteError(_sentence("cannot create the run folder", exc)) from None
        latest = writer.job_dir / LATEST
        if os.path.lexists(latest) and not latest.is_symlink():
            _remove_run(writer)
            raise ReportWriteError(
                f"{latest} is a {'folder' if latest.is_dir() else 'file'}, where netjob keeps "
                "a link to the newest run: move it away, then run again"
            )
        return writer

    def host_done(self, writer: RunWriter, result: HostResult, stop: threading.Event) -> HostResult:
        """The writer's host_done; on a write error, none of the host's files stay (no
        `.log` without its `.json`), its result is kept for report.json, and `stop` is set.
        A host a worker could not journal as started is a write error too."""
        if self.error is None and (result.error or "").startswith(UNRECORDED):
            why = "cannot append to the journal of started hosts"
            self.error = OSError(errno.EIO, why, str(writer.started_log))
            stop.set()
        if self.error is None:
            try:
                return writer.host_done(result)
            except OSError as exc:
                self.error = exc
                stop.set()
                log.error("cannot write the files of host %s: %s", result.host, exc)
                _remove_host_files(writer, result)
        if not result.steps and (result.error or "").startswith("not started"):
            # The workers' "not started: interrupted", when the stop was this guard's.
            result = not_run(result.host, f"not run: {self.reason}")
        self.lost.append(result.host)
        summary = writer._redacted(result)  # as host_done keeps it: redacted, no outputs
        steps = tuple(dataclasses.replace(s, outputs=(), parsed=None) for s in summary.steps)
        summary = dataclasses.replace(summary, steps=steps)
        writer.results[result.host] = summary
        return summary

    @property
    def reason(self) -> str:
        return _sentence("a report file could not be written", self.error)

    def finish(
        self, writer: RunWriter, interrupted: bool = False, stopped: str | None = None
    ) -> Report:
        """The writer's finish (report.json, `latest`); on a write error, no temporary file
        stays and the Report is still returned, for the caller to print."""
        try:
            return writer.finish(interrupted=interrupted, stopped=stopped)
        except OSError as exc:
            self.error = self.error or exc
            _remove_temporary(writer)
            return Report(
                job=writer.job.name,
                run_dir=writer.run_dir,
                started=writer.started,
                duration=0.0,
                hosts=dict(writer.results),
                interrupted=interrupted,
                stopped=stopped,
            )

    def raise_if_failed(self, writer: RunWriter) -> None:
        if self.error is None:
            return
        _remove_temporary(writer)
        written = (writer.run_dir / REPORT_JSON).exists()
        lost = f"; the files of {len(self.lost)} host(s) are missing" if self.lost else ""
        report = f"{REPORT_JSON} was written" if written else f"{REPORT_JSON} could not be written"
        raise ReportWriteError(
            f"{self.reason}{lost}; {report} in {writer.run_dir}; the hosts not started are "
            "listed there as not run: "
            + advice("free space (or fix the folder)", (Remedy.RETRY_FAILED,))
        )

    def _check_folder(self) -> None:
        """Before any device is contacted: the folder exists (made 0700, with each missing
        parent), is a folder, and takes a test file."""
        folder = self.reports_dir
        try:
            _make_private(folder)
            probe = folder / f".netjob-write-test-{os.getpid()}"
            try:
                fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                try:
                    os.write(fd, b"\0" * _PROBE_BYTES)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            finally:
                with contextlib.suppress(OSError):
                    probe.unlink()
        except OSError as exc:
            raise ReportWriteError(
                _sentence(f"the reports folder {folder} cannot be written", exc)
                + "; nothing was contacted: choose another --reports, or fix the folder"
            ) from None


def _make_private(folder: Path) -> None:
    """`folder` and each missing parent, made 0700 (mkdir(parents=True) makes parents with
    the default mode: 0755, readable by everyone)."""
    missing = []
    current = folder
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))


def _sentence(what: str, exc: OSError | None) -> str:
    if exc is None:
        return what
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{what}: {exc.strerror or exc}{where}"


def _remove_host_files(writer: RunWriter, result: HostResult) -> None:
    names = host_doc(result)
    for relative in (names.log, names.data):
        with contextlib.suppress(OSError):
            (writer.run_dir / relative).unlink()
    _remove_temporary(writer)


def _remove_temporary(writer: RunWriter) -> None:
    """This process's temporary files (`.NAME.PID.tmp`) in the run folder and its `latest`
    link's temporary: what a write cut short may leave."""
    pid = str(os.getpid())
    for folder in (writer.run_dir, writer.run_dir / HOSTS, writer.job_dir):
        with contextlib.suppress(OSError):
            for path in folder.iterdir():
                if path.name.startswith(".") and pid in path.name:
                    with contextlib.suppress(OSError):
                        path.unlink()


def _remove_run(writer: RunWriter) -> None:
    with contextlib.suppress(OSError):
        (writer.run_dir / MANIFEST).unlink(missing_ok=True)  # RunWriter.begin's
        (writer.run_dir / STARTED).unlink(missing_ok=True)
        (writer.run_dir / HOSTS).rmdir()
        writer.run_dir.rmdir()
