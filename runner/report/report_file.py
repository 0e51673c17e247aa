"""report.json read a host at a time, for a page of a run of any size (runner.report.html):
the run without its hosts, each host's name, and each host's record read back from the file
when asked. It holds a window of the file's text and one host's record, never every host's
(nor the whole text: but for a file that is not ASCII, which netjob never writes). What the
keys mean is runner.report.document's; this module only finds where each host's entry is.
"""

from __future__ import annotations

import array
import codecs
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from runner.base.run_layout import REPORT_JSON
from runner.report.document import HostDoc, host_from_json, report_from_json
from runner.report.json_fields import json_key
from runner.report.records import ReportDoc

_HOSTS = json_key(ReportDoc, "hosts")
_WINDOW = 1 << 16  # characters read at a time
_SPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class ReportFile:
    """`report`: the run without its hosts (`hosts` empty); `names`: each host's name in the
    file's order; host(i): the i-th host's record. A file that is no report.json is a
    ValueError (KeyError or TypeError: a key missing, a value of the wrong type)."""

    def __init__(self, run_dir: Path) -> None:
        self._path = run_dir / REPORT_JSON
        with open(self._path, "rb") as file:
            window = _Window(file, keep=False)
            head, names, spans = _scan(window)
        if not window.ascii:  # offsets in characters are not in bytes: keep the text
            with open(self._path, "rb") as file:
                window = _Window(file, keep=True)
                head, names, spans = _scan(window)
        self.report = report_from_json(head)
        self.names = tuple(names)
        self._spans = spans
        # Offsets are characters: the file's bytes only while every character is one byte.
        self._text = window.text if not window.ascii else None

        self._fd: int | None = None

    def host(self, index: int) -> HostDoc:
        start, end = self._spans[2 * index], self._spans[2 * index + 1]
        if self._text is not None:
            entry = self._text[start:end]
        else:
            if self._fd is None:  # opened once: a page reads each host twice
                self._fd = os.open(self._path, os.O_RDONLY | os.O_CLOEXEC)
            entry = os.pread(self._fd, end - start, start).decode("ascii")
        return host_from_json(json.loads(entry))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ReportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Window:
    """The file's text from `base` on, read a window at a time; what lies before what the
    scanner still needs is let go (all of it kept with `keep`)."""

    def __init__(self, file: BinaryIO, keep: bool) -> None:
        self.file = file
        self.keep = keep
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buffer = ""
        self.base = 0  # the offset of buffer[0] in the text
        self.ended = False
        self.ascii = True

    @property
    def text(self) -> str:
        return self.buffer  # the whole text with `keep` (nothing was let go)

    def more(self) -> bool:
        if self.ended:
            return False
        raw = self.file.read(_WINDOW)
        piece = self.decoder.decode(raw, final=not raw)
        self.ended = not raw
        self.ascii = self.ascii and piece.isascii()
        self.buffer += piece
        return bool(piece) or not self.ended

    def forget(self, before: int) -> None:
        if not self.keep and before > self.base:
            self.buffer = self.buffer[before - self.base :]
            self.base = before

    def char(self, at: int) -> tuple[str, int]:
        """The first character at or after `at` that is no white space, and where."""
        while True:
            i = at - self.base
            while i < len(self.buffer) and self.buffer[i] in _SPACE:
                i += 1
            if i < len(self.buffer):
                return self.buffer[i], i + self.base
            at = i + self.base
            if not self.more():
                return "", at

    def value(self, at: int) -> tuple[Any, int, int]:
        """The JSON value at or after `at`: it, where it starts and where it ends. A value
        that reaches the window's end is read again with more of the file (a number may
        go on)."""
        _, start = self.char(at)
        while True:
            try:
                found, end = _DECODER.raw_decode(self.buffer, start - self.base)
            except json.JSONDecodeError:
                if self.more():
                    continue
                raise
            if end == len(self.buffer) and self.more():
                continue
            return found, start, end + self.base


def _scan(window: _Window) -> tuple[dict[str, Any], list[str], array.array[int]]:
    """report.json's keys but `hosts` decoded (`hosts` empty), each host's name, and where
    each host's entry starts and ends (pairs of offsets)."""
    head: dict[str, Any] = {}
    names: list[str] = []
    spans: array.array[int] = array.array("q")
    at = 0

    def token(expected: str) -> str:
        nonlocal at
        found, at = window.char(at)
        if not found or found not in expected:
            raise ValueError(f"{REPORT_JSON}: expected one of {expected!r} at {at}")
        at += 1
        return found

    def members(each: Any) -> None:
        """An object's members, each key handed to `each`, which reads its value."""
        nonlocal at
        token("{")
        if window.char(at)[0] == "}":
            token("}")
            return
        while True:
            key, _, at = window.value(at)
            if not isinstance(key, str):
                raise ValueError(f"{REPORT_JSON}: a key that is no string at {at}")
            token(":")
            each(key)
            window.forget(at)
            if token(",}") == "}":
                return

    def host(name: str) -> None:
        nonlocal at
        _, start, at = window.value(at)  # decoded to find its end, then dropped
        names.append(name)
        spans.extend((start, at))

    def top(key: str) -> None:
        nonlocal at
        if key == _HOSTS:
            head[key] = {}
            members(host)
        else:
            head[key], _, at = window.value(at)

    members(top)
    if window.char(at)[0]:
        raise ValueError(f"{REPORT_JSON}: more after the document at {at}")
    return head, names, spans
