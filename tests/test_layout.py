"""The README's Layout section is the tree: every room and every module in it is named
under its room, and the top of runner/ holds only the rooms and a few core modules."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "runner"
ROOMS = ("base", "load", "render", "device", "run", "report")


def _layout() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]


def _entries(folder: Path) -> list[Path]:
    # py.typed: the PEP 561 marker that scripts' type checkers read, no module.
    return sorted(p for p in folder.iterdir() if p.name not in ("__pycache__", "py.typed"))


def test_the_top_of_runner_holds_the_rooms_and_a_few_core_modules() -> None:
    names = [p.name for p in _entries(RUNNER)]
    assert len(names) <= 10, names
    assert {*ROOMS, "cli", "core.py", "__init__.py"} == set(names), names


def test_the_lab_is_a_package_beside_runner_and_the_layout_says_so() -> None:
    assert (ROOT / "netjob_lab" / "__init__.py").is_file()
    assert "`netjob_lab/`, beside `runner/`" in _layout()


def test_the_readme_layout_names_every_module_under_its_room() -> None:
    bullets = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^- `(\w+)(?:/|\.py)`:(.*?)(?=^- |\Z)", _layout(), re.M | re.S)
    }
    assert set(bullets) >= {*ROOMS, "cli", "core"}, sorted(bullets)
    missing = [
        f"{room}/{module.name}"
        for room in ROOMS
        for module in _entries(RUNNER / room)
        if module.suffix == ".py"
        and module.name != "__init__.py"
        and f"`{module.name}`" not in bullets[room]
    ]
    assert not missing, f"add to README.md's Layout: {missing}"
