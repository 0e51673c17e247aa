"""Where a task's `save_to:` file goes: one rule (README, Job files).

The job's author owns their file system: the text written in `save_to:` and the values
of the job's own `vars:` and `-e` may make an absolute path or a relative one, with `..`;
a relative path is relative to the job file's folder (as `template:` is), so a cron job
writes to the same place whatever its working folder. What comes from inventory or
device data (`host.*`, inventory vars, `registered.*`, loop items drawn from them) is one part
of a name: it stays inside the folder it is rendered into, its separators, leading dots
and control characters made safe (runner.base.safe_files.safe_name), so a host named `../../x` or
`a/b` writes `…/_-<hash>`, `…/a_b-<hash>`.

Each `{{ }}` of the save_to template is judged by the variables it reads; one that reads
any other than the job's own (or one the template sets itself) is device or inventory
data. The rendered path is kept as `<anchor>/./<relative>`, still a valid path: the anchor
is the folder the author wrote (the job's folder when it lies inside it), where links are
the author's; below it netjob never follows a link (runner.base.safe_files.write_private).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.visitor import NodeTransformer

from runner.base.safe_files import safe_name
from runner.render import sandbox

_MARK = "\x00"  # around a part from inventory or device data, while placing the path
_SEP = "/./"
# In a task's variables when its save_to is finished on the device (runner.render.templating):
# the job's folder and the names the job owns. Not a name a template can read.
CONTEXT_KEY = "netjob:save_to"
_NEVER = "host"  # a name never owned by the job: marks a part that reads a template's own
_TRUSTED: ContextVar[frozenset[str]] = ContextVar("netjob_save_to_trusted", default=frozenset())


class _MarkParts(NodeTransformer):
    """Every `{{ expression }}` goes through PathSandbox.part(value, names it reads)."""

    def __init__(self, own: set[str]) -> None:
        self.own = own  # names the template sets itself ({% set %}, {% for %}, macros)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        marked: list[nodes.Expr] = []
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                marked.append(child)
                continue
            found = [child, *child.find_all(nodes.Name)]  # find_all skips the node itself
            names = {n.name for n in found if isinstance(n, nodes.Name) and n.ctx == "load"}
            if names & self.own:
                names.add(_NEVER)
            marked.append(
                nodes.Call(
                    nodes.EnvironmentAttribute("part"),
                    [child, nodes.Const(tuple(sorted(names)))],
                    [],
                    None,
                    None,
                    lineno=child.lineno,
                )
            )
        node.nodes = marked
        return node


class PathSandbox(sandbox.Sandbox):
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        result: nodes.Template = _MarkParts(own).visit(tree)
        return result

    def part(self, value: Any, names: tuple[str, ...]) -> str:
        text = str(value)
        if _MARK in text:
            raise SecurityError("save_to: a value holds a NUL character")
        if _TRUSTED.get().issuperset(names):
            return text
        return _MARK + safe_name(text) + _MARK


_PATHS = PathSandbox(undefined=jinja2.StrictUndefined, autoescape=False)


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> jinja2.Template:
    return _PATHS.from_string(source)


def owned_names(job_vars: Iterable[str], extra_vars: Iterable[str]) -> frozenset[str]:
    """The job's `vars:` and `-e` names; never `host`, `registered` (`saved` before) or
    `item` (the loop's, owned only when loop_is_owned)."""
    return frozenset({*job_vars, *extra_vars} - {"host", "registered", "saved", "item"})


def loop_is_owned(loop: str | tuple[Any, ...] | None, owned: frozenset[str]) -> bool:
    """A loop written in the job, or drawn from the job's own variables only."""
    if not isinstance(loop, str):
        return True
    tree = _PATHS.parse("{{ " + loop + " }}")
    return owned.issuperset(meta.find_undeclared_variables(tree))


def render(source: str, context: Mapping[str, Any]) -> str:
    """The save_to template rendered and placed (see the module's docstring); the job's
    folder and owned names come from `context[CONTEXT_KEY]`. Raises jinja2 errors."""
    if _MARK in source:
        raise SecurityError("save_to: holds a NUL character")
    base, owned = context[CONTEXT_KEY]
    token = _TRUSTED.set(owned)
    try:
        text = _compiled(source).render(context) if "{" in source else source
    finally:
        _TRUSTED.reset(token)
    return _place(text, Path(base))


def _place(text: str, base: Path) -> str:
    first = text.find(_MARK)
    written = text if first < 0 else text[:first]
    folder = written.rpartition("/")[0] or ("/" if written.startswith("/") else "")
    anchor = Path(os.path.normpath(base / folder))
    parts = [p.replace(_MARK, "") for p in text[len(folder) :].split("/")]
    parts = [p for p in parts if p not in ("", ".")]
    if not parts or text.rstrip(_MARK).endswith("/"):
        raise jinja2.TemplateError(
            f"save_to: {text.replace(_MARK, '')!r} names a folder; end it with a file name"
        )
    if anchor == base or base in anchor.parents:  # inside the job's folder: no link there
        parts, anchor = [*anchor.relative_to(base).parts, *parts], base
    return f"{str(anchor).rstrip('/')}{_SEP}{'/'.join(parts)}"


def split(placed: str) -> tuple[Path, Path]:
    """(anchor, relative) of a placed save_to path."""
    anchor, _, relative = placed.partition(_SEP)
    return Path(anchor or "/"), Path(relative)


def job_folder(job_path: Path) -> str:
    return os.path.normpath(os.path.abspath(job_path.parent))
