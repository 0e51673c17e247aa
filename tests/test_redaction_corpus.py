"""Every secret-bearing line of tests/data/secret_lines.yaml loses its secrets, wherever
netjob's outputs put it; ordinary lines and netjob's own prose come out unchanged."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.base import platforms
from runner.base.redact import _KEYWORDS, MASK, Redactor

CORPUS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "secret_lines.yaml").read_text()
)
# An entry with `after:` is a device's answer to that line: the two come in one text.
SECRET_LINES: list[tuple[str, str, list[str]]] = [
    (
        f"{family}-{n}",
        "\n".join(filter(None, [entry.get("after"), entry["line"]])),
        entry["secrets"],
    )
    for family, entries in CORPUS.items()
    if family != "keep"
    for n, entry in enumerate(entries)
]
LINES = [pytest.param(line, secrets, id=name) for name, line, secrets in SECRET_LINES]
KEEP: list[str] = CORPUS["keep"]

# How outputs quote a config line: as typed after a config-mode prompt (the session's
# echo), in a diff, as a logged command, in quotes (an error, a list's repr, netmiko's
# `write_channel: b'...\n'`), and glued to the text around it.
EMBEDDINGS: dict[str, Callable[[str], str]] = {
    "as is": "{}".format,
    "IOS prompt": "r031(config)#{}".format,
    "IOS sub-mode prompt": "r031(config-if)#{}".format,
    "IOS-XR prompt": "RP/0/RP0/CPU0:r031(config)#{}".format,
    "Junos prompt": "netjob@r031# {}".format,
    "VRP prompt": "[~r031-aaa]{}".format,
    "diff +": "+{}".format,
    "diff -": "-{}".format,
    "diff + space": "+ {}".format,
    "logged command": ">>> {}".format,
    "single quotes": "config line '{}' refused".format,
    "double quotes": 'sent ["{}", "end"]'.format,
    "in a longer text": "before\n{}\r\nr031(config)#\nafter".format,
    # netmiko's debug log (-vv): what it writes, reads, waits for (re.escape()d), and the
    # message of the ConfigInvalidException it raises.
    "netmiko write_channel": "netmiko: write_channel: b'{}\\n'".format,
    "netmiko read_channel": "netmiko: read_channel: {}".format,
    "netmiko pattern found": lambda line: (
        f"netmiko: Pattern found: ({re.escape(line.strip())}) {line}"
    ),
    "netmiko invalid input": "Invalid input detected at command: {}, matched error: %".format,
    # netjob's own message of a refused line, with the device's answer.
    "rejected": "the device rejected '{}': % Invalid input; check the command's spelling".format,
}


# The forms a probe found leaking (issue 21): each is in the corpus, on some platform.
PROBED_FORMS = (
    "server-private",
    "vrrp",
    "area-password",
    "domain-password",
    "isis password",
    "key config-key password-encrypt",
    "nhrp authentication",
    "ipsec spi",
    "l2tp tunnel password",
    "cts credentials",
    "Bearer",
    "wpa_passphrase",
)


def test_the_corpus_covers_every_family_and_at_least_seventy_forms() -> None:
    counts = {family: len(entries) for family, entries in CORPUS.items() if family != "keep"}
    assert sum(counts.values()) >= 120
    assert set(counts) >= {"ios", "iosxe", "nxos", "eos", "iosxr", "junos", "vrp"}
    lines = [line for _, line, _ in SECRET_LINES]
    assert not [form for form in PROBED_FORMS if not any(form in line for line in lines)]
    for family, entries in CORPUS.items():
        if family != "keep":
            for entry in entries:
                assert all(s and s in entry["line"] for s in entry["secrets"]), entry


@pytest.mark.parametrize("how", list(EMBEDDINGS))
@pytest.mark.parametrize(("line", "secrets"), LINES)
def test_no_secret_survives_wherever_the_line_appears(
    line: str, secrets: list[str], how: str
) -> None:
    text = EMBEDDINGS[how](line)
    masked = Redactor().text(text)
    for secret in secrets:
        assert secret not in masked, f"{secret!r} left in {masked!r}"
    assert MASK in masked
    # The keyword stays: a masked line still says what it was.
    assert masked.split(MASK)[0].strip()


@pytest.mark.parametrize("how", list(EMBEDDINGS))
@pytest.mark.parametrize("line", KEEP)
def test_ordinary_lines_and_prose_are_left_alone(line: str, how: str) -> None:
    text = EMBEDDINGS[how](line)
    assert Redactor().text(text) == text


@pytest.mark.parametrize("how", list(EMBEDDINGS))
@pytest.mark.parametrize(("line", "secrets"), LINES)
def test_masking_masked_text_again_changes_nothing(line: str, secrets: list[str], how: str) -> None:
    """report.json holds results redacted before, and is redacted again: a mask must not
    take the quote, `;` or `:` after it (`rejected '...********': ...`, Junos' `********;`)."""
    once = Redactor().text(EMBEDDINGS[how](line))
    assert Redactor().text(once) == once


@pytest.mark.parametrize(("line", "secrets"), LINES)
def test_the_whole_value_goes_never_a_part_of_it(line: str, secrets: list[str]) -> None:
    """No piece of a secret longer than a few characters is left: a mask that stopped at
    a quote or a `;` inside a Huawei cipher would leak the rest."""
    masked = Redactor().text(line)
    for secret in secrets:
        core = secret.strip('"')
        pieces = [p for p in re.split(r"[\"';,]", core) if len(p) >= 5]
        assert not [p for p in pieces if p in masked], masked


@pytest.mark.parametrize("pattern", platforms.secret_patterns())
def test_every_pattern_compiles_and_finds_something_in_the_corpus(pattern: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    assert "value" in compiled.groupindex
    # Unused patterns hide mistakes: each one masks at least one corpus line.
    assert any(compiled.search(line) for _, line, _ in SECRET_LINES)


@pytest.mark.parametrize(("line", "secrets"), LINES)
def test_every_corpus_line_holds_a_keyword_of_the_prefilter(line: str, secrets: list[str]) -> None:
    """Redactor scans only lines with a keyword: a line without one is never masked."""
    assert _KEYWORDS.search(line)


def test_every_family_of_the_table_has_secret_patterns() -> None:
    assert all(info.secrets for info in platforms.TABLE), [
        info.name for info in platforms.TABLE if not info.secrets
    ]


def test_masking_a_large_running_config_reads_only_the_lines_with_a_keyword(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 2 MB running config with a secret every 49 lines: the keyword prefilter hands the
    patterns only those lines (the patterns on every line took seconds). Counted, not
    timed: a loaded machine makes any time bound flaky."""
    block = [
        f"interface GigabitEthernet0/{n}\n description uplink {n}\n no shutdown" for n in range(16)
    ]
    block.append(" ip ospf authentication-key 7 1511021F0725")
    text = "\n".join(block * 4000)
    assert len(text) > 2_000_000
    scanned: list[str] = []
    line = Redactor._line

    def counted(self: Redactor, text: str, values: set[str]) -> str:
        scanned.append(text)
        return line(self, text, values)

    monkeypatch.setattr(Redactor, "_line", counted)
    masked = Redactor(["lab-password"]).text(text)
    assert "1511021F0725" not in masked and masked.count(MASK) == 4000
    assert len(scanned) == 4000 and all("authentication-key" in s for s in scanned)


def test_a_value_found_once_is_masked_in_later_texts_and_nothing_else_is() -> None:
    """netmiko logs an echo and the device's refusal quoting its value in two records."""
    redactor = Redactor()
    echo = redactor.text("r1(config)#enable password sha512 $6$abcdefgh$XYZXYZXYZ")
    assert "$6$abcdefgh$XYZXYZXYZ" not in echo
    refusal = redactor.text("% Invalid input (at token 3: '$6$abcdefgh$XYZXYZXYZ')")
    assert refusal == f"% Invalid input (at token 3: '{MASK}')"
    # An ordinary refusal keeps the word it quotes.
    typo = "% Invalid input (at token 1: 'interfaces')"
    assert redactor.text(typo) == typo


def test_the_keyword_fold_finds_what_the_keyword_pattern_finds() -> None:
    """The redactor's quick search (redact._FOLD, redact._WORDS) folds every character
    that re.IGNORECASE takes for a keyword's character to it, and nothing else to it: a
    text holds a folded keyword exactly where _KEYWORDS finds one."""
    from runner.base import redact

    assert "|".join(redact._WORDS) == _KEYWORDS.pattern
    assert all(re.escape(word) == word.replace(" ", "\\ ") for word in redact._WORDS)
    wanted = sorted(set("".join(redact._WORDS)))
    candidates = re.compile(f"[{re.escape(''.join(wanted))}]", re.I)  # one pass, then exact
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        folded = char.translate(redact._FOLD)
        if candidates.fullmatch(char) is None:
            assert folded not in wanted, hex(code)
            continue
        for letter in wanted:
            matches = re.fullmatch(re.escape(letter), char, re.I) is not None
            assert matches == (folded == letter), (hex(code), letter)


@pytest.mark.parametrize(
    "text",
    [
        "enable \u017fecret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0",  # long s: re takes it for s
        "tacacs-server \u212aey 7 0822455D0A16",  # the Kelvin sign: re takes it for k
        "ENABLE SECRET 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0",
    ],
)
def test_keywords_in_any_case_or_fold_are_still_scanned(text: str) -> None:
    assert _KEYWORDS.search(text) is not None
    masked = Redactor([]).text(text)
    assert MASK in masked
    assert masked != text


def test_a_text_without_a_keyword_comes_back_as_it_was() -> None:
    text = (
        "Interface  IP-Address  OK? Method Status  Protocol\nGi0/1  192.0.2.1  YES manual up  up\n"
    )
    assert Redactor([]).text(text) is text
