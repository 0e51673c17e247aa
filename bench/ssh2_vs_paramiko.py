"""Issue 25, item 3: netjob's device session on libssh2 (the `fast` extra) and on paramiko,
side by side in one run on the same lab.

    .venv/bin/python bench/ssh2_vs_paramiko.py --devices 300 --workers 20 --repeat 3

Each measurement is a fresh process (bench/labproc.py's LabProcess.measured) that opens
netjob's own session (runner.device.connection.NetmikoConnection.open: TCP, the SSH
handshake, the host key checked against the lab's known_hosts, the password, netmiko's
session set-up, enable), sends one show command and closes, for every lab device, on
`--workers` threads; only the SSH client netmiko is given differs (the seam the session's
open hands to netmiko: `_Client`, paramiko's, or runner.device.ssh2_client.Ssh2Client).
No reports, no run folder: the session alone. Client CPU is the measuring process's
user+system time over the sessions (imports done before the clock starts). Round-robin,
`--repeat` times; each figure in the table is the median of its transport's runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

TRANSPORTS = ("paramiko", "ssh2")
SEAM = "_Client"  # runner.device.login's name for netmiko's SSH client class


def measure(transport: str, inventory: str, workers: int) -> dict[str, Any]:
    from machine import info
    from systems import PASSWORD, SECRET, SHOW, devices

    from runner.base.models import ConnectionOptions, Credentials, Host
    from runner.device import connection, login
    from runner.device.lease import Lease
    from runner.device.netmiko_patches import _Client
    from runner.device.ssh2_client import Ssh2Client

    # The client class the session's open hands to netmiko (its `_get_ssh_client_instance`).
    setattr(login, SEAM, Ssh2Client if transport == "ssh2" else _Client)
    credentials = Credentials("netjob", PASSWORD, SECRET)
    options = ConnectionOptions(conn_timeout=30, auth_timeout=30, read_timeout=30)
    hosts = [
        Host(name=d["name"], address=d["host"], port=d["port"], connection=options)
        for d in devices(Path(inventory))
    ]

    def one(host: Host) -> bool:
        try:
            session = connection.NetmikoConnection.open(host, credentials, Lease())
            try:
                return bool(session.send_show(SHOW, 30.0, None))
            finally:
                session.close()
        except Exception:
            return False

    started, cpu = time.monotonic(), os.times()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, hosts))
    wall, after = time.monotonic() - started, os.times()
    used = (after.user - cpu.user) + (after.system - cpu.system)
    return {
        "transport": transport,
        "devices": len(hosts),
        "workers": workers,
        "ok": sum(results),
        "failed": len(results) - sum(results),
        "wall_s": round(wall, 3),
        "wall_ms_per_device": round(1000 * wall * workers / len(hosts), 1),
        "client_cpu_s": round(used, 3),
        "cpu_ms_per_device": round(1000 * used / len(hosts), 2),
        "machine": info(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=300)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)  # measure T INV W
    args = parser.parse_args()
    if args.command[:1] == ["measure"]:
        _, transport, inventory, workers = args.command
        print(json.dumps(measure(transport, inventory, int(workers))))
        return
    from labproc import LabProcess
    from machine import describe, info

    print(describe(info()), flush=True)
    lab = LabProcess(args.devices, 0, 0)
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in TRANSPORTS}
    try:
        for _ in range(args.repeat):
            for transport in TRANSPORTS:
                measured = lab.measured(
                    __file__, [transport, str(lab.inventory), str(args.workers)], transport
                )
                measured.pop("machine")
                print(json.dumps(measured), flush=True)
                runs[transport].append(measured)
    finally:
        lab.stop()
    print(_table(runs))


def _table(runs: dict[str, list[dict[str, Any]]]) -> str:
    """Each figure the median of its transport's runs, taken on its own."""
    rows = [
        "| transport | devices | workers | wall s | wall ms per device (x workers) "
        "| client CPU s | CPU ms per device | lab CPU s | ok/failed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    median: dict[str, dict[str, float]] = {}
    for transport, measured in runs.items():
        row = {
            key: statistics.median(float(r[key]) for r in measured)
            for key in ("wall_s", "wall_ms_per_device", "client_cpu_s", "cpu_ms_per_device")
        }
        row["lab_cpu_s"] = statistics.median(float(r["lab_cpu_s"]) for r in measured)
        median[transport] = row
        first = measured[0]
        ok, failed = sum(r["ok"] for r in measured), sum(r["failed"] for r in measured)
        rows.append(
            f"| {transport} | {first['devices']} | {first['workers']} | {row['wall_s']:.2f} "
            f"| {row['wall_ms_per_device']:.1f} | {row['client_cpu_s']:.2f} "
            f"| {row['cpu_ms_per_device']:.2f} | {row['lab_cpu_s']:.2f} "
            f"| {ok}/{failed} (all runs) |"
        )
    ratio = median["ssh2"]["cpu_ms_per_device"] / median["paramiko"]["cpu_ms_per_device"]
    speed = median["paramiko"]["wall_s"] / median["ssh2"]["wall_s"]
    rows.append(f"\nssh2 / paramiko client CPU per device: {ratio:.2f}x; wall: {speed:.2f}x faster")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
