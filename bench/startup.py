"""Time to first output: the median wall time of `netjob --version`, `--help`, `hosts`,
`plan`, `report` and the shell's completion of `netjob ru<TAB>`, each a fresh process,
as a person at a shell runs them (see bench/README.md, Startup). `report` reads a run
made here first: the lab's six hosts, recorded as not run by an injected runner (nothing
connects), so the bench needs no lab.

Each command is timed two ways. "bytecode cached": as on a usual machine, where the first
run writes netjob's compiled modules to __pycache__. "compiled at each start": where the
shell sets PYTHONDONTWRITEBYTECODE (some CI images and containers do), Python compiles netjob's own
modules from source at every start (pip compiled the dependencies' at install); the bench
removes runner's __pycache__ folders first and sets it.

    .venv/bin/python bench/startup.py [--runs 10] [--netjob .venv/bin/netjob]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe, info  # noqa: E402  (bench/, on sys.path from the line above)

COMMANDS = (
    ["--version"],
    ["--help"],
    ["hosts", "-i", "inventory.yaml"],
    ["plan", "playbooks/show_version.yaml", "-i", "inventory.yaml"],
    ["report", "playbooks/show_version.yaml"],
    ["<TAB>"],  # bash completion of `netjob ru`, as the shell asks it
)
# What bash's completion script sets before it runs `netjob` to complete `netjob ru<TAB>`.
COMPLETION = {"_NETJOB_COMPLETE": "complete_bash", "COMP_WORDS": "netjob ru", "COMP_CWORD": "1"}


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def make_run(reports: Path) -> None:
    """A run of playbooks/show_version.yaml under `reports`, every host `not run`."""
    from runner import core
    from runner.base.models import WorkItem
    from runner.run import scheduler
    from runner.run.rollout import Amount
    from runner.run.runners import Batch

    class NothingRuns:
        local = False  # no credentials asked for: nothing connects

        def preflight(self, items: Sequence[WorkItem], serial: Amount | None) -> None:
            return None

        def __call__(self, items: Sequence[WorkItem], batch: Batch) -> bool:
            for item in items:
                batch.record(scheduler.not_run(item.host.name, "not run: startup bench"))
            return False

    selection = core.select(ROOT / "playbooks" / "show_version.yaml", [ROOT / "inventory.yaml"])
    options = core.RunOptions(reports_dir=reports, html=False)
    core.run(selection, options, runner=NothingRuns())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--netjob", default=str(ROOT / ".venv" / "bin" / "netjob"))
    args = parser.parse_args()
    print(describe(info()), flush=True)
    with tempfile.TemporaryDirectory(prefix="netjob-startup-") as folder:
        reports = Path(folder)
        make_run(reports)
        try:
            measure(args.netjob, args.runs, reports)
        finally:
            # The bytecode the first mode removed, back even when the bench was cut short,
            # by the Python that runs `netjob` (its version names the files).
            python = Path(args.netjob).parent / "python"
            interpreter = str(python) if python.exists() else sys.executable
            subprocess.run([interpreter, "-m", "compileall", "-q", str(ROOT / "runner")])


def measure(netjob: str, runs: int, reports: Path) -> None:
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    modes = [("compiled at each start", {**cached, "PYTHONDONTWRITEBYTECODE": "1"})]
    modes.append(("bytecode cached", cached))
    for folder in (ROOT / "runner").rglob("__pycache__"):
        shutil.rmtree(folder)
    for label, env in modes:
        for command in COMMANDS:  # warm the file cache (and write the bytecode, if allowed)
            timed(*_argv(netjob, command, reports, env))
        for command in COMMANDS:
            times = [timed(*_argv(netjob, command, reports, env)) for _ in range(runs)]
            shown = "ru<TAB> (completion)" if command == ["<TAB>"] else " ".join(command)
            print(
                f"netjob {shown:58} median {statistics.median(times):.3f} s  "
                f"min {min(times):.3f}  max {max(times):.3f}  ({runs} runs, {label})"
            )


def _argv(
    netjob: str, command: list[str], reports: Path, env: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    if command == ["<TAB>"]:
        return [netjob], {**env, **COMPLETION}
    extra = ["--reports", str(reports)] if command[0] == "report" else []
    return [netjob, *command, *extra], env


if __name__ == "__main__":
    main()
