"""1,000 lab devices in one run with netjob's default limits: every host done, and the
open file descriptors follow the workers, not the hosts."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml
from runner import core
from runner.base.models import HostResult

pytestmark = [pytest.mark.lab, pytest.mark.sessions]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_thousand_devices_with_default_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    job = tmp_path / "v.yaml"
    job.write_text("tasks:\n  - show: show ip interface brief\n")
    with start_lab(devices=1000) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        baseline = _open_fds()  # the lab's 1,000 listening sockets live in this process
        peak = [baseline]

        def watch(result: HostResult) -> None:
            peak.append(_open_fds())

        report = core.run(
            core.select(job, inventory),
            core.RunOptions(reports_dir=tmp_path / "r"),
            on_result=watch,
        )
    assert len(report.hosts) == 1000
    assert not report.failed, [(h.host, h.error) for h in report.failed[:3]]
    workers = core.RunOptions().workers
    # Each in-flight host holds a client socket and the lab's end of it; a few more for
    # report files and threads. Never one per host.
    assert max(peak) - baseline < 6 * workers + 50, (baseline, max(peak))


def test_two_worker_processes_over_the_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--processes 2 (it starts a second process only past 200 hosts each): real SSH from
    both, every host reported once by this process, its log and JSON written."""
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    job = tmp_path / "v.yaml"
    job.write_text("name: v\ntasks:\n  - show: show ip interface brief\n")
    seen: list[str] = []
    children: list[int] = []

    def record(result: HostResult) -> None:
        seen.append(result.host)
        children.append(len(multiprocessing.active_children()))

    with start_lab(devices=400) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        report = core.run(
            core.select(job, inventory),
            core.RunOptions(reports_dir=tmp_path / "r", processes=2, workers=40),
            on_result=record,
        )
        names = [endpoint.hostname for endpoint in lab.endpoints]
    assert sorted(seen) == sorted(names)
    assert max(children) == 2  # the hosts really ran in two worker processes
    assert not report.failed, [(h.host, h.error) for h in report.failed[:3]]
    assert report.run_dir is not None
    for name in (names[0], names[-1]):
        assert "GigabitEthernet" in (report.run_dir / "hosts" / f"{name}.log").read_text()
