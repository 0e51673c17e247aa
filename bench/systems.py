"""The systems the benchmark compares, each run the way its users run it.

seed_*: the seed's approach (a netmiko ConnectHandler per device, defaults, enable, one
command, disconnect), sequential or in a bounded thread pool. nornir: Nornir 3 with
nornir_netmiko and its threaded runner. netjob: `runner.run_job`, reports and all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

SHOW = "show ip interface brief"
CONFIG = ["ntp server 192.0.2.201", "logging host 192.0.2.202"]
PASSWORD, SECRET = "lab-password", "lab-enable"  # the lab's documented test credentials


def devices(inventory: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(inventory.read_text())
    return [{"name": n, "host": h["address"], "port": h["port"]} for n, h in data["hosts"].items()]


def _seed_one(device: dict[str, Any], job: str) -> bool:
    from netmiko import ConnectHandler

    conn = ConnectHandler(
        device_type="cisco_ios",
        host=device["host"],
        port=device["port"],
        username="netjob",
        password=PASSWORD,
        secret=SECRET,
    )
    try:
        conn.enable()
        output = conn.send_command(SHOW) if job == "show" else conn.send_config_set(CONFIG)
        return "Invalid input" not in output
    finally:
        conn.disconnect()


def _safe(device: dict[str, Any], job: str) -> bool:
    try:
        return _seed_one(device, job)
    except Exception:
        return False


def seed_sequential(inventory: Path, job: str, workers: int) -> tuple[int, int]:
    results = [_safe(d, job) for d in devices(inventory)]
    return sum(results), len(results) - sum(results)


def seed_threaded(inventory: Path, job: str, workers: int) -> tuple[int, int]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda d: _safe(d, job), devices(inventory)))
    return sum(results), len(results) - sum(results)


def _floor_one(device: dict[str, Any], job: str) -> bool:
    """The least a Python client can do for the job over paramiko, with no netmiko and no
    reports: TCP, SSH handshake (host key accepted unchecked), password, a shell on a PTY,
    `terminal length 0`, enable with its secret, the command (or the config lines), close.
    Each step waits for the prompt, as any client that knows what it sent must."""
    import re
    import socket

    import paramiko

    prompt = re.compile(rb"[\r\n][\w.()-]+[>#]\s*$")
    sock = socket.create_connection((device["host"], device["port"]), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=30)
        transport.auth_password("netjob", PASSWORD)
        channel = transport.open_session()
        channel.get_pty(width=511)
        channel.invoke_shell()

        def said(line: str | None, until: re.Pattern[bytes]) -> bytes:
            if line is not None:
                channel.sendall(line.encode() + b"\n")
            heard = b""
            while not until.search(heard):
                chunk = channel.recv(65536)
                if not chunk:
                    raise EOFError(heard)
                heard += chunk
            return heard

        said(None, prompt)
        said("terminal length 0", prompt)
        said("enable", re.compile(rb"assword:\s*$"))
        said(SECRET, prompt)
        lines = [SHOW] if job == "show" else ["configure terminal", *CONFIG, "end"]
        answers = [said(line, prompt) for line in lines]
        return all(b"Invalid input" not in answer for answer in answers)
    finally:
        transport.close()


def paramiko_floor(inventory: Path, job: str, workers: int) -> tuple[int, int]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda d: _floor_safe(d, job), devices(inventory)))
    return sum(results), len(results) - sum(results)


def _floor_safe(device: dict[str, Any], job: str) -> bool:
    try:
        return _floor_one(device, job)
    except Exception:
        return False


def nornir(inventory: Path, job: str, workers: int) -> tuple[int, int]:
    from nornir import InitNornir
    from nornir_netmiko.tasks import netmiko_send_command, netmiko_send_config

    folder = Path(tempfile.mkdtemp(prefix="bench-nornir-"))
    hosts = {d["name"]: {"hostname": d["host"], "port": d["port"]} for d in devices(inventory)}
    (folder / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    (folder / "defaults.yaml").write_text(
        yaml.safe_dump(
            {
                "username": "netjob",
                "password": PASSWORD,
                "platform": "cisco_ios",
                "connection_options": {"netmiko": {"extras": {"secret": SECRET}}},
            }
        )
    )
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(folder / "hosts.yaml"),
                "defaults_file": str(folder / "defaults.yaml"),
            },
        },
        logging={"enabled": False},
    )
    if job == "show":
        result = nr.run(task=netmiko_send_command, command_string=SHOW, enable=True)
    else:
        result = nr.run(task=netmiko_send_config, config_commands=CONFIG, enable=True)
    nr.close_connections()
    failed = len(result.failed_hosts)
    return len(result) - failed, failed


def netjob(
    inventory: Path,
    job: str,
    workers: int,
    processes: int = 1,
    cluster: Any = None,
    transport: str | None = None,
) -> tuple[int, int]:
    """`netjob run` in this process. `transport`: NETJOB_TRANSPORT for the run (None:
    netjob's own choice, libssh2 with the `fast` extra installed)."""
    import os

    if transport is not None:
        os.environ["NETJOB_TRANSPORT"] = transport  # a fresh process per measurement

    from runner import core
    from runner.run.executor import Policy

    os.environ.setdefault("NETJOB_LAB_PASSWORD", PASSWORD)
    os.environ.setdefault("NETJOB_LAB_SECRET", SECRET)
    folder = Path(tempfile.mkdtemp(prefix="bench-netjob-"))
    job_file = folder / f"{job}.yaml"
    task = {"show": SHOW} if job == "show" else {"config": CONFIG}
    job_file.write_text(yaml.safe_dump({"name": job, "tasks": [task]}))
    # Like for like: as many logins in flight as workers. netjob's default (20 logins at
    # a time, to spare TACACS/RADIUS) would make a slow-login lab wait on purpose.
    options = core.RunOptions(
        workers=workers,
        reports_dir=folder / "reports",
        processes=processes,
        policy=Policy(max_logins=workers),
        cluster=cluster,
    )
    report = core.run(core.select(job_file, inventory), options)
    failed = len(report.failed)
    return len(report.hosts) - failed, failed


def warm_up(system: str) -> None:
    import netmiko  # noqa: F401

    if system == "nornir":
        import nornir  # noqa: F401
        import nornir_netmiko.tasks  # noqa: F401
    if system.startswith("netjob"):
        import importlib

        # What `netjob run` imports inside run() (startup stays light for --help): as
        # netmiko for the others, imported before the clock starts.
        for module in _NETJOB_RUN_MODULES:
            importlib.import_module(module)
    if system == "netjob_cluster":
        _local_cluster()


_NETJOB_RUN_MODULES = (
    "runner.core",
    "runner.run.executor",
    "runner.device.connection",
    "runner.run.scheduler",
    "runner.run.processes",
    "runner.run.cluster",
    "runner.base.redact",
    "runner.report.run_folder",
    "runner.report.disk",
    "runner.report.html",
    "runner.report.history",
    "runner.device.sshkeys",
    "runner.device.ssh2_client",  # netjob's default SSH library with the `fast` extra
)
_CLUSTER: list[Any] = []


def shutdown() -> None:
    """Close what warm_up started (the local cluster's worker processes), once the clock
    has stopped: they are the measuring process's children, which it reaps."""
    while _CLUSTER:
        cluster, _ = _CLUSTER.pop()
        cluster.close(timeout=30)


def _local_cluster() -> Any:
    """2 worker processes on 127.0.0.1, started (and netmiko imported in each) before the
    clock starts, as pollers would be running already."""
    import os

    from distributed import Client, LocalCluster

    from runner.run.cluster import ClusterOptions

    if not _CLUSTER:
        os.environ.setdefault("NETJOB_LAB_PASSWORD", PASSWORD)
        os.environ.setdefault("NETJOB_LAB_SECRET", SECRET)
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=WORKERS_PER_POLLER,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            memory_limit=0,
        )
        with Client(cluster) as client:
            client.run(lambda: __import__("runner.run.poller"))
        _CLUSTER.append((cluster, ClusterOptions(cluster.scheduler_address, insecure=True)))
    return _CLUSTER[0][1]


WORKERS_PER_POLLER = 25  # 2 pollers: the default --workers 50 of the other systems


SYSTEMS: dict[str, Callable[[Path, str, int], tuple[int, int]]] = {
    "seed_sequential": seed_sequential,
    "seed_threaded": seed_threaded,
    "paramiko_floor": paramiko_floor,
    "nornir": nornir,
    "netjob": netjob,
    "netjob_2proc": lambda inventory, job, workers: netjob(inventory, job, workers, 2),
    # The same two on paramiko (NETJOB_TRANSPORT=paramiko): netjob without the `fast` extra.
    "netjob_paramiko": lambda inventory, job, workers: netjob(
        inventory, job, workers, transport="paramiko"
    ),
    "netjob_2proc_paramiko": lambda inventory, job, workers: netjob(
        inventory, job, workers, 2, transport="paramiko"
    ),
    # --workers is per site on a cluster: every host here has no site, so it is the total.
    "netjob_cluster": lambda inventory, job, workers: netjob(
        inventory, job, workers, cluster=_local_cluster()
    ),
}
