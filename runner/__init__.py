"""netjob: run YAML job files against many network devices over SSH.

The Python API: `run_job(...)` runs a job file and returns its Report; `select`, `plan`
and `run` in `runner.core` are the steps it is made of.
"""

from __future__ import annotations

from typing import Any

from runner.base.version import __version__

__all__ = ["__version__", "run_job"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import runner` (and `netjob --version`) does not pay for netmiko's import.
    if name == "run_job":
        from runner.core import run_job

        return run_job
    raise AttributeError(name)
