"""--retry-failed reads the runs the same command wrote: `netjob cmd`'s runs (the job
`adhoc`, no file) go to reports/adhoc, or to reports/adhoc-<hash> when `cmd` from another
folder (or a job file adhoc.yaml) holds reports/adhoc; its retry must read its own. And
--include-unknown, which widens it, is refused alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.base.models import HostResult, Job, Status
from runner.base.redact import Redactor
from runner.report.history import latest_attempts
from runner.report.run_folder import RunWriter

ADHOC = Job(name="adhoc", path=Path("adhoc"))  # as runner.load.adhoc_job makes it


def _cmd_run(reports: Path, status: Status) -> Path:
    writer = RunWriter(reports, ADHOC, Redactor([]))
    writer.begin(["r1"])
    writer.host_done(HostResult(host="r1", status=status, started=1.0, duration=1.0))
    writer.finish()
    return writer.run_dir


def test_cmd_s_retry_reads_the_runs_of_cmd_from_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "b")
    theirs = _cmd_run(reports, Status.OK)  # first: it holds reports/adhoc
    monkeypatch.chdir(tmp_path / "a")
    ours = _cmd_run(reports, Status.FAILED)
    assert theirs.parent == reports / "adhoc" and ours.parent != theirs.parent
    assert latest_attempts(reports, ADHOC.path, {"r1"})[0] == {"r1": "failed"}
    monkeypatch.chdir(tmp_path / "b")
    assert latest_attempts(reports, ADHOC.path, {"r1"})[0] == {"r1": "ok"}


@pytest.mark.parametrize("command", [["cmd", "show clock"], ["run", "job.yaml"]])
def test_include_unknown_without_retry_failed_is_refused(command: list[str]) -> None:
    """It widens --retry-failed; alone it was dropped without a word."""
    from typer.testing import CliRunner

    from runner.cli import app

    result = CliRunner().invoke(app, [*command, "--include-unknown"], env={})
    assert result.exit_code == 2
    assert "--include-unknown widens --retry-failed" in result.output
    assert len(result.output.strip().splitlines()) == 1
