"""Issue 16, item 2: one `netjob run` over 1,000 and over 10,000 lab devices, measured
the same way, so what grows with the number of hosts shows.

    .venv/bin/python bench/scale.py                      # 1,000 then 10,000 devices
    .venv/bin/python bench/scale.py --devices 200,2000   # smaller, for a quick look

Each size runs in a fresh process against its own lab (bench/labproc.py: one lab
process per 2,500 devices), with what `netjob run` uses on this machine: 50 workers
(--workers 50), one worker process per CPU, reports, host files, report.html and the live
progress bar (drawn into /dev/null as on a terminal). While it runs, a sampler thread reads,
every 0.2 s, the open file descriptors and the memory of the measuring process and of each
worker process from /proc. A reporter notes, as each host's result reaches the main
process, how long ago the host finished in its worker: the reporting lag. If the main
process (reports, the bar) fell behind, the lag would grow along the run; the table gives
it for the first and the last tenth of the hosts.

Printed: one JSON line per size (also appended to bench/results.jsonl), then a Markdown
table with the ratios the issue asks for: peak memory per process 10,000 vs 1,000 (target
within 1.2x), wall time 10,000 / 1,000 (target within 10.5x), descriptors (bounded by the
workers, not the hosts).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from labproc import LabProcess  # noqa: E402
from machine import each_size  # noqa: E402

WORKERS = 50


def _status(pid: int | str, field: str) -> int:
    """A /proc/PID/status field in kB (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _fds(pid: int | str) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError):
        return 0


class Sampler:
    """The main process's and each worker process's descriptors and memory, every 0.2 s."""

    def __init__(self) -> None:
        self.main_fds = 0
        self.worker_fds = 0
        self.main_hwm_kb = 0
        self.worker_hwm_kb = 0
        self.workers_seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def sample(self) -> None:
        self.main_fds = max(self.main_fds, _fds("self"))
        self.main_hwm_kb = max(self.main_hwm_kb, _status("self", "VmHWM"))
        for child in multiprocessing.active_children():
            if child.pid is None:
                continue
            self.workers_seen.add(child.pid)
            self.worker_fds = max(self.worker_fds, _fds(child.pid))
            self.worker_hwm_kb = max(self.worker_hwm_kb, _status(child.pid, "VmHWM"))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class LagProbe:
    """A reporter (runner.report.reporters.Reporter): per host, in the order results reach
    the main process, seconds between the host finishing in its worker and now."""

    wants_progress = False

    def __init__(self, total: int) -> None:
        self.lags: list[float] = []
        self.total = total
        # At each tenth of the hosts done: the main process's and the largest worker
        # process's resident memory (MB), to tell a plateau from a leak.
        self.main_rss: list[float] = []
        self.worker_rss: list[float] = []
        self.worker_hwm: list[float] = []  # its peak so far

    def host_done(self, result: Any) -> None:
        self.lags.append(max(0.0, time.time() - (result.started + result.duration)))
        if len(self.lags) * 10 // self.total > len(self.main_rss):
            self.main_rss.append(_status("self", "VmRSS") / 1024)
            workers = [c.pid for c in multiprocessing.active_children() if c.pid is not None]
            self.worker_rss.append(max((_status(p, "VmRSS") for p in workers), default=0) / 1024)
            self.worker_hwm.append(max((_status(p, "VmHWM") for p in workers), default=0) / 1024)

    def progress(self, news: Any) -> None:
        return None

    def run_done(self, report: Any) -> None:
        return None


def measure(inventory: Path) -> dict[str, Any]:
    """In the child: one run over every host of `inventory`, as `netjob run` makes it."""
    from rich.console import Console

    import runner.device.connection
    import runner.run.processes  # noqa: F401
    from runner import core
    from runner.report import LiveView, View
    from runner.run import Policy, processes_for_this_machine

    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    job = folder / "show.yaml"
    job.write_text("name: show\ntasks:\n  - show: show ip interface brief\n")
    options = core.RunOptions(
        workers=WORKERS,
        reports_dir=folder / "reports",
        processes=processes_for_this_machine(),
        policy=Policy(max_logins=WORKERS),  # like bench.py: as many logins as workers
    )
    selection = core.select(job, inventory)
    with open(os.devnull, "w") as devnull:
        console = Console(file=devnull, force_terminal=True, width=120)
        view = View(console)
        probe = LagProbe(len(selection.hosts))
        sampler = Sampler()
        cpu0 = _cpu()
        own0 = _own_cpu()
        start = time.perf_counter()
        with LiveView(view, len(selection.hosts)) as live:
            report = core.run(selection, options, reporters=[live, probe])
        wall = time.perf_counter() - start
        sampler.sample()
        sampler.stop()
    for child in multiprocessing.active_children():
        child.join()
    if not probe.lags:
        raise SystemExit(f"bench/scale.py: {inventory} has no hosts")
    tenth = max(1, len(probe.lags) // 10)
    return {
        "wall_s": wall,
        "client_cpu_s": _cpu() - cpu0,
        "main_cpu_s": _own_cpu() - own0,  # the main process: reports, the bar, the pool
        "ok": len(report.hosts) - len(report.failed),
        "failed": len(report.failed),
        # Worker processes that ran (netjob starts one per 200 hosts, at most --processes);
        # 0: the hosts ran on threads of the main process.
        "worker_processes": len(sampler.workers_seen),
        "main_fds_max": sampler.main_fds,
        "worker_fds_max": sampler.worker_fds,
        "main_peak_rss_mb": max(sampler.main_hwm_kb, _own_peak_kb()) / 1024,
        # Read from /proc while each worker process lives: getrusage's RUSAGE_CHILDREN
        # would report the main process's size, which a child has between fork and exec.
        "worker_peak_rss_mb": sampler.worker_hwm_kb / 1024,
        "lag_first_tenth_median_s": statistics.median(probe.lags[:tenth]),
        "lag_last_tenth_median_s": statistics.median(probe.lags[-tenth:]),
        "lag_max_s": max(probe.lags),
        "main_rss_mb_by_tenth": [round(x) for x in probe.main_rss],
        "worker_rss_mb_by_tenth": [round(x) for x in probe.worker_rss],
        "worker_peak_rss_mb_by_tenth": [round(x) for x in probe.worker_hwm],
    }


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _own_peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def one_size(devices: int) -> dict[str, Any]:
    lab = LabProcess(devices, 0, 0)
    try:
        row = lab.measured(__file__, [str(lab.inventory)], "the run")
        row.update(devices=devices, workers=WORKERS, lab_processes=len(lab.procs))
        row["devices_per_s"] = devices / row["wall_s"]
        row["cpu_ms_per_device"] = row["client_cpu_s"] / devices * 1000
        return row
    finally:
        lab.stop()


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| devices | worker processes | wall s | devices/s | client CPU ms/device "
        "| peak RSS MB, main | peak RSS MB, largest worker | fds max, main / worker "
        "| reporting lag s, first tenth / last tenth / max | ok/failed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['devices']} | {r['worker_processes']} | {r['wall_s']:.1f} "
            f"| {r['devices_per_s']:.1f} | {r['cpu_ms_per_device']:.1f} "
            f"| {r['main_peak_rss_mb']:.0f} | {_worker(r, 'worker_peak_rss_mb', '.0f')} "
            f"| {r['main_fds_max']} / {_worker(r, 'worker_fds_max', 'd')} "
            f"| {r['lag_first_tenth_median_s']:.3f} / {r['lag_last_tenth_median_s']:.3f} / "
            f"{r['lag_max_s']:.2f} | {r['ok']}/{r['failed']} |"
        )
    if len(rows) >= 2:
        small, big = rows[0], rows[-1]
        scale = big["devices"] / small["devices"]
        lines.append("")
        workers = (
            f", largest worker {_ratio(big['worker_peak_rss_mb'], small['worker_peak_rss_mb'])}"
            f", descriptors per worker {_worker(big, 'worker_fds_max', 'd')} vs "
            f"{_worker(small, 'worker_fds_max', 'd')}"
            if big["worker_processes"]
            else " (no worker process at either size: the hosts ran on the main process's threads)"
        )
        lines.append(
            f"{big['devices']} vs {small['devices']} devices ({scale:.0f}x the hosts): wall time "
            f"{big['wall_s'] / small['wall_s']:.2f}x, peak RSS main "
            f"{big['main_peak_rss_mb'] / small['main_peak_rss_mb']:.2f}x, descriptors main "
            f"{big['main_fds_max']} vs {small['main_fds_max']}{workers}."
        )
    return "\n".join(lines)


def _ratio(big: float, small: float) -> str:
    return f"{big / small:.2f}x" if small else "— (no worker process at the smaller size)"


def _worker(row: dict[str, Any], key: str, spec: str) -> str:
    """A worker process's figure, or — when the hosts ran in the main process."""
    return format(row[key], spec) if row["worker_processes"] else "—"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", default="1000,10000", help="sizes, comma-separated")
    parser.add_argument("--results", default=str(HERE / "results.jsonl"), help="'-': none")
    args = parser.parse_args()
    print(table(each_size(args.devices, args.results, "scale", one_size)))


if __name__ == "__main__":
    main()
