"""Known secret values (credentials, secret-looking variables, device secrets found before)
masked where they stand as the secret, in one pass over a text whatever their number.

A value is masked where it is a whole token: the character either side of it, if any, is
not a token character. Token characters are letters, digits and `_ - . $ ! # % + * & ~ ^ ?`
(`. ! ?` only inside a token: a full stop ends a sentence); whitespace, quotes, `= : , ;`,
brackets, `\\ @ / |` end a token. So with the password `admin`, `password admin`,
`"admin"`, `key=admin`, `b'admin\\n'` (netmiko's -vv log) and `scp://u:admin@host` lose
it, while `administratively down`, `admin-state` and `sysadmin` are kept byte for byte:
masking never changes a character that is not a secret.

A value that cannot be told from an ordinary word (weak(): under 6 characters, only
letters, only digits or only punctuation) is masked only where it stands in a secret's
place: right after a quote, `=` or `:`, or after a secret keyword (`password`, `secret 0`,
`key 7`, `Password:`, ...). Elsewhere it reads as the word the device printed (`admin
down`, `Client admin up`).

Cost: the index maps a value's first token to the values that start with it. A text is
split into tokens once and intersected with the index's keys, both in C; only the tokens
found are looked at again. The time per text grows with its length, never with the
number of values known: a run of thousands of hosts, each with its own password, masks
each output as fast as the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MASK = "********"

_ENDS = "\\s'\"`=:,;()\\[\\]{}<>\\\\@/|"  # characters that end a token (a character class)
# A token never ends with `.`, `!` or `?`: a sentence's full stop is not part of the word
# before it (`... is Sup3r-Secret-pw.`), while `admin.example.com` stays one token.
_TOKEN = re.compile(f"[^{_ENDS}]*[^{_ENDS}.!?]")
_END = re.compile(f"[{_ENDS}]")
_AFTER = re.compile(f"[.!?]*(?:[{_ENDS}]|\\Z)")  # what may follow a token
# A secret's place, for a weak value: what the text holds just before it.
_PLACE = re.compile(
    r"(?:['\"`=:]"
    r"|(?:passw|secret|key|communit|phrase|pwd|psk|token|credential)[\w-]*['\"]?"
    r"[ \t]*[:=]?[ \t]*(?:[0-9]{1,2}[ \t]+)?)\Z",
    re.IGNORECASE,
)
_PLACE_REACH = 48  # characters looked at before a weak value: a keyword, `:`, a type digit


def weak(value: str) -> bool:
    """Whether a value cannot be told from an ordinary word of device output: short, all
    letters (`admin`, `cisco`, `Password`), all digits (a counter, a VLAN) or all
    punctuation (a ping's `!!!!!!!`)."""
    return (
        len(value) < 6 or value.isalpha() or value.isdigit() or not any(c.isalnum() for c in value)
    )


@dataclass(frozen=True)
class _Entry:
    value: str
    offset: int  # where the value's first token starts in it (after leading quotes, ...)
    open_end: bool  # ends with a token character: the text's next one must end the token
    weak: bool


class SecretTokens:
    """The values to mask, indexed by their first token; add() may run while another thread
    masks (a dict lookup sees a value or not yet, never a half-built index)."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._index: dict[str, list[_Entry]] = {}
        self._firsts: set[str] = set()  # the index's keys, as a set for intersection()
        self._known: set[str] = set()
        # Values without a token character (`::::::`, `!!!!!!`): masked where they stand
        # alone between spaces (or quotes), so that IPv6's `::` and a ping's `!!!!!` stay.
        self._odd: list[str] = []
        self.add(values)

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, value: object) -> bool:
        return value in self._known

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            if not value or value in self._known:
                continue
            self._known.add(value)
            first = _TOKEN.search(value)
            if first is None:
                self._odd.append(value)
                continue
            entry = _Entry(value, first.start(), not _END.match(value[-1]), weak(value))
            self._index.setdefault(first.group(), []).append(entry)
            self._firsts.add(first.group())

    def mask(self, text: str) -> str:
        # In C: the text's tokens that start a known value; usually none.
        hits = self._firsts.intersection(_TOKEN.findall(text)) if self._firsts else None
        odd = [v for v in self._odd if v in text]
        if not hits and not odd:
            return text
        spans = sorted([*self._spans(text, hits or set()), *_alone(text, odd)])
        parts: list[str] = []
        done = 0
        for start, end in spans:
            if start >= done:
                parts += [text[done:start], MASK]
            done = max(done, end)  # values that overlap: one mask over both
        parts.append(text[done:])
        return "".join(parts)

    def _spans(self, text: str, hits: set[str]) -> Iterable[tuple[int, int]]:
        for hit in hits:
            at = text.find(hit)
            while at >= 0:
                if _whole(text, at, len(hit)):
                    yield from self._found(text, at, self._index[hit])
                at = text.find(hit, at + 1)

    @staticmethod
    def _found(text: str, at: int, entries: list[_Entry]) -> Iterable[tuple[int, int]]:
        """The values starting with the token at `at` that the text holds there whole."""
        for entry in entries:
            start = at - entry.offset
            end = start + len(entry.value)
            if start < 0 or not text.startswith(entry.value, start):
                continue
            if entry.open_end and not _AFTER.match(text, end):
                continue  # a longer token: `admin` in `administratively`
            if entry.weak and not _PLACE.search(text, max(0, start - _PLACE_REACH), start):
                continue  # an ordinary word where a secret would not stand
            yield start, end


def _alone(text: str, values: list[str]) -> Iterable[tuple[int, int]]:
    """Where the values stand between spaces or quotes (or the text's ends); a weak one
    only in a secret's place."""
    for value in values:
        for found in re.finditer(f"(?<![^\\s'\"]){re.escape(value)}(?![^\\s'\"])", text):
            start = found.start()
            if not weak(value) or _PLACE.search(text, max(0, start - _PLACE_REACH), start):
                yield found.span()


def _whole(text: str, at: int, length: int) -> bool:
    """Whether the text has a whole token of `length` at `at`, not a piece of a longer
    one: it starts after a character that ends a token, and the token there ends with it."""
    if at and not _END.match(text, at - 1):
        return False
    token = _TOKEN.match(text, at)
    return token is not None and token.end() == at + length


def mask_values(text: str, values: Iterable[str]) -> str:
    """`text` with `values` masked where they stand as the secret (see SecretTokens)."""
    return SecretTokens(values).mask(text)
