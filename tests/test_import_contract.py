"""The import contract of pyproject.toml ([tool.importlinter]) holds on the tree, and it is
not a contract that cannot fail: the same check on a copy of the tree with one wrong-way
import added (the bottom room reaching up into the report room, the pipeline reaching into
the lab) is refused, naming it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for package in ("runner", "netjob_lab"):
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / package, tree / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_tree_keeps_the_import_contract(tmp_path: Path) -> None:
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    models = tree / "runner" / "base" / "models.py"
    models.write_text(models.read_text() + "\nfrom runner.report import console  # wrong way\n")
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    assert "runner.base.models -> runner.report.console" in done.stdout, done.stdout


def test_netmiko_outside_the_device_room_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    step = tree / "runner" / "run" / "step.py"
    step.write_text(step.read_text() + "\nimport netmiko  # only runner/device/ may\n")
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    assert "runner.run.step -> netmiko" in done.stdout, done.stdout


def test_runner_importing_the_lab_breaks_the_contract(tmp_path: Path) -> None:
    """netjob runs without netjob[lab]: only `netjob lab` (runner.cli.cmd_lab) may import it."""
    tree = _copy(tmp_path)
    for module, line in (
        ("runner/run/step.py", "from netjob_lab import Lab  # the pipeline never may"),
        ("runner/cli/cmd_run.py", "import netjob_lab.faults  # nor any other command"),
    ):
        path = tree / module
        path.write_text(path.read_text() + f"\n{line}\n")
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    assert "runner.run.step -> netjob_lab" in done.stdout, done.stdout
    assert "runner.cli.cmd_run -> netjob_lab.faults" in done.stdout, done.stdout


# The contracts of issue 23: the CLI reads a room through its face; the run room renders
# nothing (but step.py, finishing a step deferred to the device).
@pytest.mark.parametrize(
    ("module", "line", "chain"),
    [
        ("cli/cmd_history.py", "from runner.report import console", "runner.cli.cmd_history -> "),
        ("run/scheduler.py", "from runner.render import expansion", "runner.run.scheduler -> "),
    ],
)
def test_reaching_past_a_face_or_rendering_in_the_run_breaks_the_contract(
    tmp_path: Path, module: str, line: str, chain: str
) -> None:
    tree = _copy(tmp_path)
    source = tree / "runner" / module
    source.write_text(f"{source.read_text()}\n{line}\n")
    done = _lint(tree)
    wanted = chain + line.split()[1] + "." + line.split()[-1]
    assert done.returncode != 0 and wanted in done.stdout, done.stdout
