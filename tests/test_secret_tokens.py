"""Credentials are masked where they stand as the secret, never inside a word the device
printed, and masking costs the same per text however many secrets a run has seen."""

from __future__ import annotations

import logging
import re

import pytest

from runner.base.models import Host
from runner.base.redact import MASK, Redactor
from runner.load.credentials import resolve_credentials

# Device output with the word `admin` in it, as devices print it.
DEVICE_WORDS = [
    "GigabitEthernet0/3 is administratively down, line protocol is down",
    "Gi0/3                      unassigned      YES unset  administratively down down",
    "Et1                            admin down     down",
    "admin state is up, Dedicated Interface",
    "    Client admin up\n    IDB client tx admin up",
    "Mg0/RSP0/CPU0/1  admin-down  admin-down",
    "username ops privilege 15 role network-admin",
    "admin@r1> show interfaces terse",
    "/home/admin/.ssh sysadmin admins admin_up admin.example.com",
]


@pytest.mark.parametrize("text", DEVICE_WORDS)
def test_a_weak_password_never_changes_a_word_of_the_device(text: str) -> None:
    assert Redactor(["admin"]).text(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("password admin", f"password {MASK}"),
        ("username admin password 0 admin", f"username admin password 0 {MASK}"),
        ("enable secret 0 admin", f"enable secret 0 {MASK}"),
        ("Password: admin", f"Password: {MASK}"),
        ('"admin"', f'"{MASK}"'),
        ("key=admin", f"key={MASK}"),
        ("ssh_password=admin;", f"ssh_password={MASK};"),
        ("netmiko: write_channel: b'admin\\n'", f"netmiko: write_channel: b'{MASK}\\n'"),
        (
            "copy scp://netjob:admin@192.0.2.1/a flash:",
            f"copy scp://netjob:{MASK}@192.0.2.1/a flash:",
        ),
    ],
)
def test_a_weak_password_is_masked_where_it_stands_as_the_secret(text: str, masked: str) -> None:
    assert Redactor(["admin"]).text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("login Sup3r-Secret-pw", f"login {MASK}"),
        ("it was Sup3r-Secret-pw.", f"it was {MASK}."),
        ("(Sup3r-Secret-pw)", f"({MASK})"),
        ("Sup3r-Secret-pw", MASK),
        ("Sup3r-Secret-pw2 xSup3r-Secret-pw Sup3r-Secret-pw.com", None),
    ],
)
def test_a_strong_password_is_masked_wherever_it_stands_alone(
    text: str, masked: str | None
) -> None:
    assert Redactor(["Sup3r-Secret-pw"]).text(text) == (masked or text)


def test_a_password_with_spaces_and_values_that_overlap_are_masked_whole() -> None:
    redactor = Redactor(["my pass/word 9", "word 9 x7"], device_patterns=False)
    assert redactor.text("login my pass/word 9 x7 done") == f"login {MASK} done"
    assert redactor.text("login my pass/word 99") == "login my pass/word 99"


@pytest.mark.parametrize(
    ("value", "is_weak"),
    [
        ("admin", True),
        ("cisco", True),
        ("Password", True),
        ("123456", True),
        ("a1b2", True),
        ("Cisco123", False),
        ("lab-password", False),
        ("Sup3r-Secret-pw", False),
        ("!!!!!!!", True),
    ],
)
def test_weak_means_short_all_letters_or_all_digits(value: str, is_weak: bool) -> None:
    from runner.base.secret_tokens import weak

    assert weak(value) is is_weak


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_weak_credential_is_said_once_at_load() -> None:
    hosts = [
        Host(name=f"r{n}", address="192.0.2.1", username="u", password="admin") for n in range(5)
    ]
    hosts.append(Host(name="r9", address="192.0.2.9", username="u", password="Str0ng-pw-99"))
    # The CLI's handler stops `runner.notes` at itself: listen on the logger itself.
    kept = _Kept()
    logging.getLogger("runner.notes").addHandler(kept)
    try:
        resolve_credentials(hosts, {})
    finally:
        logging.getLogger("runner.notes").removeHandler(kept)
    notes = kept.messages
    assert len(notes) == 1, notes
    assert notes[0].startswith("the password of r0, r1, r2 and 2 more: short")
    assert "r9" not in notes[0]
    assert "admin " not in notes[0].replace("`admin down`", "")  # never the value itself


def test_masking_compiles_nothing_however_many_secrets_the_run_has_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """4,000 hosts, each with its own password and its own device secret: masking each
    output builds no regular expression of the secrets seen so far (that grew with every
    host: 7x the time of the outputs alone, and 305 MB). Counted, not timed."""
    passwords = [f"Pw-{n:05d}-x" for n in range(4000)]
    redactor = Redactor(passwords)
    redactor.text("warm up: enable secret 5 $1$warm$up")  # the device patterns, compiled once
    compiled: list[str] = []
    real = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    for n in range(0, 4000, 10):
        output = (
            f"hostname r{n}\nusername ops secret 5 $1$s{n:05d}$Hash{n:05d}XyZ\n"
            f"% bad value '$1$s{n:05d}$Hash{n:05d}XyZ' near Pw-{n:05d}-x\n"
            "Gi0/3 is administratively down\n"
        )
        masked = redactor.text(output)
        assert f"Hash{n:05d}" not in masked and f"Pw-{n:05d}" not in masked
        assert "administratively down" in masked
    assert compiled == []


def test_a_password_of_punctuation_only_never_changes_a_ping_or_an_ipv6_address() -> None:
    redactor = Redactor(["!!!!!!!", "::::::"], device_patterns=False)
    text = "Success rate is 100 percent (7/7): !!!!!!!\n 2001:db8::::::1 ::::::"
    assert redactor.text(text) == text
    assert redactor.text("password !!!!!!! '::::::'") == f"password {MASK} '{MASK}'"


def test_values_added_while_masking_are_masked_from_then_on() -> None:
    from runner.base.secret_tokens import SecretTokens

    tokens = SecretTokens(["First-Value-1"])
    assert tokens.mask("a First-Value-1 Second-Value-2") == f"a {MASK} Second-Value-2"
    tokens.add(["Second-Value-2"])
    assert tokens.mask("a First-Value-1 Second-Value-2") == f"a {MASK} {MASK}"
    assert len(tokens) == 2 and "Second-Value-2" in tokens
