"""Issue 14 item 6, its last parts: `get` writes under the run folder (threads, worker
processes, and on a cluster's poller, where it writes on the poller), and put:/get: report
their bytes as they move (throttled) to on_progress and the live display."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import flash_of, start_lab
from rich.console import Console

from netjob_lab.inventory import inventory_yaml
from runner import core
from runner.base.models import HostResult, RunProgress, Status
from runner.device import capabilities, transfer
from runner.device.connection import NetmikoConnection
from runner.load.credentials import resolve_credentials
from runner.render.expansion import expand
from runner.report.console import LiveView, View
from runner.report.run_folder import load_host
from runner.run import processes, scheduler
from runner.run.executor import Policy

pytestmark = pytest.mark.lab

BIG = 4_000_000  # bytes: a few hundred of netmiko's 16 KB callbacks


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    monkeypatch.setenv("HOME", str(tmp_path))  # the lab's host keys: a known_hosts of its own
    monkeypatch.chdir(tmp_path)


def _selection(tmp_path: Path, lab: Any, body: str) -> core.Selection:
    job = tmp_path / "stage.yaml"
    job.write_text(f"name: stage\nhosts: all\ntasks:\n{body}")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
    return core.select(job, inventory)


@pytest.mark.sessions
def test_a_put_reports_increasing_byte_counts_to_on_progress(tmp_path: Path) -> None:
    image = tmp_path / "big.bin"
    image.write_bytes(os.urandom(BIG))
    body = "  - name: stage image\n    put: {src: big.bin, dest: 'flash:big.bin'}\n"
    news: list[RunProgress] = []
    with start_lab(devices=2) as lab:
        selection = _selection(tmp_path, lab, body)
        options = core.RunOptions(reports_dir=tmp_path / "reports", html=False)
        report = core.run(selection, options, on_progress=news.append)
    assert all(r.status is Status.CHANGED for r in report.hosts.values()), report.hosts
    for host in ("r001", "r002"):
        moved = [(p.done, p.total) for p in news if p.host == host and p.done is not None]
        done = [d for d, _ in moved]
        assert len(moved) >= 2 and {t for _, t in moved} == {BIG}, moved
        assert done == sorted(done) and len(set(done)) == len(done)  # increasing
        assert done[-1] == BIG  # the last report always goes
        # Throttled: far fewer reports than netmiko's callbacks (one per 16 KB).
        assert len(moved) < BIG // 16384 // 4
        assert {p.task for p in news if p.host == host and p.done is not None} == {"stage image"}


def test_the_throttle_lets_the_first_and_last_through_and_drops_the_rest() -> None:
    heard: list[tuple[int, int]] = []
    report = transfer._progress4(lambda done, total: heard.append((done, total)))
    assert report is not None
    for sent in range(0, 1_000_001, 1000):  # a thousand callbacks in far less than a second
        report("img.bin", 1_000_000, sent)
    assert heard[0] == (0, 1_000_000) and heard[-1] == (1_000_000, 1_000_000)
    assert len(heard) <= 10, heard

    def broken(done: int, total: int) -> None:
        raise RuntimeError("a display's bug")

    hook = transfer._progress4(broken)
    assert hook is not None
    hook("img.bin", 10, 10)  # never breaks the copy


def test_the_live_display_shows_a_transfers_bytes_without_v(tmp_path: Path) -> None:
    console = Console(record=True, width=100, force_terminal=False, file=io.StringIO())
    live = LiveView(View(console), total=2)
    live.progress(RunProgress("r003", "stage image"))
    live.progress(RunProgress("r003", "stage image", 12_000_000, 20_000_000))
    live.progress(RunProgress("r004", "version"))
    console.print(live._render())
    text = " ".join(console.export_text().split())
    assert "r003 stage image 12.0/20.0 MB" in text, text
    assert "r004" not in text  # without -v only hosts moving bytes get a line
    live.progress(RunProgress("r003", "verify"))  # the next task: the bytes line goes
    console.print(live._render())
    assert "verify" not in console.export_text()


def test_policy_carries_the_run_folder_into_other_processes(tmp_path: Path) -> None:
    policy = pickle.loads(pickle.dumps(Policy(host_timeout=7, dry_run=True, run_dir=tmp_path)))
    assert (policy.run_dir, policy.host_timeout, policy.dry_run) == (tmp_path, 7, True)
    assert Policy().run_dir is None


@pytest.mark.sessions
def test_get_in_worker_processes_writes_under_the_run_folder(tmp_path: Path) -> None:
    crash = os.urandom(300_000)
    md5 = hashlib.md5(crash).hexdigest()
    body = "  - name: fetch\n    get: flash:crashinfo.txt\n"
    results: list[HostResult] = []
    news: list[RunProgress] = []
    run_dir = tmp_path / "run"
    with start_lab(devices=4) as lab:
        for name in ("r001", "r002", "r003", "r004"):
            flash_of(lab, name).add("crashinfo.txt", crash)
        selection = _selection(tmp_path, lab, body)
        credentials = resolve_credentials(selection.hosts, None, None)
        items = expand(selection.job, selection.hosts, {}, credentials, capable=capabilities)
        policy = Policy(run_dir=run_dir)
        stopped = processes.run_sharded(
            items,
            2,
            4,
            NetmikoConnection.open,
            policy,
            results.append,
            5,
            scheduler.Interrupt(),
            news.append,
        )
    assert not stopped
    assert len(results) == 4 and all(r.status is Status.CHANGED for r in results), results
    for result in results:
        note = result.steps[0].note
        assert note == (
            f"got and verified: files/{result.host}/crashinfo.txt: {len(crash):,} bytes, md5 {md5}"
        )
        assert (run_dir / "files" / result.host / "crashinfo.txt").read_bytes() == crash
    assert {p.host for p in news if p.done == len(crash)} == {"r001", "r002", "r003", "r004"}


@pytest.mark.sessions
def test_get_on_a_cluster_writes_on_the_poller_under_its_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from cluster_fixture import lab_env, tls_cluster, write_inventory

    from netjob_lab import Lab, LabConfig
    from runner.run.cluster import ClusterOptions

    poller_home = tmp_path / "poller"
    poller_home.mkdir()
    crash = b"crashinfo\n" * 5000
    md5 = hashlib.md5(crash).hexdigest()
    env = lab_env()
    lab = Lab(
        LabConfig(
            devices=1, port=0, password=env["NETJOB_LAB_PASSWORD"], secret=env["NETJOB_LAB_SECRET"]
        )
    )
    monkeypatch.chdir(poller_home)  # the pollers' processes start here: their working folder
    with lab, tls_cluster({"p1": ""}, runs_apart=False) as cluster:
        monkeypatch.chdir(tmp_path)
        flash_of(lab, "r001").add("crashinfo.txt", crash)
        job = tmp_path / "stage.yaml"
        job.write_text(
            "name: stage\nhosts: all\ntasks:\n  - name: fetch\n    get: flash:crashinfo.txt\n"
        )
        inventory = write_inventory(tmp_path / "inventory.yaml", [(lab, None)])
        options = core.RunOptions(
            reports_dir=tmp_path / "reports",
            html=False,
            cluster=ClusterOptions(cluster.scheduler_address, security=cluster.security),
        )
        news: list[RunProgress] = []
        report = core.run(
            core.select(job, inventory), options, environ=env, on_progress=news.append
        )
    assert all(r.status is Status.CHANGED for r in report.hosts.values()), report.hosts
    host = load_host(report.run_dir, "r001")
    assert host["poller"] == "p1"
    assert host["steps"][0]["note"] == (
        f"got and verified: files/r001/crashinfo.txt: {len(crash):,} bytes, md5 {md5}"
    )
    on_poller = poller_home / "netjob-runs" / "stage" / report.run_dir.name / "files"
    assert (on_poller / "r001" / "crashinfo.txt").read_bytes() == crash
    assert not (report.run_dir / "files").exists()  # not on this machine
    assert any(p.host == "r001" and p.done == len(crash) for p in news), news
