"""Junos' `load override terminal` in configuration mode: the text typed after it, up to a
Ctrl-D at the start of a line, becomes the whole candidate configuration (`commit` then
makes it the running one). The text is the curly-brace form `show configuration` prints.

As on Junos, a syntax error does not undo what was read before it: the candidate holds
the statements up to the error, and the answer ends `load complete (1 errors)`; it is the
client's to `rollback 0` rather than commit half a configuration.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab.junos_config import Statement

if TYPE_CHECKING:
    from netjob_lab.junos_shell import JunosShell

START = "[Type ^D at a new line to end input]\n"
_LEAF = re.compile(r"^(?P<segment>[^{};#]+?)\s*;\s*(?:##.*)?$")
_OPEN = re.compile(r"^(?P<segment>[^{};#]+?)\s*\{\s*(?:##.*)?$")


def load_override_terminal(shell: JunosShell, args: Sequence[str]) -> str:
    shell.loading = []
    return START


def end_load(shell: JunosShell) -> str:
    """Ctrl-D: the lines typed since `load override terminal` replace the candidate."""
    lines, shell.loading = shell.loading or [], None
    statements, error = parse(lines)
    shell.device.candidate = statements
    if error is not None:
        number, text = error
        return (
            f"terminal:{number}:(1) syntax error: {text.strip()[:40]}\nload complete (1 errors)\n"
        )
    return "load complete\n"


def parse(lines: Sequence[str]) -> tuple[list[Statement], tuple[int, str] | None]:
    """The statements of a curly-brace configuration, and the first line (number, text)
    that is not one, if any: the statements read before it are kept."""
    statements: list[Statement] = []
    path: list[str] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith(("#", "/*")):
            continue
        leaf, opened = _LEAF.match(line), _OPEN.match(line)
        if line == "}" and path:
            path.pop()
        elif opened:
            path.append(opened["segment"])
        elif leaf:
            statements.append((*path, leaf["segment"]))
        else:
            return statements, (number, line)
    if path:
        return statements, (len(lines), "missing '}'")
    return statements, None
