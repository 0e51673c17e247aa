"""The one redaction choke point: everything netjob writes or prints passes through here.

It removes every credential in use (inventory plain text, environment, prompts) and, unless
the user opts out, secrets devices print in their configs (`password 7 …`, `secret 5 …`,
`snmp-server community …`, `key …`). Known values are masked where they stand as the
secret, never inside a longer word the device printed (runner.base.secret_tokens).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from runner.base import platforms
from runner.base.models import Host
from runner.base.secret_tokens import MASK, SecretTokens, mask_values

__all__ = [
    "MASK",
    "Redactor",
    "device_secret_values",
    "mask_secret_vars",
    "secret_values",
]


# Config lines that carry secrets, every platform's forms (runner/base/platforms.py), found
# wherever the line sits in the text: after a prompt (`r1(config)#enable secret 5 ...`), a
# diff's `+`, a logged `>>> `, inside quotes. The keywords (and the type digit) stay; the
# value goes. Each pattern says itself what precedes a value, so prose such as "check the
# password (or password_env)" is left alone.
@functools.cache
def _device_patterns() -> list[re.Pattern[str]]:
    """Compiled on first use: `--help` and `hosts` should not pay for every platform's."""
    return [re.compile(p, re.IGNORECASE) for p in platforms.secret_patterns()]


# A line is scanned only if it holds one of these: every secret pattern has one of them
# before its value (tests/test_redaction_corpus.py holds each pattern to it), and scanning
# megabytes of running config with every pattern would cost seconds.
_KEYWORDS = re.compile(
    r"passw|secret|key|communit|cipher|psk|auth|priv|snmp|md5|sha|token|bearer|passphrase"
    r"|invalid input",
    re.I,
)
# _KEYWORDS's words, found by str's own search in a text folded as re.IGNORECASE matches
# them: each ASCII capital, and the four other characters re takes for an ASCII letter
# (capital I with a dot and dotless i for i, long s for s, the Kelvin sign for k;
# tests/test_redaction_corpus.py checks every character). A text without one of them is
# left to the known values: _KEYWORDS scanned a 500-character output in 70 us, the fold
# and the search take 5.
_WORDS = tuple(_KEYWORDS.pattern.split("|"))
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
        "\u0130": "i",
        "\u0131": "i",
        "\u017f": "s",
        "\u212a": "k",
    }
)
_ESCAPED = re.compile(r"\\(.)")
# A value that is a mask already, with only the quotes and punctuation a pattern's value
# takes along after it (`********;`, `********':`, `********\\n'`): text redacted a second
# time (report.json holds results redacted before) keeps them.
_MASKED = re.compile(re.escape(MASK) + r"(?:['\"\\,;:)\]}]|\\[nr])*")
SECRET_NAME = re.compile(r"secret|passw|passphrase|token|community|(^|_)key($|_)", re.I)
# Names of variables used as credentials though they do not say so (`pw`, `wifi_psk`,
# `ospf_auth`, `ops_hash`, `apikey`): a listing (`netjob hosts`, report.json's -e values)
# masks them too, and a cluster run seals them (runner.run.sealing). `pass` but not
# `passive` (`passive_interfaces` is no secret).
CREDENTIAL_NAME = re.compile(
    SECRET_NAME.pattern + r"|pass(?!ive)|psk|key($|_)|(^|_)(pw|pwd|auth|hash)($|_)", re.I
)


def secret_values(
    variables: Any, secret: bool = False, names: re.Pattern[str] = SECRET_NAME
) -> list[str]:
    """String values of variables whose names look secret (ops_secret, bgp_password,
    snmp_community, api_token, tacacs_key, ...), at any depth: they are masked like
    credentials wherever they show up, without the user having to list them. `names`:
    CREDENTIAL_NAME for the wider rule of listings and cluster tasks."""
    if isinstance(variables, Mapping):
        return [
            found
            for name, value in variables.items()
            for found in secret_values(value, secret or bool(names.search(str(name))), names)
        ]
    if isinstance(variables, (list, tuple)):
        return [found for value in variables for found in secret_values(value, secret, names)]
    if secret and isinstance(variables, (str, int)) and not isinstance(variables, bool):
        return [str(variables)]
    return []


def mask_secret_vars(variables: Any, secret: bool = False) -> Any:
    """The variables with the values of credential-named ones (CREDENTIAL_NAME) replaced
    by MASK, and secrets in config lines a value holds (`enable secret 5 ...`) masked, for
    listings (`netjob hosts`): the names and the shape stay, so a reader sees what is set."""
    if isinstance(variables, Mapping):
        return {
            name: mask_secret_vars(value, secret or bool(CREDENTIAL_NAME.search(str(name))))
            for name, value in variables.items()
        }
    if isinstance(variables, (list, tuple)):
        return [mask_secret_vars(value, secret) for value in variables]
    if secret and isinstance(variables, (str, int)) and not isinstance(variables, bool):
        return MASK
    if isinstance(variables, str):
        return Redactor().text(variables)
    return variables


def device_secret_values(text: str) -> list[str]:
    """The values every platform's secret patterns find in a text (`secret 5 VALUE`,
    `snmp-server community VALUE`), as they stand there (quotes and all)."""
    if not _KEYWORDS.search(text):
        return []
    found: list[str] = []
    for line in text.splitlines():
        if _KEYWORDS.search(line):
            for pattern in _device_patterns():
                found += [m.group("value") for m in pattern.finditer(line)]
    return [value for value in found if value and not _MASKED.fullmatch(value)]


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = (), device_patterns: bool = True) -> None:
        # Credentials and secret variables, and (see _device) device secret values found
        # so far, masked where they stand as the secret (runner.base.secret_tokens): never
        # a part of a longer word, and at a cost per text that the number of hosts and
        # values seen does not change.
        self._tokens = SecretTokens(s for s in secrets if s and len(s) >= 2)
        self._patterns = _device_patterns() if device_patterns else []
        self._seen = 0  # device secret values remembered (see _device)
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str | None]) -> None:
        """More credentials to mask from now on (a prompt's secret answer, say)."""
        with self._lock:
            self._tokens.add(s for s in secrets if s and len(s) >= 2)

    def text(self, value: str) -> str:
        # Known values first: a credential with a space would lose only its first word to
        # a pattern (`key p@ss word`).
        value = self._tokens.mask(value)
        return self._device(value) if self._patterns else value

    def _device(self, value: str) -> str:
        """Apply the config-line patterns only to the lines that hold one of their keywords:
        scanning megabytes of running config with them would cost seconds."""
        folded = value.translate(_FOLD)
        if not any(word in folded for word in _WORDS):
            return value
        parts: list[str] = []
        done = 0
        values: set[str] = set()
        for found in _KEYWORDS.finditer(value):
            start = value.rfind("\n", 0, found.start()) + 1
            if start < done:
                continue  # a second keyword on a line already handled
            end = value.find("\n", found.end())
            end = len(value) if end < 0 else end
            parts += [value[done:start], self._line(value[start:end], values)]
            done = end
        parts.append(value[done:])
        masked = "".join(parts)
        # A value found on one line may be quoted alone on another (a refusal that quotes
        # the word it stopped at, an error that repeats it), here or in a later text: mask
        # it there too (netmiko logs a refused line's echo and the refusal quoting its
        # value in two records). Short values are left to their patterns, so an odd
        # capture never masks common words.
        new = self._remember(v for v in values if _MEMORABLE.match(v))
        return mask_values(masked, new) if new else masked

    def _remember(self, values: Iterable[str]) -> list[str]:
        """The values not known before, known from now on."""
        with self._lock:
            new = [v for v in set(values) if v not in self._tokens]
            if new and self._seen < _SEEN_MAX:
                self._seen += len(new)
                self._tokens.add(new)
            return new

    def _line(self, line: str, values: set[str]) -> str:
        """Every pattern runs on the line as it came, and the values they found are masked
        together: masking as each pattern goes would hide the words a later pattern needs
        (NTP's `md5` before its key) and let that key through."""
        spans = self._spans(line)
        parts: list[str] = []
        done = 0
        for start, end in spans:
            if start >= done:
                parts += [line[done:start], MASK]
                values.add(line[start:end].strip("'\""))
            done = max(done, end)  # an overlapping value widens the mask already there
        parts.append(line[done:])
        masked = "".join(parts)
        if "\\" in line:
            # -vv: netmiko logs the regex it waits for, the config line re.escape()d
            # (`enable\ password\ 7\ 0822...`): find the values in the line unescaped,
            # and mask them as re.escape() writes them.
            plain = _ESCAPED.sub(r"\1", line)
            for start, end in self._spans(plain):
                value = plain[start:end]
                # The value ends where the regex's group does: `(key\ 7\ X)` gives `X)`.
                for found in {value, value.rstrip(")]}'\",;")} - {""}:
                    masked = masked.replace(re.escape(found), MASK)
        return masked

    def _spans(self, line: str) -> list[tuple[int, int]]:
        spans = []
        for pattern in self._patterns:
            for found in pattern.finditer(line):
                start, end = found.span("value")
                if _MASKED.fullmatch(line, start, end):  # redacted before: left as it is
                    end = start + len(MASK)
                spans.append((start, end))
        return sorted(spans)

    def data(self, value: Any) -> Any:
        """Redact every string inside JSON-like data."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value


# Values worth masking wherever they appear again (see Redactor._device): six characters
# or more with a digit, a capital or a symbol, so a keyword a pattern took for a value
# (`public`, `sha512`, `ascii-text`) never masks that word everywhere.
_MEMORABLE = re.compile(r"(?!(?:sha|md)[0-9]+$)(?=.*[0-9A-Z$./+=_!@#%^&*]).{6,}$")
# Device secret values a redactor remembers: a dict lookup each, so thousands cost nothing
# per text; the bound holds the memory of a run whose devices each print new ones.
_SEEN_MAX = 1 << 18


def masked_hosts(hosts: Iterable[Host]) -> list[Host]:
    """The hosts with the values of secret-looking variables masked (`netjob hosts`)."""
    return [dataclasses.replace(h, vars=mask_secret_vars(h.vars)) for h in hosts]
