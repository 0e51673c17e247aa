"""`Run`: the Python API's reader of a run folder, what each host said, per task.

A run keeps no outputs in memory (each host's are written as it finishes), so a script
reads them back here, as Nornir's `result[host][i].result`:

    report = run_job("playbooks/show_version.yaml", inventory="inventory.yaml")
    run = Run(report)                        # or Run("reports/show_version/latest")
    run.output("r001", "version")            # the text the device printed
    run.parsed("r001", "version")            # its parsed rows (a `parse:` task)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.base.errors import InputError
from runner.base.models import HostResult, Report, StepResult
from runner.report.fold import natural_key
from runner.report.history import host_data, report_data


class Run:
    """A finished (or cut short) run, read from its folder: `hosts`, each host's
    `result(host)` with its steps' outputs, and `output`/`outputs`/`parsed` by task name.
    An unknown host or task is an InputError naming the ones there are."""

    def __init__(self, run: str | Path | Report) -> None:
        path = run.run_dir if isinstance(run, Report) else Path(run)
        # reports/<job>/latest is a link to the job's newest run: read that one, as it is now.
        self.path = path.resolve() if path.is_symlink() else path
        self._doc = report_data(self.path)
        self._read: dict[str, HostResult] = {}

    @property
    def job(self) -> str:
        return self._doc.job.name

    @property
    def hosts(self) -> list[str]:
        """The run's hosts, in natural order (r2 before r10)."""
        return sorted(self._doc.hosts, key=natural_key)

    @property
    def status(self) -> Mapping[str, str]:
        """Each host's status (`ok`, `changed`, `failed`, ...), as report.json has it."""
        return {name: host.status.value for name, host in self._doc.hosts.items()}

    def result(self, host: str) -> HostResult:
        """The host's result with every step's outputs and parsed rows (`.steps[i].outputs`)."""
        name = self._host(host)
        if name not in self._read:  # read once: a script asks a host for task after task
            self._read[name] = host_data(self.path, name).to_result()
        return self._read[name]

    def step(self, host: str, task: str) -> StepResult:
        """The host's step of `task` (a loop's steps are named `task (item)`)."""
        steps = self.result(host).steps
        for step in steps:
            if step.task == task:
                return step
        names = [s.task for s in steps]
        near = difflib.get_close_matches(task, names, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        ran = ", ".join(repr(n) for n in names) or "none"
        raise InputError(f"{host} ran no task {task!r}{hint} (its tasks: {ran})")

    def outputs(self, host: str, task: str) -> tuple[str, ...]:
        """What the device printed for each command of the task, in order."""
        return self.step(host, task).outputs

    def output(self, host: str, task: str) -> str:
        """What the device printed for the task: its commands' outputs, one after another."""
        return "\n".join(self.outputs(host, task))

    def parsed(self, host: str, task: str) -> list[dict[str, Any]]:
        """The rows a `parse:` task made of the output; an InputError if it has none (not
        parsed, the parse failed, or the host never ran it: the step's note says why)."""
        step = self.step(host, task)
        if step.parsed is None:
            why = step.note or step.error or step.status.value
            raise InputError(f"{host}: task {task!r} has no parsed rows ({why})")
        return [dict(row) for row in step.parsed]

    def _host(self, host: str) -> str:
        if host in self._doc.hosts:
            return host
        near = difflib.get_close_matches(host, list(self._doc.hosts), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise InputError(f"host {host!r} is not in the run {self.path}{hint}")
