"""A room's public face: the names its callers (the CLI, scripts) use, each imported from
its module on first use.

A room's `__init__` lists its names once, as plain imports under `if TYPE_CHECKING:`: what
mypy and a reader see. At run time that block is skipped, and `faced` reads it from the
file to find a name's module when the name is first asked for: `import runner.cli` (and
`--help`, `--version`, `hosts`) pays only for what a command touches
(tests/test_startup_imports.py).
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def faced(package: str) -> Callable[[str], Any]:
    """The module `__getattr__` of `package`: each name its TYPE_CHECKING block imports,
    from its module, kept on the package once imported."""
    table: dict[str, str] = {}

    def __getattr__(name: str) -> Any:
        if not table:
            table.update(face_of(Path(str(sys.modules[package].__file__))))
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


def face_of(init: Path) -> dict[str, str]:
    """name -> module, for each `from module import name as name` under the file's
    `if TYPE_CHECKING:`."""
    found: dict[str, str] = {}
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for entry in node.body:
                if isinstance(entry, ast.ImportFrom) and entry.module:
                    found.update((alias.name, entry.module) for alias in entry.names)
    return found
