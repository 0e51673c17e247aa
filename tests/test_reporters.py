"""Reporters are plug-ins (runner.report.reporters) and the executor is injected
(runner.run.runners): core.run fans every result out to what it is given and runs batches
on the runner it is handed, without asking what it is."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fakes import FakeFleet

from runner import core
from runner.base.models import HostResult, Report, RunProgress, WorkItem
from runner.run import runners
from runner.run.rollout import Amount


def _selection(tmp_path: Path, hosts: int = 3) -> core.Selection:
    job = tmp_path / "job.yaml"
    job.write_text("tasks:\n  - show: show version\n  - show: show clock\n")
    inventory = tmp_path / "inventory.yaml"
    rows = "\n".join(f"  r{n}: {{address: 192.0.2.{n}}}" for n in range(1, hosts + 1))
    inventory.write_text(
        "defaults: {platform: cisco_ios, username: u, password: p}\nhosts:\n" + rows + "\n"
    )
    return core.select(job, [inventory])


class Collector:
    """A reporter a user might write: no base class, just the three methods."""

    wants_progress = True

    def __init__(self) -> None:
        self.hosts: list[str] = []
        self.news: list[RunProgress] = []
        self.reports: list[Report] = []

    def host_done(self, result: HostResult) -> None:
        self.hosts.append(result.host)

    def progress(self, news: RunProgress) -> None:
        self.news.append(news)

    def run_done(self, report: Report) -> None:
        self.reports.append(report)


def test_every_reporter_hears_every_host_the_news_and_the_end(tmp_path: Path) -> None:
    first, second = Collector(), Collector()
    options = core.RunOptions(reports_dir=tmp_path / "reports", html=False)
    report = core.run(_selection(tmp_path), options, connect=FakeFleet(), reporters=[first, second])
    for collector in (first, second):
        assert sorted(collector.hosts) == ["r1", "r2", "r3"]
        assert collector.reports == [report]
        assert {n.host for n in collector.news} == {"r1", "r2", "r3"}
    assert not (report.run_dir / "report.html").exists()  # html=False: no HtmlPage reporter


def test_report_html_is_a_reporter_of_its_own(tmp_path: Path) -> None:
    options = core.RunOptions(reports_dir=tmp_path / "reports", html=True)
    report = core.run(_selection(tmp_path), options, connect=FakeFleet())
    assert (report.run_dir / "report.html").is_file()


class OneByOne:
    """An injected runner: each host in turn in this thread, noting the batches it got."""

    local = True

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def preflight(self, items: Sequence[WorkItem], serial: object) -> None:
        return None

    def __call__(self, items: Sequence[WorkItem], batch: runners.Batch) -> bool:
        from runner.run.executor import execute

        self.batches.append([item.host.name for item in items])
        for item in items:
            batch.record(execute(item, connect=FakeFleet(), policy=batch.policy))
        return False


def test_batches_run_on_the_runner_injected(tmp_path: Path) -> None:
    runner = OneByOne()
    options = core.RunOptions(
        reports_dir=tmp_path / "reports", html=False, serial=Amount.parse("2", "--serial")
    )
    report = core.run(_selection(tmp_path), options, runner=runner)
    assert runner.batches == [["r1", "r2"], ["r3"]]
    assert {name: r.status.value for name, r in report.hosts.items()} == {
        "r1": "ok",
        "r2": "ok",
        "r3": "ok",
    }


def test_the_options_choose_threads_processes_or_a_cluster() -> None:
    from runner.run.cluster import ClusterOptions

    def connect() -> FakeFleet:
        return FakeFleet()

    threads = runners.choose(workers=4, processes=1, grace=1.0, connect=connect)
    processes = runners.choose(workers=4, processes=2, grace=1.0, connect=connect)
    cluster = runners.choose(
        workers=4, processes=2, grace=1.0, connect=connect, cluster=ClusterOptions("tls://x:1")
    )
    assert (type(threads), type(processes), type(cluster)) == (
        runners.Threads,
        runners.Processes,
        runners.Cluster,
    )
    assert threads.local and processes.local and not cluster.local
