"""Issue 25, item 4: the main process's peak memory and wall time per host as the number
of hosts grows, on in-memory devices (no SSH, no lab), so that 100,000 hosts fit in one
run on a small machine.

    .venv/bin/python bench/flat.py                          # 1,000, 10,000 and 100,000 hosts
    .venv/bin/python bench/flat.py --hosts 1000,10000       # the 1.3x check alone

Each size runs in a fresh process: `runner.core.run` as `netjob run` calls it (50 worker
threads, reports, host files, report.json, report.md and report.html; the inventory a
YAML file loaded and checked as `netjob run` loads it), with a connector that answers
every command from memory at once. What it measures is what netjob itself holds and
spends per host: the inventory, the rendered plan, the results, the reports. The
process's peak resident memory (VmHWM) is read at each phase: after the imports, when
the first host's result arrives (inventory and plan in memory), when report.json and
report.md are written, and at the end (report.html).

Printed: one JSON line per size (also appended to bench/results.jsonl), then a table: the
peak memory of each size as a multiple of the first size's (issue 25: within 1.3x at 10,000
hosts of 1,000) and the wall time per host (within 1.1x from 10,000 to 100,000).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from machine import each_size  # noqa: E402

WORKERS = 50
JOB = "name: show\ntasks:\n  - show: show ip interface brief\n"
OUTPUT = (
    "Interface              IP-Address      OK? Method Status                Protocol\n"
    "GigabitEthernet0/0     192.0.2.1       YES manual up                    up\n"
    "GigabitEthernet0/1     unassigned      YES unset  administratively down down\n"
)


def _kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def inventory(folder: Path, hosts: int) -> Path:
    """An inventory of `hosts` devices, each its own address and port (none is contacted)."""
    lines = [
        "defaults: {platform: cisco_ios, username: admin, password_env: NETJOB_FLAT_PASSWORD}",
        "hosts:",
    ]
    lines += [
        f"  d{i:06d}: {{address: 192.0.2.{i % 250 + 1}, port: {1024 + i % 60000}}}"
        for i in range(hosts)
    ]
    path = folder / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


class MemoryDevice:
    """A runner.device.connection.Connection that answers from memory at once."""

    notes: tuple[str, ...] = ()
    ended = False

    def __init__(self, host: Any) -> None:
        self.host = host

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str:
        return OUTPUT

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str:
        return ""

    def close(self) -> None:
        return None


def connect(host: Any, credentials: Any, lease: Any) -> Any:
    """The Connector: a MemoryDevice (Any: it answers only what a show job asks)."""
    return MemoryDevice(host)


class Phases:
    """A reporter: the process's peak memory when the first result arrives (the inventory
    and the plan are in memory, the run begins) and once report.json and report.md are
    written (report.html, a reporter after this one, comes next)."""

    wants_progress = False

    def __init__(self) -> None:
        self.first_result_mb = 0.0
        self.reports_mb = 0.0

    def host_done(self, result: Any) -> None:
        if not self.first_result_mb:
            self.first_result_mb = _kb("VmHWM") / 1024

    def progress(self, news: Any) -> None:
        return None

    def run_done(self, report: Any) -> None:
        self.reports_mb = _kb("VmHWM") / 1024


def warm(folder: Path) -> None:
    """In a child before the measured one: the inventory loaded once, so the measured run
    takes it from netjob's cache of checked big inventories, as every run after the first
    of an unchanged inventory file does (`--cold`: not done, the YAML parsed and checked)."""
    from runner import core

    core.select(folder / "show.yaml", folder / "inventory.yaml")


def measure(folder: Path) -> dict[str, Any]:
    """In the child: one run over the in-memory devices of the inventory in `folder`."""
    from runner import core
    from runner.run import Policy

    imported_mb = _kb("VmHWM") / 1024
    job, inv = folder / "show.yaml", folder / "inventory.yaml"
    options = core.RunOptions(
        workers=WORKERS, reports_dir=folder / "reports", policy=Policy(max_logins=WORKERS)
    )
    phases = Phases()
    start = time.perf_counter()
    selection = core.select(job, inv)
    report = core.run(selection, options, connect=connect, reporters=[phases])
    wall = time.perf_counter() - start
    failed = len(report.failed)
    hosts = len(report.hosts)
    return {
        "hosts": hosts,
        "wall_s": wall,
        "wall_ms_per_host": wall / hosts * 1000,
        "ok": len(report.hosts) - failed,
        "failed": failed,
        "peak_mb_imports": imported_mb,
        "peak_mb_plan": phases.first_result_mb,
        "peak_mb_reports": phases.reports_mb,
        "peak_mb": _kb("VmHWM") / 1024,
        "run_dir_files": sum(1 for _ in (report.run_dir / "hosts").iterdir()),
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| hosts | wall s | wall ms/host | peak MB: imports / plan / report.json+md / end "
        "| peak vs first size | inventory | ok/failed |",
        "|---|---|---|---|---|---|---|",
    ]
    first = rows[0]["peak_mb"]
    for r in rows:
        lines.append(
            f"| {r['hosts']} | {r['wall_s']:.1f} | {r['wall_ms_per_host']:.2f} "
            f"| {r['peak_mb_imports']:.0f} / {r['peak_mb_plan']:.0f} / "
            f"{r['peak_mb_reports']:.0f} / {r['peak_mb']:.0f} "
            f"| {r['peak_mb'] / first:.2f}x | {r['inventory']} | {r['ok']}/{r['failed']} |"
        )
    return "\n".join(lines)


def one_size(hosts: int, cold: bool) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-flat-"))
    (folder / "show.yaml").write_text(JOB)
    inventory(folder, hosts)
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(folder / "cache"),  # never the user's own cache
        "NETJOB_FLAT_PASSWORD": "flat-password",
    }
    try:
        for step in ("measure",) if cold else ("warm", "measure"):
            out = subprocess.run(
                [sys.executable, __file__, step, str(folder)],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            )
        row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        row["inventory"] = "parsed" if cold else "cached"
        return row
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("measure", "warm"):
        folder = Path(sys.argv[2])
        if sys.argv[1] == "warm":
            warm(folder)
        else:
            print(json.dumps(measure(folder)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", default="1000,10000,100000", help="sizes, comma-separated")
    parser.add_argument(
        "--cold", action="store_true", help="the inventory parsed, as on its first run"
    )
    parser.add_argument("--results", default=str(HERE / "results.jsonl"), help="'-': none")
    args = parser.parse_args()
    print(table(each_size(args.hosts, args.results, "flat", lambda n: one_size(n, args.cold))))


if __name__ == "__main__":
    main()
