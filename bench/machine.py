"""The machine a benchmark ran on, and the software: printed at the start of a run and
kept in every JSON line, so two results files can be compared knowing what differed."""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "netjob",
    "netmiko",
    "paramiko",
    "ssh2-python",
    "cryptography",
    "asyncssh",
    "nornir",
    "distributed",
)


def info() -> dict[str, Any]:
    return {
        "cores_available": len(os.sched_getaffinity(0)),
        "cores_online": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in PACKAGES},
        "git": _git(),
    }


def describe(machine: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    return (
        f"machine: {machine['cores_available']} cores available to this process "
        f"({machine['cores_online']} online), {machine['cpu_model']}, load {machine['load_avg_1m']}"
        f" at start; {machine['os']}; Python {machine['python']}; {versions}; "
        f"git {machine['git']}"
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git() -> str:
    """The commit measured, `+dirty` when the work tree has changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


class Results:
    """Each measurement: printed as a JSON line and appended to the results file, with
    what makes it comparable (the machine, the command, when, which bench run)."""

    def __init__(self, path: Path | None, machine: dict[str, Any]) -> None:
        self.path = path
        self.common = {
            "bench_run": uuid.uuid4().hex[:12],
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "machine": machine,
        }

    def emit(self, row: dict[str, Any]) -> None:
        shown = {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}
        print(json.dumps(shown), flush=True)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as out:
                out.write(json.dumps({**shown, **self.common}) + "\n")


def each_size(
    sizes: str, results: str, bench: str, one_size: Callable[[int], dict[str, Any]]
) -> list[dict[str, Any]]:
    """The machine's line, then `one_size` for each of the comma-separated `sizes`, each
    row emitted as it comes (printed, and appended to the `results` file; '-': none)."""
    machine = info()
    print(describe(machine), flush=True)
    out = Results(None if results == "-" else Path(results), machine)
    rows = []
    for size in (int(n) for n in sizes.split(",")):
        row = one_size(size)
        out.emit({"bench": bench, **row})
        rows.append(row)
    return rows
