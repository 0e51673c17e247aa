"""The run folder's layout is named in one module (runner/base/run_layout.py): no other module
of runner/ (the lab aside: it writes no run folder) spells a file or folder name of a run."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from runner.base import run_layout
from runner.base.safe_files import safe_name

RUNNER = Path(__file__).resolve().parent.parent / "runner"
LAYOUT = RUNNER / "base" / "run_layout.py"
# Names no other string of runner/ means: spelled anywhere (a path, a message), they are a
# run folder's.
FILE_NAMES = {
    run_layout.OWNER,
    run_layout.MANIFEST,
    run_layout.STARTED,
    run_layout.REPORT_JSON,
    run_layout.REPORT_MD,
    run_layout.REPORT_HTML,
    run_layout.KEPT,
}
# Words that are also JSON keys and task keys ("hosts", "confirm"): a run folder's only
# where a path is made of them (`run_dir / "hosts"`, f"hosts/{name}.log", Path("files")).
FOLDER_NAMES = {
    run_layout.LATEST,
    run_layout.OUTPUTS,
    run_layout.HOSTS,
    run_layout.FILES,
    run_layout.CONFIRM,
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants: prose, which may name the files it describes."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _text(node.values[0])  # an f-string's leading text: f"hosts/{name}.json"
    return None


def _spelled(tree: ast.AST) -> Iterator[tuple[int, str]]:
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            for part in re.findall(r"[\w.-]+", node.value):
                if part in FILE_NAMES or part.rstrip(".") in FILE_NAMES:
                    yield node.lineno, node.value
        parts: list[ast.expr] = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [node.right]  # run_dir / "hosts"
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Path":
            parts = node.args[:1]  # Path("files")
        elif isinstance(node, ast.JoinedStr):
            parts = [node]
        for part in parts:
            text = _text(part)
            if text is not None and text.split("/")[0] in FOLDER_NAMES and text != "":
                if isinstance(part, ast.JoinedStr) and "/" not in text:
                    continue  # f"{host} ..." prose, not a path
                yield node.lineno, text


def test_no_module_but_run_layout_spells_a_run_folder_name() -> None:
    found = []
    for path in sorted(RUNNER.rglob("*.py")):
        if path == LAYOUT or "lab" in path.relative_to(RUNNER).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(RUNNER.parent)}:{n}: {text!r}" for n, text in _spelled(tree)]
    found = sorted(set(found))
    assert found == []


def test_the_check_finds_a_spelled_name() -> None:
    """The scan above can fail: each way a name was spelled before run_layout is found."""
    source = '''
def f(run_dir, name):
    """Writes report.json (prose: allowed)."""
    a = run_dir / "report.json"
    b = f"hosts/{name}.log"
    c = run_dir / "hosts"
    d = Path("files")
    e = f"{run_dir}/report.html: cannot write"
    g = run_dir.parent / "outputs"
    return {"hosts": a, "confirm": b}
'''
    lines = sorted({n for n, _ in _spelled(ast.parse(source))})
    assert lines == [4, 5, 6, 7, 8, 9]


def test_the_layout_names_what_a_run_writes(tmp_path: Path) -> None:
    assert run_layout.host_log("r1") == "hosts/r1.log"
    assert run_layout.host_log("a/b") == f"hosts/{safe_name('a/b')}.log"
    assert run_layout.host_data("r1") == "hosts/r1.json"
    assert run_layout.kept_config(tmp_path, "r1") == tmp_path / "pre-change" / "r1.cfg"
    assert run_layout.pending_change(tmp_path, "r1") == tmp_path / "confirm" / "r1.json"
    assert run_layout.outputs_of(tmp_path / "run") == tmp_path / "outputs"
