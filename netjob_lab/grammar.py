"""IOS-style command matching: abbreviated keywords, typed arguments, IOS's error texts.

A command is written as a spec string: lowercase words are keywords, which the user may
abbreviate to any unambiguous prefix (`sh ip int br`); uppercase words are arguments:

    WORD    any one token              NUM     a decimal number
    IP      a dotted-quad IPv4 address IFNAME  an interface name, abbreviations expanded
    PREFIX  an address and length, 192.0.2.1/24   JIF  a Junos interface name, ge-0/0/1
    LINE    the rest of the line, spaces kept (descriptions, regexes)

Which interface types IFNAME knows is the grammar's (IOS: GigabitEthernet, ...; EOS: Ethernet).

`Grammar(specs).match(line)` answers which spec a line is and with which arguments, or
why it is none of them, in the three ways IOS says so (invalid, ambiguous, incomplete).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

INTERFACE_TYPES = ("GigabitEthernet", "Loopback", "Tunnel", "Vlan")

_IFNAME = re.compile(r"([A-Za-z-]+)(\d+(?:/\d+)*(?:\.\d+)?)")
_JUNOS_IFNAME = re.compile(r"(?:(?:ge|xe|et|fe)-\d+/\d+/\d+|lo0|irb|ae\d+|fxp0|em\d+)")


def interface_name(text: str, types: Sequence[str] = INTERFACE_TYPES) -> str | None:
    """`gi0/1` → `GigabitEthernet0/1`; None when the type is unknown or ambiguous."""
    found = _IFNAME.fullmatch(text)
    if found is None:
        return None
    prefix = found.group(1).lower()
    hits = [t for t in types if t.lower().startswith(prefix)]
    return hits[0] + found.group(2) if len(hits) == 1 else None


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        return None


def _prefix(text: str) -> str | None:
    try:
        return str(ipaddress.IPv4Interface(text)) if "/" in text else None
    except ValueError:
        return None


_ARGUMENTS: dict[str, Callable[[str], str | None]] = {
    "WORD": lambda text: text,
    "LINE": lambda text: text,
    "NUM": lambda text: text if text.isdigit() else None,
    "IP": _ip,
    "PREFIX": _prefix,
    "JIF": lambda text: text if _JUNOS_IFNAME.fullmatch(text) else None,
    "IFNAME": interface_name,
}


@dataclass(frozen=True)
class Token:
    text: str
    start: int


def tokenize(line: str, offset: int = 0) -> list[Token]:
    return [Token(m.group(), m.start() + offset) for m in re.finditer(r"\S+", line)]


@dataclass(frozen=True)
class Match:
    """Which spec matched, its arguments (normalized) and where each one was typed."""

    index: int
    words: tuple[str, ...]  # the command as IOS understood it: keywords in full
    args: tuple[str, ...]
    arg_columns: tuple[int, ...]


@dataclass(frozen=True)
class ParseError:
    """`kind` is "invalid" (column is where the caret goes), "ambiguous" (column: the word's
    start) or "incomplete"."""

    kind: str
    column: int = 0
    argument: bool = False  # an "invalid" word where an argument was due (Huawei's wording)


class Grammar:
    """A fixed set of command specs, compiled once."""

    def __init__(
        self, specs: Sequence[str], interface_types: Sequence[str] = INTERFACE_TYPES
    ) -> None:
        self.specs = tuple(specs)  # as written, for `netjob lab --commands`
        self._specs = [tuple(spec.split()) for spec in specs]
        unknown = {w for s in self._specs for w in s if w.isupper() and w not in _ARGUMENTS}
        if unknown:
            raise ValueError(f"unknown argument kinds in grammar: {sorted(unknown)}")
        types = tuple(interface_types)
        self._arguments: dict[str, Callable[[str], str | None]] = {
            **_ARGUMENTS,
            "IFNAME": lambda text: interface_name(text, types),
        }

    def match(self, line: str, tokens: Sequence[Token] | None = None) -> Match | ParseError:
        tokens = tokenize(line) if tokens is None else tokens
        alive = {i: _Partial() for i in range(len(self._specs))}
        for pos, token in enumerate(tokens):
            step = self._step(alive, pos, token, line)
            if isinstance(step, ParseError):
                return step
            alive = step
            rest = [i for i, partial in alive.items() if partial.rest_taken]
            if rest:
                return self._done(rest[0], alive[rest[0]])
        complete = [i for i in alive if len(self._specs[i]) == len(tokens)]
        if complete:
            return self._done(complete[0], alive[complete[0]])
        return ParseError("incomplete")

    def _step(
        self, alive: dict[int, _Partial], pos: int, token: Token, line: str
    ) -> dict[int, _Partial] | ParseError:
        word = token.text.lower()
        keywords = {self._specs[i][pos] for i in alive if _keyword_at(self._specs[i], pos)}
        hits = [k for k in keywords if k.startswith(word)]
        if word in hits:
            hits = [word]
        elif hits and all(h.startswith(min(hits, key=len)) for h in hits):
            hits = [min(hits, key=len)]  # NX-OS `sh int`: interface, not interfaces
        if len(hits) > 1:
            return ParseError("ambiguous", token.start)
        if hits:
            return {
                i: partial.add(hits[0], None, token)
                for i, partial in alive.items()
                if _keyword_at(self._specs[i], pos) and self._specs[i][pos] == hits[0]
            }
        survivors: dict[int, _Partial] = {}
        for i, partial in alive.items():
            spec = self._specs[i]
            if pos >= len(spec) or _keyword_at(spec, pos):
                continue
            raw = line[token.start :].rstrip() if spec[pos] == "LINE" else token.text
            value = self._arguments[spec[pos]](raw)
            if value is not None:
                survivors[i] = partial.add(value, value, token, rest_taken=spec[pos] == "LINE")
        if not survivors:
            argument = any(
                pos < len(self._specs[i]) and not _keyword_at(self._specs[i], pos) for i in alive
            )
            return ParseError("invalid", _caret(token, keywords), argument)
        return survivors

    def _done(self, index: int, partial: _Partial) -> Match:
        return Match(index, tuple(partial.words), tuple(partial.args), tuple(partial.columns))


@dataclass(frozen=True)
class _Partial:
    words: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    columns: tuple[int, ...] = ()
    rest_taken: bool = False

    def add(self, word: str, arg: str | None, token: Token, rest_taken: bool = False) -> _Partial:
        if arg is None:
            return _Partial((*self.words, word), self.args, self.columns)
        columns = (*self.columns, token.start)
        return _Partial((*self.words, word), (*self.args, arg), columns, rest_taken)


def _keyword_at(spec: tuple[str, ...], pos: int) -> bool:
    return pos < len(spec) and not spec[pos].isupper()


def _caret(token: Token, keywords: set[str]) -> int:
    """IOS puts the caret on the first character that no keyword could continue with."""
    word = token.text.lower()
    best = 0
    for keyword in keywords:
        common = 0
        while common < min(len(word), len(keyword)) and word[common] == keyword[common]:
            common += 1
        best = max(best, common)
    return token.start + min(best, len(word) - 1)


def error_text(error: ParseError, line: str, prompt: str) -> str:
    """The lines IOS prints for a command it could not take, without the next prompt."""
    if error.kind == "ambiguous":
        return f'% Ambiguous command:  "{line.strip()}"\n'
    if error.kind == "incomplete":
        return "% Incomplete command.\n\n"
    return invalid_text(len(prompt) + error.column)


def invalid_text(caret_column: int) -> str:
    return " " * caret_column + "^\n% Invalid input detected at '^' marker.\n\n"
