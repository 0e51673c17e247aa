"""Reading netjob's own source for tests that hold it to a rule (names, flags)."""

from __future__ import annotations

import ast
from pathlib import Path


def code_strings(path: Path) -> list[ast.Constant]:
    """The string constants of a module, its docstrings left out (docs may name anything)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
