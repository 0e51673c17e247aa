"""Safe YAML loading that remembers where every key was, for errors that name file:line.

Hostile YAML is refused before it can hurt: files over MAX_BYTES, more than MAX_ALIASES
aliases, aliases that expand to more than MAX_ALIAS_NODES nodes (the "billion laughs": the
size counted is the tree after expansion, not the text), an alias inside the node it names,
or nesting deeper than MAX_DEPTH on any path (block, flow, and through aliases alike).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runner.base import user_files
from runner.base.errors import LoadError

MAX_BYTES = 20 * 1024 * 1024
MAX_ALIASES = 100
MAX_DEPTH = 50
MAX_ALIAS_NODES = 1_000_000  # nodes aliases may add once expanded (each alias: its node's size)


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
        # `<<: *base` then `key: override` is the YAML idiom for "like base, except": keys
        # merged in may be overridden, only a key written twice by hand is a mistake.
        merges = sum(key_node.tag == _MERGE for key_node, _ in node.value)
        own = len(node.value) - merges
        self.flatten_mapping(node)  # merges `<<`, and makes a `=` key a plain string
        merged = len(node.value) - own
        build = self.build
        written: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = build(key_node)
            if not isinstance(key, str):
                raise _Refused(f"key {key!r} must be a string", key_node.start_mark.line + 1)
            if index >= merged:
                if key in written:
                    raise _Refused(f"duplicate key '{key}'", key_node.start_mark.line + 1)
                written.add(key)
            result[key] = build(value_node)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_line_sequence(self: Any, node: yaml.SequenceNode) -> LineList:
        result = LineList(map(self.build, node.value))
        result.line = node.start_mark.line + 1
        return result

    def build(self: Any, node: yaml.Node) -> Any:
        return self.construct_object(node, deep=True)


class _Loader(_LineConstructor, yaml.SafeLoader):
    """Pure Python, and so able to count as it composes: aliases, the size they add once
    expanded, and the depth of every path (an alias adds the height of the node it names)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._added = 0  # nodes the aliases so far add when expanded
        self._depth = 0
        self._deepest = 0  # the deepest level reached under the node being composed
        self._shape: dict[int, tuple[int, int]] = {}  # anchored node -> (size, height)
        self._nodes = 0  # nodes so far, aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            return self._alias(line, super().compose_node(parent, index))
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", line)
            anchor = self.peek_event().anchor  # type: ignore[no-untyped-call]
            first, outer = self._nodes, self._deepest
            self._deepest = self._depth
            self._nodes += 1
            node = super().compose_node(parent, index)
            if anchor is not None:
                self._shape[id(node)] = (self._nodes - first, self._deepest - self._depth + 1)
            self._deepest = max(outer, self._deepest)
            return node
        finally:
            self._depth -= 1

    def _alias(self, line: int, node: Any) -> Any:
        self._aliases += 1
        if self._aliases > MAX_ALIASES:
            raise _Refused(f"more than {MAX_ALIASES} YAML aliases (*refs); write it out", line)
        if id(node) not in self._shape:  # still being composed: `&a [*a]`
            raise _Refused("an alias inside the node it names (a loop); write it out", line)
        size, height = self._shape[id(node)]
        self._nodes += size
        self._added += size
        if self._added > MAX_ALIAS_NODES:
            raise _Refused(
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes; write it out", line
            )
        if self._depth + height > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels (through an alias)", line)
        self._deepest = max(self._deepest, self._depth + height)
        return node


class _CLoader(_LineConstructor, yaml.CSafeLoader):
    """libyaml: ten times faster, wherever it limits nesting itself (_fast_ok()).

    build() skips PyYAML's per-node bookkeeping (memo, recursion guard) for the nodes an
    inventory is made of (plain strings, mappings, sequences) and hands every other tag to
    PyYAML; a node met twice (an alias) is built once. It counts the depth of every
    collection as it builds (block and flow alike). A text that may hold aliases has its
    composed graph checked first (_check_aliases): libyaml composes an alias as the node it
    names, never expanding it, so the count costs one walk of the graph, where the careful
    loader composed a 16 MB inventory with one alias in pure Python for 30 s.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}
        self._built: dict[int, Any] = {}  # a node met twice (an alias) is built once
        self._depth = 0
        self._may_alias = bool(_ALIAS.search(stream))

    def construct_document(self, node: yaml.Node) -> Any:
        if self._may_alias:
            _check_aliases(node)
        return super().construct_document(node)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # libyaml asks this for every scalar; the answer for a plain scalar depends on its
        # text alone, and inventories repeat the same keys and values thousands of times.
        if kind is yaml.ScalarNode and implicit[0]:
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

    def build(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR and type(node) is yaml.ScalarNode:
            return node.value
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self.construct_object(node, deep=True)
        if id(node) in self._built:
            return self._built[id(node)]
        self._depth += 1
        try:
            # The careful loader counts a scalar as a level too: children sit one deeper.
            if node.value and self._depth >= MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
            if tag == _MAPPING and kind is yaml.MappingNode:
                built: Any = self.construct_line_mapping(node)  # type: ignore[arg-type]
            elif tag == _SEQUENCE and kind is yaml.SequenceNode:
                built = self.construct_line_sequence(node)  # type: ignore[arg-type]
            else:
                return self.construct_object(node, deep=True)
            self._built[id(node)] = built
            return built
        finally:
            self._depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node) -> None:
    """The careful loader's limits, on a composed graph: an alias is a node reached again.
    Walked once, in document order (so a node is first met at its anchor), with the size
    and height of each node known by the time an alias reaches it again. Refusals name the
    line of the node that holds the alias."""
    aliases = added = 0
    shape: dict[int, tuple[int, int, bool]] = {}  # node: size, height, deepest via an alias
    on_path = {id(root)}
    stack: list[tuple[yaml.Node, Iterator[yaml.Node], list[Any]]] = [
        (root, iter(_children(root)), [1, 0, False])
    ]
    while stack:
        node, children, acc = stack[-1]
        line = node.start_mark.line + 1
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.discard(id(node))
            size, height, through = acc[0], acc[1] + 1, acc[2]
            shape[id(node)] = (size, height, through)
            if through and height > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels (through an alias)", line)
            if stack:
                _grow(stack[-1][2], size, height, through)
            continue
        if id(child) in on_path:
            raise _Refused("an alias inside the node it names (a loop); write it out", line)
        known = shape.get(id(child))
        if known is None:
            on_path.add(id(child))
            stack.append((child, iter(_children(child)), [1, 0, False]))
            continue
        aliases += 1
        added += known[0]
        if aliases > MAX_ALIASES:
            raise _Refused(f"more than {MAX_ALIASES} YAML aliases (*refs); write it out", line)
        if added > MAX_ALIAS_NODES:
            raise _Refused(
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes; write it out", line
            )
        _grow(acc, known[0], known[1], True)


def _grow(acc: list[Any], size: int, height: int, through: bool) -> None:
    """A parent's running (size, height, deepest-via-an-alias) after one more child."""
    acc[0] += size
    if height > acc[1]:
        acc[1], acc[2] = height, through


# Wide on purpose: a `*` that may start an alias anywhere sends the text to the careful
# loader (JSON-style `{"k":*a}` included); a false alarm only costs speed.
_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])\*[^\s*]")


@functools.lru_cache(maxsize=1)
def libyaml_limits_nesting() -> bool:
    """Whether the libyaml in use refuses deep nesting itself (libyaml after 0.2.5, as in
    PyYAML 6.0.4's wheels). An older one (PyYAML 6.0.2/6.0.3's wheels, Debian's
    python3-yaml) composes any nesting recursively in C: a crafted file of a few KB (`- - -
    ...`, or brackets a comment or a quoted string hides from any counter) crashes the
    process with SIGSEGV, past anything Python can catch. Probed by scanning alone, which
    is not recursive, so the probe itself is safe on either."""
    if not yaml.__with_libyaml__:
        return False
    scanner = yaml.CSafeLoader("[" * 1100)
    try:
        while scanner.check_token():
            scanner.get_token()
    except yaml.YAMLError as exc:
        return "depth" in str(exc)
    finally:
        scanner.dispose()
    return False


def _fast_ok(text: str) -> bool:
    """libyaml only where it cannot crash (its own nesting limit); aliases are counted on
    the graph it composes (_check_aliases), depth as the nodes are built."""
    return libyaml_limits_nesting()


class _Refused(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


_MAPPING = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQUENCE = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_STR = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_MERGE = "tag:yaml.org,2002:merge"
for _cls in (_Loader, _CLoader):
    _cls.add_constructor(_MAPPING, _cls.construct_line_mapping)
    _cls.add_constructor(_SEQUENCE, _cls.construct_line_sequence)


@dataclass(frozen=True)
class Vaulted:
    """An Ansible Vault value (`!vault |`): its ciphertext and line. Not a str, so it is
    never taken for the value itself; runner.load.vault decrypts it where a loader allows."""

    ciphertext: str
    line: int


def _vaulted(loader: Any, node: yaml.Node) -> Vaulted:
    return Vaulted(str(loader.construct_scalar(node)), node.start_mark.line + 1)


for _cls in (_Loader, _CLoader):
    _cls.add_constructor("!vault", _vaulted)


def load_yaml(path: Path, data: bytes | None = None) -> Any:
    """Read one YAML file (or parse `data`, its bytes as already read). Every problem is a
    LoadError naming the file (and line)."""
    try:
        if data is None or len(data) > MAX_BYTES:
            text = user_files.read_text(path, MAX_BYTES)
        else:
            text = user_files.decode(data)
    except user_files.FileRefused as exc:
        raise LoadError(f"{path}: {exc}", path=path) from None
    return parse_yaml(text, str(path), path=path)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Build many small objects without the cyclic collector running every 700 of them.

    A 10,000-host inventory is ~150,000 nodes: with the collector on, its full passes over
    the growing heap took half of the load time. Trees from YAML hold no cycles the
    collector could free; reference counting frees them as always.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_yaml(text: str, name: str, *, path: Path | None = None) -> Any:
    """`text` as YAML; a LoadError names `name` (and the line), and carries `path`, the
    file the text came from (None for text given on the command line)."""
    loader = _CLoader(text) if _fast_ok(text) else _Loader(text)
    try:
        with paused_gc():
            return loader.get_single_data()
    except _Refused as exc:
        where = f"{name}:{exc.line}" if exc.line else name
        raise LoadError(f"{where}: refused: {exc}", path=path, line=exc.line or None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        where = f"{name}:{line}" if line else name
        problem = exc.problem or exc.context or "invalid YAML"
        tab = _indent_tab(text, line)
        if tab is not None:  # PyYAML says "found character that cannot start any token"
            raise LoadError(
                f"{name}:{tab}: a tab at line {tab}: YAML indents with spaces; replace it "
                "with spaces",
                path=path,
                line=tab,
            ) from None
        if "nesting depth" in problem:  # libyaml's own limit, far past ours
            raise LoadError(
                f"{where}: refused: nested deeper than {MAX_DEPTH} levels", path=path, line=line
            ) from None
        raise LoadError(
            f"{where}: invalid YAML: {problem}; fix the syntax there", path=path, line=line
        ) from None
    except RecursionError:
        raise LoadError(
            f"{name}: refused: nested deeper than {MAX_DEPTH} levels", path=path
        ) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise LoadError(f"{name}: invalid YAML: {exc}", path=path) from None
    finally:
        loader.dispose()


_TAB_INDENT = re.compile(r"^ *\t")


def _indent_tab(text: str, line: int | None) -> int | None:
    """The error's line (1-based), or the one before (PyYAML may stop at the next token),
    when a tab stands in its indentation; None otherwise (a tab inside a block scalar's
    text is content, and the error is elsewhere)."""
    if line is None:
        return None
    lines = text.splitlines()
    for number in (line - 1, line):
        if 0 < number <= len(lines) and _TAB_INDENT.match(lines[number - 1]):
            return number
    return None


def line_of(data: Any, key: str | None = None) -> int:
    """Best-known line of a mapping (or of one of its keys); 0 when unknown."""
    if isinstance(data, LineDict):
        if key is not None and key in data.key_lines:
            return data.key_lines[key]
        return data.line
    if isinstance(data, LineList):
        return data.line
    return 0
