"""Command output → rows (a list of dicts) with TextFSM.

With no template of its own, a task is parsed by ntc-templates, chosen by platform (the
netmiko device_type) and command, exactly as netmiko's `use_textfsm=True` does. With
`template`, the user's TextFSM file is used; it is read and compiled once per process.
Keys are lowercased either way, as ntc-templates does, so checks name `version`, not
`VERSION`.

Every failure is a ParseError: one line naming platform, command and what to try.
"""

from __future__ import annotations

import functools
import io
import threading
from pathlib import Path
from typing import Any

import textfsm
from ntc_templates.parse import ParsingException
from ntc_templates.parse import parse_output as ntc_parse_output

from runner.base import user_files
from runner.base.errors import ParseError


def parse_output(
    platform: str, command: str, output: str, template: Path | None = None
) -> list[dict[str, Any]]:
    """The rows TextFSM reads from `output`; raises ParseError."""
    if template is not None:
        return _parse_with(template, platform, command, output)
    try:
        rows: list[dict[str, Any]] = ntc_parse_output(
            platform=platform, command=command, data=output
        )
    except ParsingException as exc:
        if "No template found" not in str(exc):
            raise ParseError(_refused(platform, command, exc.__cause__ or exc)) from exc
        raise ParseError(
            f"ntc-templates has no template for '{command}' on {platform}; check the host's "
            "platform and the command, or give the task its own TextFSM `template:`"
        ) from exc
    except textfsm.TextFSMError as exc:
        raise ParseError(_refused(platform, command, exc)) from exc
    return rows


def _parse_with(path: Path, platform: str, command: str, output: str) -> list[dict[str, Any]]:
    compiled, lock = _compiled(path.resolve())
    # A TextFSM object keeps its state while parsing; workers share it one at a time.
    with lock:
        compiled.Reset()
        try:
            rows = compiled.ParseTextToDicts(output)
        except textfsm.TextFSMError as exc:
            raise ParseError(_refused(platform, command, exc, path)) from exc
    return [{key.lower(): value for key, value in row.items()} for row in rows]


@functools.lru_cache(maxsize=64)
def _compiled(path: Path) -> tuple[Any, threading.Lock]:
    """Read and compile a template once; a bad file raises ParseError (and is not cached)."""
    try:
        text = user_files.read_text(path, 1 << 20)
    except user_files.FileRefused as exc:
        raise ParseError(f"TextFSM template {path}: {exc}") from None
    try:
        return textfsm.TextFSM(io.StringIO(text)), threading.Lock()
    except textfsm.TextFSMTemplateError as exc:
        raise ParseError(f"TextFSM template {path} is invalid: {exc}; fix the template") from exc


def _refused(platform: str, command: str, exc: Exception, path: Path | None = None) -> str:
    which = f"template {path}" if path else "the ntc-templates template"
    return (
        f"{which} refused the output of '{command}' on {platform} ({exc}); "
        "check that the command's output is what the template expects"
    )
