"""The house as issue 23 left it: core.py is the wiring of a run and no more; the CLI reads
each room through its face (the room's package), never its modules; rendering is the
render room's, before the run room is handed anything; one DEFAULT_WORKERS; and every
package the runner imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import re
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "runner"
ROOMS = ("base", "load", "render", "device", "run", "report")
FACES = ("base", "load", "render", "run", "report")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import in a file, a `from x import y` as x."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_core_is_the_wiring_of_a_run_under_250_lines() -> None:
    lines = (RUNNER / "core.py").read_text(encoding="utf-8").count("\n")
    assert lines < 250, f"runner/core.py has {lines} lines"


def test_the_cli_imports_each_room_through_its_face_only() -> None:
    inner = re.compile(rf"^runner\.({'|'.join(ROOMS)})\.")
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((RUNNER / "cli").glob("*.py"))
        for line, module in _imports(path)
        if inner.match(module)
    ]
    assert wrong == [], wrong


@pytest.mark.parametrize("room", FACES)
def test_each_name_on_a_face_is_its_module_s_own(room: str) -> None:
    """A face names each thing once (`from runner.x.m import n as n`), and what the
    package gives at run time is that very object."""
    from runner.base.face import face_of

    init = RUNNER / room / "__init__.py"
    face = face_of(init)
    assert face, f"runner/{room}/__init__.py shows no face"
    renamed = [
        f"{alias.name} as {alias.asname}"
        for node in ast.walk(ast.parse(init.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("runner.")
        for alias in node.names
        if alias.asname != alias.name and alias.name != "faced"
    ]
    assert renamed == [], renamed
    package = importlib.import_module(f"runner.{room}")
    for name, module in face.items():
        assert module.startswith(f"runner.{room}."), (name, module)
        assert getattr(package, name) is getattr(importlib.import_module(module), name)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = package.no_such_name


def test_rendering_is_done_before_the_run_room_is_handed_work() -> None:
    from runner import render
    from runner.run import scheduler

    assert render.expand.__module__ == "runner.render.expansion"
    assert not hasattr(scheduler, "expand") and not hasattr(scheduler, "_check_saves")
    # The run room imports render only where a step deferred to the device is finished.
    importers = sorted(
        path.name
        for path in (RUNNER / "run").glob("*.py")
        if any(m.startswith("runner.render") for _, m in _imports(path))
    )
    assert importers == ["step.py"], importers


def test_one_default_for_the_workers() -> None:
    from runner.base.models import DEFAULT_WORKERS
    from runner.core import RunOptions, run_job
    from runner.run import confirm_after

    defined = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in RUNNER.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "DEFAULT_WORKERS" for t in node.targets)
    ]
    assert defined == ["runner/base/models.py:" + defined[0].split(":")[1]], defined
    defaults = [
        RunOptions().workers,
        inspect.signature(run_job).parameters["workers"].default,
        inspect.signature(confirm_after.verify).parameters["workers"].default,
        inspect.signature(confirm_after.confirm_pending).parameters["workers"].default,
    ]
    assert defaults == [DEFAULT_WORKERS] * len(defaults)


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += extra
    return {_normal(re.split(r"[<>=!~\[; ]", w, maxsplit=1)[0]) for w in wanted}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_package_the_runner_imports_is_declared() -> None:
    """paramiko, rich, cryptography: imported by netjob itself, so declared, not left to
    come with netmiko or typer."""
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = set()
    for path in RUNNER.rglob("*.py"):
        for _, module in _imports(path):
            top = module.split(".")[0]
            if top in ("runner", "__future__") or top in sys.stdlib_module_names:
                continue
            names = distributions.get(top)
            assert names, f"{path.relative_to(ROOT)} imports {top}, installed by no package"
            if not {_normal(n) for n in names} & declared:
                missing.add(f"{top} ({', '.join(names)})")
    assert sorted(missing) == [], sorted(missing)
