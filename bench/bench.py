"""netjob's benchmark: the peers and netjob side by side, in one run, on the built-in lab.

    .venv/bin/python bench/bench.py --quick                  # under a minute
    .venv/bin/python bench/bench.py --devices 3,50 --systems seed_sequential,netjob
    .venv/bin/python bench/bench.py --full --write           # the table in bench/README.md

Each measurement runs in a fresh Python process (so CPU time and peak RSS are that
system's own), against a lab served by separate process(es) whose CPU is reported apart.
Besides the table it prints one JSON line per measurement for other tools.
Needs the bench extra for Nornir: pip install -e '.[bench]' (missing peers are skipped).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

LAB_PORT = 20022
TICKS = os.sysconf("SC_CLK_TCK")


def measure(system: str, inventory: Path, job: str, workers: int) -> dict[str, Any]:
    """Runs inside the child process: one system, one job, every device in the inventory."""
    from systems import SYSTEMS, warm_up

    warm_up(system)  # imports are not what is measured

    def cpu() -> float:  # this process and its worker processes (netjob --processes)
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    start_cpu = cpu()
    start = time.perf_counter()
    ok, failed = SYSTEMS[system](inventory, job, workers)
    wall = time.perf_counter() - start
    for child in multiprocessing.active_children():  # reap them: their CPU counts too
        child.join()
    rss = max(
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return {
        "wall_s": wall,
        "client_cpu_s": cpu() - start_cpu,
        "peak_rss_mb": rss / 1024,
        "ok": ok,
        "failed": failed,
    }


class LabProcess:
    """`netjob lab` in its own process (shards of at most 500 devices each)."""

    def __init__(self, devices: int, latency_ms: int, login_latency_ms: int) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-lab-"))
        self.inventory = self.folder / "lab.yaml"
        self.procs: list[subprocess.Popen[bytes]] = []
        out = self.folder / "shard.yaml"
        cmd = [
            sys.executable,
            "-c",
            "from runner.cli import entry; entry()",
            "lab",
            "--devices",
            str(devices),
            "--port",
            str(LAB_PORT),
            "--inventory-out",
            str(out),
            "--latency-ms",
            str(latency_ms),
            "--login-latency-ms",
            str(login_latency_ms),
        ]
        self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL))
        deadline = time.monotonic() + 120
        while not out.exists():
            if time.monotonic() > deadline or self.procs[0].poll() is not None:
                raise SystemExit("bench: the lab did not start")
            time.sleep(0.05)
        self.inventory.write_text(out.read_text())

    def cpu(self) -> float:
        total = 0.0
        for proc in self.procs:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        return total

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(30)


def run_child(system: str, lab: LabProcess, job: str, workers: int) -> dict[str, Any]:
    before = lab.cpu()
    done = subprocess.run(
        [sys.executable, __file__, "measure", system, str(lab.inventory), job, str(workers)],
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {system} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["lab_cpu_s"] = lab.cpu() - before
    return result


def scenario(
    devices: int,
    latency: tuple[int, int],
    job: str,
    systems: list[str],
    workers: int,
    repeat: int = 1,
) -> list[dict[str, Any]]:
    """Each system `repeat` times, round-robin on one lab (so a noisy minute hits every
    system alike); the table keeps each system's median run by wall time."""
    lab = LabProcess(devices, *latency)
    runs: dict[str, list[dict[str, Any]]] = {system: [] for system in systems}
    ideal = None
    try:
        if latency != (0, 0) and "netjob" in systems:
            ideal = _one_device_time(lab, job) * math.ceil(devices / workers)
        for system in [s for _ in range(repeat) for s in systems]:
            w = 1 if system == "seed_sequential" else workers
            row = {
                "system": system,
                "devices": devices,
                "workers": w,
                "latency_ms": latency[0],
                "login_latency_ms": latency[1],
                "job": job,
            }
            row.update(run_child(system, lab, job, w))
            row["devices_per_s"] = devices / row["wall_s"]
            if ideal is not None and system.startswith("netjob"):
                row["ideal_s"] = ideal
                row["wall_vs_ideal"] = row["wall_s"] / ideal
            print(
                json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}),
                flush=True,
            )
            runs[system].append(row)
    finally:
        lab.stop()
    medians = []
    for rows in runs.values():
        rows.sort(key=lambda row: row["wall_s"])
        median = rows[(len(rows) - 1) // 2]
        median["runs"] = len(rows)
        medians.append(median)
    return medians


def _one_device_time(lab: LabProcess, job: str) -> float:
    """One device's time with netjob on the same lab: the unit of the ideal wall time,
    ceil(N / workers) x this."""
    import yaml

    data = yaml.safe_load(lab.inventory.read_text())
    first = next(iter(data["hosts"]))
    data["hosts"] = {first: data["hosts"][first]}
    single = lab.folder / "one.yaml"
    single.write_text(yaml.safe_dump(data))
    times = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, __file__, "measure", "netjob", str(single), job, "1"],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        times.append(json.loads(done.stdout.strip().splitlines()[-1])["wall_s"])
    return min(times)


def offline(hosts: int) -> dict[str, float]:
    """Plan and inventory load/filter over a generated inventory, timed in a child."""
    code = f"""
import time, json, sys
from pathlib import Path
sys.path.insert(0, {str(HERE.parent)!r})
from bench.offline import generate, timed_plan, cold_and_warm
folder = generate({hosts})
cold, warm = cold_and_warm(folder)
print(json.dumps({{"plan_s": min(timed_plan(folder) for _ in range(3)), "load_filter_cold_s": cold,
                  "load_filter_warm_s": warm}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| job | latency (cmd/login ms) | devices | system | workers | wall s | devices/s "
        "| client CPU s | peak RSS MB | lab CPU s | ok/failed | netjob speed-up | wall/ideal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:  # the fastest netjob variant of each scenario is what peers face
        key = (row["job"], row["latency_ms"], row["devices"])
        if row["system"].startswith("netjob") and (
            key not in keyed or row["devices_per_s"] > keyed[key]["devices_per_s"]
        ):
            keyed[key] = row
    for row in rows:
        ours = keyed.get((row["job"], row["latency_ms"], row["devices"]))
        ratio = ours["devices_per_s"] / row["devices_per_s"] if ours else math.nan
        speedup = "—" if row["system"].startswith("netjob") else f"{ratio:.2f}x"
        lines.append(
            f"| {row['job']} | {row['latency_ms']}/{row['login_latency_ms']} | {row['devices']} "
            f"| {row['system']} | {row['workers']} | {row['wall_s']:.2f} "
            f"| {row['devices_per_s']:.1f} | {row['client_cpu_s']:.2f} | {row['peak_rss_mb']:.0f} "
            f"| {row['lab_cpu_s']:.2f} | {row['ok']}/{row['failed']} | {speedup} "
            f"| {_ideal(row)} |"
        )
    return "\n".join(lines)


def _ideal(row: dict[str, Any]) -> str:
    if "wall_vs_ideal" not in row:
        return "—"
    return f"{row['wall_vs_ideal']:.2f} (ideal {row['ideal_s']:.1f} s)"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        _, _, system, inventory, job, workers = sys.argv
        print(json.dumps(measure(system, Path(inventory), job, int(workers))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 devices, show job, <1 min")
    parser.add_argument("--devices", default="10,100")
    parser.add_argument("--latency", default="0/0", help="cmd/login ms pairs, e.g. 0/0,50/300")
    parser.add_argument("--jobs", default="show")
    parser.add_argument("--systems", default="seed_sequential,seed_threaded,nornir,netjob")
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--offline", type=int, default=0, help="hosts for plan/load timing")
    parser.add_argument("--repeat", type=int, default=1, help="runs per system (median kept)")
    parser.add_argument("--write", type=Path, help="write the table (markdown) to this file")
    args = parser.parse_args()
    if args.quick:
        args.devices, args.latency, args.jobs, args.offline = "10", "0/0", "show", 2000
    systems = [
        s
        for s in args.systems.split(",")
        if s != "nornir" or importlib.util.find_spec("nornir_netmiko")
    ]
    rows = []
    for job in args.jobs.split(","):
        for pair in args.latency.split(","):
            cmd_ms, login_ms = (int(x) for x in pair.split("/"))
            for n in (int(x) for x in args.devices.split(",")):
                chosen = [s for s in systems if s != "seed_sequential" or n <= 100]
                rows += scenario(n, (cmd_ms, login_ms), job, chosen, args.workers, args.repeat)
    text = table(rows)
    if args.offline:
        result = offline(args.offline)
        print(json.dumps({"system": "netjob", "offline_hosts": args.offline, **result}))
        text += (
            f"\n\nOffline, {args.offline} hosts: `plan` of a 5-task templated job "
            f"{result['plan_s']:.2f} s (inventory from the cache); inventory load + --limit "
            f"filter {result['load_filter_cold_s']:.2f} s cold (the file's first load), "
            f"{result['load_filter_warm_s']:.2f} s warm (netjob's cache)."
        )
    print(text)
    if args.write:
        args.write.write_text(text + "\n")


if __name__ == "__main__":
    main()
