"""netjob's benchmark: the peers and netjob side by side, in one run, on the built-in lab.

    .venv/bin/python bench/bench.py --quick                  # under a minute
    .venv/bin/python bench/bench.py --devices 3,50 --systems seed_sequential,netjob
    .venv/bin/python bench/bench.py --devices 1000 --workers 50 --repeat 3 \\
        --systems seed_threaded,nornir,netjob                # the table in bench/README.md
    .venv/bin/python bench/bench.py --profile --devices 400  # per-device CPU by stage

Each measurement runs in a fresh Python process (so CPU time and peak RSS are that
system's own), against a lab served by separate process(es) on ports the OS picks, whose
CPU is reported apart. It prints the machine first, then one JSON line per measurement,
each also appended to the results file (--results, bench/results.jsonl) with the machine.
Needs the bench extra for Nornir: pip install -e '.[bench]' (missing peers are skipped);
--profile needs py-spy.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import multiprocessing
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from labproc import LabProcess, process_cpu  # noqa: E402
from machine import Results  # noqa: E402

RESULTS = HERE / "results.jsonl"


def measure(
    system: str, inventory: Path, job: str, workers: int, profile: str = ""
) -> dict[str, Any]:
    """Runs inside the child process: one system, one job, every device in the inventory.
    `profile`: a file for py-spy's samples of the run ("" for none; "gil:FILE" for --gil)."""
    from systems import SYSTEMS, shutdown, warm_up

    warm_up(system)  # imports (and a cluster's pollers) are not what is measured
    # Children alive now (a local cluster's workers) are read live from /proc: their
    # CPU is part of the run, their start-up not. Later ones are reaped and counted.
    pollers = [pid for child in multiprocessing.active_children() if (pid := child.pid) is not None]

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        live = sum(process_cpu(pid) for pid in pollers)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + live

    sampler = None
    if profile:
        from cpu_profile import Sampler

        gil, _, out = profile.rpartition(":")
        sampler = Sampler(os.getpid(), Path(out), gil=gil == "gil")
    start_cpu = cpu()
    start = time.perf_counter()
    ok, failed = SYSTEMS[system](inventory, job, workers)
    wall = time.perf_counter() - start
    if sampler is not None:
        sampler.stop()
    for child in multiprocessing.active_children():  # reap them: their CPU counts too
        if child.pid not in pollers:
            child.join()
    used = cpu() - start_cpu
    rss = max(
        [
            resource.getrusage(who).ru_maxrss
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        ]
        + [_peak_kb(pid) for pid in pollers]
    )
    shutdown()
    return {
        "wall_s": wall,
        "client_cpu_s": used,
        "peak_rss_mb": rss / 1024,
        "ok": ok,
        "failed": failed,
    }


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_child(
    system: str, lab: LabProcess, job: str, workers: int, profile: str = ""
) -> dict[str, Any]:
    args = [system, str(lab.inventory), job, str(workers)] + ([profile] if profile else [])
    return lab.measured(__file__, args, system)


def scenario(
    devices: int,
    latency: tuple[int, int],
    job: str,
    systems: list[str],
    workers: int,
    results: Results,
    repeat: int = 1,
    shards: int = 0,
) -> list[dict[str, Any]]:
    """Each system `repeat` times, round-robin on one lab (so a noisy minute hits every
    system alike); the table keeps each system's median run by wall time."""
    lab = LabProcess(devices, *latency, shards=shards)
    runs: dict[str, list[dict[str, Any]]] = {system: [] for system in systems}
    ideal = None
    try:
        if latency != (0, 0) and "netjob" in systems:
            ideal = _one_device_time(lab, job) * math.ceil(devices / workers)
        for system in [s for _ in range(repeat) for s in systems]:
            w = 1 if system == "seed_sequential" else workers
            row = _row(system, devices, w, latency, job, len(lab.procs))
            row.update(run_child(system, lab, job, w))
            row["devices_per_s"] = devices / row["wall_s"]
            row["cpu_ms_per_device"] = row["client_cpu_s"] / devices * 1000
            if ideal is not None and system.startswith("netjob"):
                row["ideal_s"] = ideal
                row["wall_vs_ideal"] = row["wall_s"] / ideal
            results.emit(row)
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


def _row(
    system: str, devices: int, workers: int, latency: tuple[int, int], job: str, shards: int
) -> dict[str, Any]:
    return {
        "system": system,
        "devices": devices,
        "workers": workers,
        "latency_ms": latency[0],
        "login_latency_ms": latency[1],
        "job": job,
        "lab_processes": shards,
    }


def profiled(
    devices: int, system: str, job: str, workers: int, results: Results, out: Path, gil: bool
) -> str:
    """One process of `system` over `devices` lab devices under py-spy: the table of CPU
    ms per device by stage, written to `out` (py-spy's samples next to it)."""
    from cpu_profile import breakdown, table

    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.with_name(f"{out.stem}-{system}.raw.txt")
    lab = LabProcess(devices, 0, 0)
    try:
        row = _row(system, devices, workers, (0, 0), job, len(lab.procs))
        row.update(run_child(system, lab, job, workers, ("gil:" if gil else "") + str(raw)))
    finally:
        lab.stop()
    row["devices_per_s"] = devices / row["wall_s"]
    row["cpu_ms_per_device"] = row["client_cpu_s"] / devices * 1000
    stages = breakdown(raw, row["client_cpu_s"], devices)
    results.emit({**row, "profile": "gil" if gil else "cpu", "stages": stages})
    title = (
        f"{system}, {devices} lab devices, {workers} workers, one process, zero latency: "
        f"{row['cpu_ms_per_device']:.2f} ms of client CPU per device, "
        f"{row['devices_per_s']:.1f} devices/s ({'GIL holder' if gil else 'running threads'} "
        f"sampled by py-spy: {raw.name})"
    )
    return table(stages, title)


def _one_device_time(lab: LabProcess, job: str) -> float:
    """One device's time with netjob on the same lab: the unit of the ideal wall time,
    ceil(N / workers) x this."""
    import yaml

    data = yaml.safe_load(lab.inventory.read_text())
    first = next(iter(data["hosts"]))
    data["hosts"] = {first: data["hosts"][first]}
    single = lab.folder / "one.yaml"
    single.write_text(yaml.safe_dump(data))
    times: list[float] = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, __file__, "measure", "netjob", str(single), job, "1"],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
            env=lab.env(),
        )
        times.append(json.loads(done.stdout.strip().splitlines()[-1])["wall_s"])
    return min(times)


def offline(hosts: int) -> dict[str, float]:
    """Plan and inventory load/filter over a generated inventory, timed in a child."""
    code = f"""
import json, sys
sys.path.insert(0, {str(HERE.parent)!r})
from bench.offline import cache_applies, generate, timed_plan, timed_load
folder = generate({hosts})
print(json.dumps({{"plan_s": min(timed_plan(folder) for _ in range(3)),
                  "load_filter_s": min(timed_load(folder) for _ in range(3)),
                  "load_filter_cached_s": min(timed_load(folder, True) for _ in range(3)),
                  "cache_applies": cache_applies(folder)}}))
"""
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as tmp:  # its files go with it
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
            env={**os.environ, "TMPDIR": tmp},
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
        system, inventory, job, workers, *profile = sys.argv[2:]
        print(json.dumps(measure(system, Path(inventory), job, int(workers), *profile)))
        return
    args = _parser().parse_args()
    if args.quick:
        args.devices, args.latency, args.jobs, args.offline = "10", "0/0", "show", 2000
    from machine import describe, info

    machine = info()
    print(describe(machine), flush=True)
    results = Results(None if args.results == Path("-") else args.results, machine)
    if args.profile:
        devices = int(args.devices or 400)
        out = args.profile_out or HERE / f"profile-{devices}.md"
        tables = [
            profiled(devices, system, args.jobs, args.workers, results, out, args.gil)
            for system in (args.systems or "netjob").split(",")
        ]
        text = "\n\n".join(tables)
        print(text)
        out.write_text(f"{_produced_by()}\n\n{text}\n")
        return
    systems = [
        s
        for s in (args.systems or "seed_sequential,seed_threaded,nornir,netjob").split(",")
        if s != "nornir" or importlib.util.find_spec("nornir_netmiko")
    ]
    rows = []
    for job in args.jobs.split(","):
        for pair in args.latency.split(","):
            cmd_ms, login_ms = (int(x) for x in pair.split("/"))
            for n in (int(x) for x in (args.devices or "10,100").split(",") if int(x)):
                chosen = [s for s in systems if s != "seed_sequential" or n <= 100]
                rows += scenario(
                    n,
                    (cmd_ms, login_ms),
                    job,
                    chosen,
                    args.workers,
                    results,
                    args.repeat,
                    args.lab_processes,
                )
    text = table(rows) if rows else ""
    if args.offline:
        result = offline(args.offline)
        results.emit({"system": "netjob", "offline_hosts": args.offline, **result})
        text += (
            "\n\n"
            * bool(rows)
            + f"Offline, {args.offline} hosts, best of 3: `plan` of a 5-task templated "
            f"job {result['plan_s']:.2f} s; inventory load + --limit filter as `netjob run` "
            f"does it {result['load_filter_s']:.2f} s parsed, "
            + (
                f"{result['load_filter_cached_s']:.2f} s from the cache (file unchanged)."
                if result["cache_applies"]
                else "and the same again on a second run: netjob caches only inventories "
                "of 256 KB and more."
            )
        )
    print(text)
    if args.write:
        args.write.write_text(f"{_produced_by()}\n\n{text}\n")


def _produced_by() -> str:
    # The interpreter as a reader would type it: relative to the working folder when it
    # is below it (`.venv/bin/python`), so no machine's path lands in a committed page.
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(Path.cwd())
    return f"Produced by: `{shlex.join([str(python), *sys.argv])}`"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add = parser.add_argument
    add("--quick", action="store_true", help="10 devices, show job, <1 min")
    add("--devices", help="comma list (default 10,100; with --profile 400; 0: none)")
    add("--latency", default="0/0", help="cmd/login ms pairs, e.g. 0/0,50/300")
    add("--jobs", default="show")
    add("--systems", help="default seed_sequential,seed_threaded,nornir,netjob; --profile: netjob")
    add("--workers", type=int, default=50)
    add("--offline", type=int, default=0, help="hosts for plan/load timing")
    add("--repeat", type=int, default=1, help="runs per system (median kept)")
    add("--lab-processes", type=int, default=0, help="lab shards (default 1 per 2,500 devices)")
    add("--results", type=Path, default=RESULTS, help="JSON lines appended here ('-': none)")
    add("--write", type=Path, help="write the table (markdown) to this file")
    add("--profile", action="store_true", help="per-device CPU by stage, under py-spy")
    add("--profile-out", type=Path, help="the profile table (default bench/profile-N.md)")
    add("--gil", action="store_true", help="with --profile: sample only the GIL holder")
    return parser


if __name__ == "__main__":
    main()
