"""netjob: run YAML job files against many network devices over SSH.

The Python API: `run_job(...)` runs a job file and returns its Report; `Run(report)` (or
`Run(run_folder)`) reads what each host said per task; `select`, `plan` and `run` in
`runner.core` are the steps `run_job` is made of.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.base.version import __version__

if TYPE_CHECKING:  # what a script's type checker sees; at run time, __getattr__ below
    from runner.core import run_job as run_job
    from runner.report.run_reader import Run as Run

__all__ = ["Run", "__version__", "run_job"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import runner` (and `netjob --version`) does not pay for netmiko's import.
    if name == "run_job":
        from runner.core import run_job

        return run_job
    if name == "Run":
        from runner.report.run_reader import Run

        return Run
    raise AttributeError(name)
