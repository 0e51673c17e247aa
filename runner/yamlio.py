"""Safe YAML loading that remembers where every key was, for errors that name file:line.

Hostile YAML is refused before it can hurt: files over MAX_BYTES, more than MAX_ALIASES
aliases (the "billion laughs" expansion), or nesting deeper than MAX_DEPTH.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from runner.errors import LoadError

MAX_BYTES = 20 * 1024 * 1024
MAX_ALIASES = 100
MAX_DEPTH = 50


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0


class _LineConstructor:
    """Builds LineDict/LineList from nodes: shared by the C and the pure-Python loaders."""

    def construct_line_mapping(self: Any, node: yaml.MappingNode) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _Refused(f"key {key!r} must be a string", key_node.start_mark.line + 1)
            if key in result:
                raise _Refused(f"duplicate key '{key}'", key_node.start_mark.line + 1)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_line_sequence(self: Any, node: yaml.SequenceNode) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        return result


class _Loader(_LineConstructor, yaml.SafeLoader):
    """Pure Python, and so able to count aliases and depth as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
                raise _Refused(f"more than {MAX_ALIASES} YAML aliases (*refs); write it out", line)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _CLoader(_LineConstructor, yaml.CSafeLoader):
    """libyaml: ten times faster, for the texts _fast_ok() shows to be harmless."""


_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s*]")
_BRACKET = re.compile(r"[\[\]{}]")
_DEEP_INDENT = re.compile(r"^ {100,}\S", re.MULTILINE)


def _fast_ok(text: str) -> bool:
    """No aliases and no deep nesting: libyaml composes recursively in C, so a hostile
    nesting would crash the process instead of raising, and it cannot count aliases."""
    if not yaml.__with_libyaml__ or _ALIAS.search(text) or _DEEP_INDENT.search(text):
        return False
    depth = 0
    for bracket in _BRACKET.finditer(text):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH // 2:
            return False
    return True


class _Refused(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


_MAPPING = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQUENCE = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
for _cls in (_Loader, _CLoader):
    _cls.add_constructor(_MAPPING, _cls.construct_line_mapping)
    _cls.add_constructor(_SEQUENCE, _cls.construct_line_sequence)


def load_yaml(path: Path) -> Any:
    """Read one YAML file. Every problem is a LoadError naming the file (and line)."""
    if path.is_dir():
        raise LoadError(f"{path}: is a folder; give the YAML file inside it")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"{path}: cannot read: {exc.strerror}; check the path") from exc
    if size > MAX_BYTES:
        raise LoadError(f"{path}: file is {size} bytes, over the {MAX_BYTES}-byte limit")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, name: str) -> Any:
    loader = _CLoader(text) if _fast_ok(text) else _Loader(text)
    try:
        return loader.get_single_data()
    except _Refused as exc:
        where = f"{name}:{exc.line}" if exc.line else name
        raise LoadError(f"{where}: refused: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = exc.problem or exc.context or "invalid YAML"
        raise LoadError(f"{where}: invalid YAML: {problem}; fix the syntax there") from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise LoadError(f"{name}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def line_of(data: Any, key: str | None = None) -> int:
    """Best-known line of a mapping (or of one of its keys); 0 when unknown."""
    if isinstance(data, LineDict):
        if key is not None and key in data.key_lines:
            return data.key_lines[key]
        return data.line
    if isinstance(data, LineList):
        return data.line
    return 0
