"""The machine a benchmark ran on, and the software: printed at the start of a run and
kept in every JSON line, so two results files can be compared knowing what differed."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("netjob", "netmiko", "paramiko", "cryptography", "asyncssh", "nornir", "distributed")


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
