"""Runs on real Dask clusters on 127.0.0.1 (tests/cluster_fixture.py) against the lab.

Every lab has a loopback address of its own (each lab makes new host keys, which a
poller's known-hosts file must not see change). Sites are shown with per-site labs: site
ams's devices listen on 127.0.0.2 and accept only clients from 127.0.0.12, fra's on
127.0.0.3 from 127.0.0.13; each site's worker process leaves from its own address
(tests/cluster_source.py). A host run anywhere but on
its site's poller is refused by its device.

At most once: every lab device counts its successful logins and the config lines it
applied. After a worker is killed, retired, or the scheduler is killed mid-push, no device
was logged into twice, and none applied more lines than one push.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import distributed  # noqa: F401  (the netjob[dask] extra: .ci/run installs it)
import pytest
from cluster_fixture import (
    PASSWORD,
    SECRET,
    ProcessCluster,
    lab_env,
    record_specs,
    tls_cluster,
    wait_for,
    write_inventory,
)
from lab_fixture import load_report, run_cli

from netjob_lab import Lab, LabConfig
from netjob_lab.faults import parse_faults
from runner import core
from runner.base.errors import ClusterError
from runner.base.models import Report, Status
from runner.run.cluster import ClusterOptions
from runner.run.cluster import connect as cluster_connect

pytestmark = [pytest.mark.lab, pytest.mark.timeout(180)]

SHOW_AND_PUSH = """name: ntp
tasks:
  - name: ntp
    config: ["ntp server 192.0.2.10", "ntp server 192.0.2.11"]
  - name: verify
    show: ["show running-config | include ntp", "show ip interface brief"]
"""
PUSH_LINES = 6
LONG_PUSH = "name: long\ntasks:\n  - name: ntp\n    config:\n" + "".join(
    f'      - "ntp server 192.0.2.{n}"\n' for n in range(1, PUSH_LINES + 1)
)


def _lab(**settings: Any) -> Lab:
    return Lab(LabConfig(port=0, password=PASSWORD, secret=SECRET, **settings))


def _job(folder: Path, text: str) -> Path:
    path = folder / "job.yaml"
    path.write_text(text)
    return path


def _run(
    job: Path, inventory: Path, reports: Path, cluster: ClusterOptions | None, workers: int = 8
) -> Report:
    selection = core.select(job, inventory)
    options = core.RunOptions(workers=workers, reports_dir=reports, cluster=cluster, html=False)
    return core.run(selection, options, environ=lab_env())


# --- a TLS cluster with two sites ------------------------------------------------------------


@dataclass
class Sites:
    cluster: Any
    ams: Lab
    fra: Lab
    options: ClusterOptions


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    ams = _lab(devices=3, host="127.0.0.2", clients=("127.0.0.12",))
    fra = _lab(devices=3, host="127.0.0.3", clients=("127.0.0.13",), first=4)
    with ams, fra, tls_cluster({"ams": "127.0.0.12", "fra": "127.0.0.13"}) as cluster:
        options = ClusterOptions(cluster.scheduler_address, security=cluster.security)
        yield Sites(cluster, ams, fra, options)


@pytest.mark.sessions
def test_a_cluster_run_reports_what_a_threads_run_reports(sites: Sites, tmp_path: Path) -> None:
    job = _job(tmp_path, SHOW_AND_PUSH)
    reports: dict[str, Any] = {}
    for how, cluster, address in (("threads", None, "4"), ("cluster", sites.options, "5")):
        with _lab(devices=3, host=f"127.0.0.{address}") as lab:  # the same fresh devices
            inventory = write_inventory(tmp_path / f"{how}.yaml", [(lab, None)])
            _run(job, inventory, tmp_path / how, cluster)
        reports[how] = load_report(tmp_path / how, "job")
    threads, cluster = reports["threads"], reports["cluster"]
    assert cluster["summary"] == threads["summary"] == {**threads["summary"], "changed": 3}
    for name, host in threads["hosts"].items():
        theirs = cluster["hosts"][name]
        assert theirs["poller"] in ("ams", "fra") and "poller" not in host
        assert [(s["status"], s["commands"]) for s in theirs["steps"]] == [
            (s["status"], s["commands"]) for s in host["steps"]
        ]
        outputs = [_outputs(tmp_path / how, name) for how in ("threads", "cluster")]
        assert outputs[0] == outputs[1] and "ntp server 192.0.2.11" in outputs[0][-1][0]


def _outputs(reports: Path, host: str) -> list[list[str]]:
    from runner.report.run_folder import load_host

    data = load_host(reports / "job" / "latest", host)
    return [step["outputs"] for step in data["steps"] if step["kind"] == "show"]


@pytest.mark.sessions
def test_every_host_runs_on_a_poller_of_its_own_site(sites: Sites, tmp_path: Path) -> None:
    job = _job(tmp_path, SHOW_AND_PUSH)
    inventory = write_inventory(tmp_path / "sites.yaml", [(sites.ams, "ams"), (sites.fra, "fra")])
    report = _run(job, inventory, tmp_path / "reports", sites.options)
    assert {n: (r.status, r.poller) for n, r in report.hosts.items()} == {
        **{f"r00{n}": (Status.CHANGED, "ams") for n in (1, 2, 3)},
        **{f"r00{n}": (Status.CHANGED, "fra") for n in (4, 5, 6)},
    }
    # The devices refuse anyone else: from this machine, every host fails.
    local = _run(job, inventory, tmp_path / "local", None)
    assert all(r.failed for r in local.hosts.values())
    data = load_report(tmp_path / "reports", "job")
    assert {h["poller"] for h in data["hosts"].values()} == {"ams", "fra"}


@pytest.mark.sessions
def test_a_site_without_a_poller_fails_no_poller_in_bounded_time(
    sites: Sites, tmp_path: Path
) -> None:
    job = _job(tmp_path, SHOW_AND_PUSH)
    inventory = write_inventory(tmp_path / "nyc.yaml", [(sites.ams, "nyc"), (sites.fra, "fra")])
    options = ClusterOptions(
        sites.options.address, security=sites.cluster.security, no_poller_wait=1.0
    )
    report = _run(job, inventory, tmp_path / "reports", options)
    nyc = [report.hosts[f"r00{n}"] for n in (1, 2, 3)]
    assert {(r.status, r.failure) for r in nyc} == {(Status.FAILED, "no_poller")}
    assert "site_nyc" in (nyc[0].error or "")
    assert {report.hosts[f"r00{n}"].poller for n in (4, 5, 6)} == {"fra"}


@pytest.mark.sessions
def test_no_password_in_anything_the_cluster_keeps(sites: Sites, tmp_path: Path) -> None:
    from distributed import Client

    scheduler = sites.cluster.scheduler
    specs = record_specs(scheduler, "netjob-specs")
    faults = parse_faults(["r002=auth_fail", "r003=reject:ntp server"])
    with _lab(devices=3, faults=faults, host="127.0.0.6") as lab:
        inventory = write_inventory(tmp_path / "failing.yaml", [(lab, None)])
        report = _run(_job(tmp_path, SHOW_AND_PUSH), inventory, tmp_path / "reports", sites.options)
    assert [report.hosts[n].failure for n in ("r001", "r002", "r003")] == [
        None,
        "auth_failed",
        "command_rejected",
    ]
    assert specs and any(b"r002" in spec for spec in specs)
    with Client(sites.options.address, security=sites.cluster.security) as client:
        kept = [
            *specs,
            pickle.dumps(client.get_scheduler_logs()),
            pickle.dumps(client.get_worker_logs()),
            pickle.dumps(client.get_worker_logs(nanny=True)),
            pickle.dumps(client.get_events()),
            pickle.dumps(client.run(lambda dask_worker: repr(dict(dask_worker.data)))),
            pickle.dumps([(t.key, t.exception_text) for t in scheduler.tasks.values()]),
        ]
    for blob in kept:
        assert PASSWORD.encode() not in blob and SECRET.encode() not in blob


def test_plain_tcp_is_refused_without_insecure(tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match="--insecure"):
        cluster_connect(ClusterOptions("tcp://127.0.0.1:8786"))
    with pytest.raises(ClusterError, match="--insecure"):
        cluster_connect(ClusterOptions("127.0.0.1:8786"))
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("hosts:\n  r001: {password_env: NETJOB_LAB_PASSWORD}\n")
    job = _job(tmp_path, SHOW_AND_PUSH)
    code = run_cli(job, inventory, tmp_path / "reports", "--cluster", "tcp://127.0.0.1:1")
    assert code == 2
    assert not (tmp_path / "reports" / "job" / "latest").exists()  # refused before a run


# --- dask scheduler and workers as processes: killed mid-push ------------------------------


@dataclass
class Pollers:
    processes: ProcessCluster
    client: Any
    options: ClusterOptions


@pytest.fixture(scope="module")
def pollers() -> Iterator[Pollers]:
    from distributed import Client

    processes = ProcessCluster(workers=2, threads=4)
    try:
        client = processes.start(lambda address: Client(address, timeout=30))
        yield Pollers(processes, client, ClusterOptions(processes.address, insecure=True))
        client.close()
    finally:
        processes.stop()


class _Push:
    """LONG_PUSH on 16 slow lab devices, run in a thread through the cluster."""

    def __init__(self, tmp_path: Path, options: ClusterOptions, address: str) -> None:
        self.lab = _lab(devices=16, latency_ms=80, host=address)
        self.lab.start()
        inventory = write_inventory(tmp_path / "push.yaml", [(self.lab, None)])
        job = _job(tmp_path, LONG_PUSH)
        self.report: Report | None = None
        self.thread = threading.Thread(
            target=self._run, args=(job, inventory, tmp_path / "reports", options)
        )
        self.thread.start()

    def _run(self, *args: Any) -> None:
        self.report = _run(*args)

    def mid_push(self) -> bool:
        """A device part of the way through its lines."""
        devices = [self.lab.device(e.hostname) for e in self.lab.endpoints]
        return any(0 < d.applied_lines < PUSH_LINES for d in devices)

    def finish(self) -> Report:
        self.thread.join(120)
        assert not self.thread.is_alive(), "the run did not end"
        self.lab.stop()
        assert self.report is not None
        return self.report

    def check(self, report: Report, lost: set[str], some_lost: bool = True) -> None:
        """At most once per device; every host once; lost hosts `unknown` or done.
        some_lost: the fault must have cost at least one host (a kill mid-push does)."""
        names = [e.hostname for e in self.lab.endpoints]
        assert sorted(report.hosts) == sorted(names)
        full = PUSH_LINES + 1  # the lines, and the `end` that leaves config mode
        for name in names:
            device, result = self.lab.device(name), report.hosts[name]
            assert device.logins <= 1, f"{name} was logged into {device.logins} times"
            assert device.applied_lines <= full
            if result.status is Status.CHANGED:
                assert device.applied_lines == full
            else:
                assert result.failure in lost, (name, result.failure, result.error)
        if some_lost:
            assert any(r.failure == "unknown" for r in report.hosts.values())


def _busiest(client: Any) -> str:
    processing: dict[str, Any] = client.processing()  # {worker address: its tasks}
    return max(processing, key=lambda address: len(processing[address]))


@pytest.mark.sessions
def test_a_worker_killed_mid_push_pushes_nothing_twice(pollers: Pollers, tmp_path: Path) -> None:
    push = _Push(tmp_path, pollers.options, "127.0.0.7")
    wait_for(push.mid_push, "a device mid-push")
    victim = _busiest(pollers.client)
    pid = pollers.client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    report = push.finish()
    push.check(report, {"unknown"})
    # Hosts never claimed ran elsewhere: every host the killed worker had not claimed is
    # done, and no result came from it after it died.
    assert all(r.poller for r in report.hosts.values() if r.status is Status.CHANGED)


@pytest.mark.sessions
def test_a_worker_retired_mid_push_pushes_nothing_twice(pollers: Pollers, tmp_path: Path) -> None:
    pollers.client.wait_for_workers(2, timeout=60)  # the killed one is back (its nanny)
    push = _Push(tmp_path, pollers.options, "127.0.0.8")
    wait_for(push.mid_push, "a device mid-push")
    pollers.client.retire_workers([_busiest(pollers.client)])
    report = push.finish()
    # A retirement is graceful: the worker's hosts in flight may finish before it leaves
    # (on a loaded machine they often do) or come back `unknown`; never pushed twice.
    push.check(report, {"unknown"}, some_lost=False)


@pytest.mark.sessions
def test_the_scheduler_killed_mid_push_pushes_nothing_twice(
    pollers: Pollers, tmp_path: Path
) -> None:
    push = _Push(tmp_path, pollers.options, "127.0.0.9")
    wait_for(push.mid_push, "a device mid-push")
    pollers.processes.scheduler.send_signal(signal.SIGKILL)
    report = push.finish()
    push.check(report, {"unknown", "interrupted"})
    assert "lost" in next(r.error or "" for r in report.hosts.values() if r.failed)
