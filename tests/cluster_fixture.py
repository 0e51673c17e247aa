"""Real Dask clusters on 127.0.0.1 for the cluster tests, and inventories of lab devices.

- `tls_cluster`: an in-process scheduler over TLS (Security.temporary()) and one worker
  process (a Nanny) per site, each with its own `site_<name>` resource, environment
  (the lab's credentials) and source address (tests/cluster_source.py).
- `ProcessCluster`: `dask scheduler` and `dask worker` as separate processes on plain TCP,
  for the tests that kill them (SIGKILL, retire_workers, the scheduler itself).
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from netjob_lab import Lab

HERE = Path(__file__).resolve().parent
PRELOAD = str(HERE / "cluster_source.py")
DASK = str(Path(sys.executable).with_name("dask"))
PASSWORD = "Pw-0f-The-Lab!7"  # distinctive: searched for in everything the cluster keeps
SECRET = "En-4ble-Secret#9"
# Seals the secrets a job renders, here and on every poller (runner.run.sealing).
CLUSTER_KEY = "test-cluster-key-4f9c2a"


def lab_env(source: str | None = None, runs_apart: bool = True) -> dict[str, str]:
    env = {
        "NETJOB_LAB_PASSWORD": PASSWORD,
        "NETJOB_LAB_SECRET": SECRET,
        "NETJOB_CLUSTER_KEY": CLUSTER_KEY,
    }
    # Pollers learn lab host keys in a file of their own, never ~/.netjob/known_hosts.
    # (Each lab makes new keys: the tests give every lab its own loopback address.)
    home = Path(tempfile.mkdtemp(prefix="netjob-poller-"))
    env["NETJOB_KNOWN_HOSTS"] = str(home / "known")
    # ... and keep their run folders there (netjob-runs/ under their working folder by
    # default: the repository's, where 142 lab configs once got committed).
    if runs_apart:
        env["NETJOB_POLLER_DIR"] = str(home)
    if source:
        env["NETJOB_TEST_SOURCE"] = source
    return env


def record_specs(scheduler: Any, name: str) -> list[bytes]:
    """Every task's run_spec the in-process `scheduler` holds, pickled, as it is seen at
    each transition (the list fills as a run goes)."""
    from distributed.diagnostics.plugin import SchedulerPlugin

    specs: list[bytes] = []

    class Specs(SchedulerPlugin):  # the scheduler runs in this process: no pickling
        def transition(self, key: Any, start: str, finish: str, *args: Any, **kw: Any) -> None:
            task = scheduler.tasks.get(key)
            if task is not None and task.run_spec is not None:
                specs.append(pickle.dumps(task.run_spec))

    scheduler.add_plugin(Specs(), name=name)
    return specs


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll `condition` until it is true; fail naming `what` past the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


def write_inventory(path: Path, labs: Sequence[tuple[Lab, str | None]]) -> Path:
    """An inventory of every device of each lab, with that lab's site (None: no site)."""
    hosts: dict[str, Any] = {}
    for lab, site in labs:
        for endpoint in lab.endpoints:
            host: dict[str, Any] = {"address": endpoint.host, "port": endpoint.port}
            if site:
                host["site"] = site
            hosts[endpoint.hostname] = host
    inventory = {
        "defaults": {
            "platform": "cisco_ios",
            "username": "netjob",
            "password_env": "NETJOB_LAB_PASSWORD",
            "secret_env": "NETJOB_LAB_SECRET",
            "connection": {"conn_timeout": 5, "auth_timeout": 5, "read_timeout": 10},
        },
        "hosts": hosts,
    }
    path.write_text(yaml.safe_dump(inventory))
    return path


@contextmanager
def tls_cluster(
    sites: dict[str, str],
    threads: int = 4,
    runs_apart: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[Any]:
    """A TLS SpecCluster: {site: source address} → one worker process per site, named
    after it. Yields the cluster (`.scheduler` is the live Scheduler, `.security`).
    `runs_apart`: the pollers keep their run folders in a temporary folder, not under the
    working folder they start in (the default of a poller, which one test shows).
    `env`: more environment for every poller (over what it inherits from this process)."""
    from distributed import Nanny, Scheduler, SpecCluster
    from distributed.security import Security

    security = Security.temporary()
    common = {"security": security, "host": "127.0.0.1", "protocol": "tls://"}
    workers = {
        site: {
            "cls": Nanny,
            "options": {
                **common,
                "name": site,
                "nthreads": threads,
                "resources": {f"site_{site}": threads},
                "env": {**lab_env(source, runs_apart), **(env or {})},
                "preload": [PRELOAD],
                "memory_limit": 0,
                "dashboard": False,
            },
        }
        for site, source in sites.items()
    }
    scheduler = {
        "cls": Scheduler,
        "options": {**common, "port": 0, "dashboard": False, "dashboard_address": ":0"},
    }
    with SpecCluster(workers=workers, scheduler=scheduler, security=security) as cluster:
        cluster.security = security
        yield cluster


class ProcessCluster:
    """`dask scheduler` and `dask worker`s as processes of their own (plain TCP)."""

    def __init__(self, workers: int = 2, threads: int = 4) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="netjob-dask-"))
        self.file = self.folder / "scheduler.json"
        self.logs = self.folder
        self.scheduler = self._spawn(
            "scheduler",
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(self.file),
            ],
        )
        self.workers = [
            self._spawn(
                f"worker-{n}",
                [
                    DASK,
                    "worker",
                    "--scheduler-file",
                    str(self.file),
                    "--name",
                    f"w{n}",
                    "--nthreads",
                    str(threads),
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--memory-limit",
                    "0",
                    "--death-timeout",
                    "10",
                ],
            )
            for n in range(workers)
        ]
        self.address = ""

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        env = {**os.environ, **lab_env()}
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)

    def start(self, client_factory: Callable[[str], Any]) -> Any:
        wait_for(self.file.exists, "the scheduler file", 60)
        self.address = wait_for(lambda: _address(self.file), "the scheduler's address", 30)
        client = client_factory(self.address)
        client.wait_for_workers(len(self.workers), timeout=60)
        return client

    def logs_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.folder.glob("*.log"))

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _address(path: Path) -> str | None:
    try:
        return str(json.loads(path.read_text())["address"])
    except (ValueError, KeyError, OSError):
        return None
