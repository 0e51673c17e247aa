"""A flat main process (issue 25, item 4): the end-of-run reports are written a host's record
at a time, never holding every host's at once, and the rendered plan keeps equal steps and
credentials once. Counts, not times or bytes: how many host records live at once, how many
distinct step objects the plan holds."""

from __future__ import annotations

import dataclasses
import weakref
from pathlib import Path

import pytest

from runner.base.errors import FailureClass
from runner.base.models import (
    CheckResult,
    CheckStatus,
    Credentials,
    Host,
    HostResult,
    Job,
    Status,
    StepResult,
    Task,
    TaskKind,
)
from runner.base.redact import Redactor
from runner.device import capabilities
from runner.render.expansion import expand
from runner.report.document import HostDoc, read_report, report_text
from runner.report.html import write_html
from runner.report.markdown import markdown
from runner.report.run_folder import RunWriter, report_doc

HOSTS = 60  # past any constant a writer might hold; far below SECTIONS_FOR_ALL


class LiveHostDocs:
    """Counts HostDoc records alive at once: each one made is counted until it is freed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.live = 0
        self.most = 0
        made = HostDoc.__post_init__

        def counted(doc: HostDoc) -> None:
            made(doc)
            self.live += 1
            self.most = max(self.most, self.live)
            weakref.finalize(doc, self._freed)

        monkeypatch.setattr(HostDoc, "__post_init__", counted)

    def _freed(self) -> None:
        self.live -= 1

    def reset(self) -> None:
        self.most = self.live


def _result(i: int) -> HostResult:
    name = f"r{i}"
    check = CheckResult("ntp", CheckStatus.FAIL if i % 5 == 3 else CheckStatus.PASS, f"line {i}")
    show = StepResult(
        task="s",
        kind=TaskKind.SHOW,
        commands=("show run",),
        status=Status.OK,
        outputs=(f"out {i} 'hunter2' <x>\n",),
        started=1.0 + i,
        duration=0.5,
        checks=(check,),
    )
    if i % 4 == 1:
        return HostResult(
            host=name, status=Status.FAILED, failure=FailureClass.AUTH_FAILED, error="no"
        )
    return HostResult(host=name, status=Status.OK, steps=(show,), started=1.0, duration=1.0)


def _writer(tmp_path: Path) -> RunWriter:
    job = Job(name="flat", path=tmp_path / "job.yaml")
    writer = RunWriter(tmp_path / "reports", job, Redactor(["hunter2"]), {"workers": 3})
    names = [f"r{i}" for i in range(HOSTS)]
    writer.begin(names)
    writer.hosts = {name: Host(name=name, address="192.0.2.1") for name in names}
    for i in range(HOSTS):
        writer.host_done(_result(i))
    return writer


def test_the_end_of_run_reports_hold_a_few_host_records_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = _writer(tmp_path)
    docs = LiveHostDocs(monkeypatch)
    report = writer.finish()  # report.json and report.md
    assert docs.most <= 3, f"{docs.most} host records at once writing report.json and .md"
    docs.reset()
    write_html(report.run_dir)
    assert docs.most <= 4, f"{docs.most} host records at once writing report.html"
    assert len(read_report(report.run_dir).hosts) == HOSTS  # every host is in them


def test_the_reports_written_a_host_at_a_time_are_those_of_the_whole_run(tmp_path: Path) -> None:
    """report.json and report.md as the whole document writes them, byte for byte."""
    from runner.report.document import report_pieces
    from runner.report.report_file import ReportFile
    from runner.report.run_folder import host_docs

    writer = _writer(tmp_path)
    report = writer.finish()
    whole = report_doc(report, writer.job, hosts=writer.hosts)
    assert len(whole.hosts) == HOSTS
    listed = report_doc(report, writer.job, hosts=writer.hosts, listed=False)
    pieces = report_pieces(listed, host_docs(report, writer.hosts), writer.redactor.data)
    assert "".join(pieces) == report_text(whole, writer.redactor.data)
    written = read_report(report.run_dir)
    assert (report.run_dir / "report.json").read_text() == report_text(written)
    assert (report.run_dir / "report.md").read_text() == markdown(written)
    with ReportFile(report.run_dir) as found:  # what report.html reads: a host at a time
        assert found.names == tuple(written.hosts)
        assert [found.host(i) for i in range(HOSTS)] == list(written.hosts.values())
        assert found.report == dataclasses.replace(written, hosts={})


def test_a_run_without_hosts_writes_the_same_report(tmp_path: Path) -> None:
    from runner.report.report_file import ReportFile

    job = Job(name="empty", path=tmp_path / "job.yaml")
    writer = RunWriter(tmp_path / "reports", job, Redactor([]), {})
    writer.begin([])
    report = writer.finish()
    assert (report.run_dir / "report.json").read_text() == report_text(read_report(report.run_dir))
    assert ReportFile(report.run_dir).names == ()


def test_a_damaged_report_json_is_refused_when_read_a_host_at_a_time(tmp_path: Path) -> None:
    from runner.report.report_file import ReportFile

    writer = _writer(tmp_path)
    run_dir = writer.finish().run_dir
    text = (run_dir / "report.json").read_text()
    (run_dir / "report.json").write_text(text[: len(text) // 2])
    with pytest.raises(ValueError):
        ReportFile(run_dir)


def test_the_plan_keeps_equal_steps_and_credentials_once() -> None:
    """Hosts that render a task alike share its Step: the plan grows with what differs."""
    job = Job(
        name="plan",
        path=Path("job.yaml"),
        tasks=(
            Task(name="show", kind=TaskKind.SHOW, lines=("show version",)),
            Task(name="ntp", kind=TaskKind.CONFIG, lines=("ntp server {{ ntp }}",)),
        ),
    )
    hosts = [
        Host(name=f"r{i}", address="192.0.2.1", vars={"ntp": f"192.0.2.{i % 2 + 10}"})
        for i in range(HOSTS)
    ]
    credentials = {h.name: Credentials("admin", "pw") for h in hosts}
    items = expand(job, hosts, {}, credentials, capable=capabilities)
    assert len({id(item.steps[0]) for item in items}) == 1  # `show version` everywhere
    assert len({id(item.steps[1]) for item in items}) == 2  # two NTP servers
    assert len({id(item.steps) for item in items}) == 2
    assert len({id(item.credentials) for item in items}) == 1
    assert [item.steps[1].commands for item in items[:2]] == [
        ("ntp server 192.0.2.10",),
        ("ntp server 192.0.2.11",),
    ]


def test_a_report_json_that_is_not_ascii_is_read_a_host_at_a_time_too(tmp_path: Path) -> None:
    """netjob writes report.json in ASCII; another writer's UTF-8 reads back the same."""
    import json

    from runner.report.report_file import ReportFile

    run_dir = _writer(tmp_path).finish().run_dir
    path = run_dir / "report.json"
    data = json.loads(path.read_text())
    data["hosts"]["r0"]["error"] = "café ünïcode"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    with ReportFile(run_dir) as found:
        assert found.host(0).error == "café ünïcode"
        assert [found.host(i) for i in range(HOSTS)] == list(read_report(run_dir).hosts.values())
