"""The rooms below the CLI say what may help with a failure as a field (`remedies`), never
as the command line's flag: the flag is worded in one place (errors.REMEDY_WORDS), which
must name flags `netjob run` and `netjob cmd` have. A message that spelled `--retry-failed`
in the device room drifted from the CLI without any test noticing."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from source_scan import code_strings
from typer.testing import CliRunner

from runner.base.errors import (
    REMEDY_WORDS,
    ConnectionLostError,
    HostTimeoutError,
    LoginTimeoutError,
    Remedy,
    SessionLimitError,
)
from runner.cli import app

RUNNER = Path(__file__).resolve().parent.parent / "runner"
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def test_the_device_room_never_spells_a_command_line_flag() -> None:
    found = [
        f"{path.relative_to(RUNNER.parent)}:{node.lineno}: {text!r}"
        for path in sorted((RUNNER / "device").glob("*.py"))
        for node in code_strings(path)
        if _FLAG.search(text := str(node.value))
    ]
    assert found == []


def test_no_room_below_the_cli_words_a_remedy_itself() -> None:
    """Retrying the failed (or unknown) hosts is a Remedy, worded by errors.advice: the
    report room's killed-run and full-disk messages spelled it by hand ("then
    --retry-failed"), after the run room had stopped doing so."""
    spelt = re.compile(r"then (?:run (?:it )?again with )?--retry-failed")
    found = [
        f"{path.relative_to(RUNNER.parent)}:{node.lineno}: {text!r}"
        for path in sorted(RUNNER.glob("*/*.py"))
        if path.parent.name != "cli" and path.name != "errors.py"
        for node in code_strings(path)
        if spelt.search(text := str(node.value))
    ]
    assert found == []


def test_the_error_classes_hints_spell_no_flag_either() -> None:
    from runner.base import errors

    hints = {
        name: cls.hint
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.DeviceError)
    }
    assert {name: hint for name, hint in hints.items() if _FLAG.search(hint)} == {}


@pytest.mark.parametrize("command", ["run", "cmd"])
@pytest.mark.parametrize("remedy", list(Remedy))
def test_every_remedy_is_worded_as_a_flag_of_netjob_run_and_cmd(
    remedy: Remedy, command: str
) -> None:
    """Both commands print the device room's failures, hints included (`cmd` lacked
    --retry-failed, --include-unknown and --max-logins that its hints named)."""
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    flags = _FLAG.findall(REMEDY_WORDS[remedy])
    assert flags
    for flag in flags:
        assert re.search(rf"(?<![\w-]){flag}\b", result.output), flag


def test_describe_words_the_remedies_after_the_hint() -> None:
    assert SessionLimitError("refused").describe() == (
        "refused; free VTY lines on the device, or lower --workers, "
        "then run again with --retry-failed"
    )
    assert (
        LoginTimeoutError("slow")
        .describe()
        .endswith("raise connection.auth_timeout, or lower --max-logins")
    )
    assert HostTimeoutError("late").describe() == (
        "late; look at why this host is slow, or raise --host-timeout"
    )


def test_a_hint_given_at_the_raise_replaces_the_class_s_remedies_unless_it_names_its_own() -> None:
    bare = ConnectionLostError("cut", hint="check the bastion")
    assert not bare.remedies and bare.describe() == "cut; check the bastion"
    kept = ConnectionLostError("cut", hint="check its logs", remedies=(Remedy.RETRY_FAILED,))
    assert kept.describe() == "cut; check its logs, then run again with --retry-failed"
    copy = pickle.loads(pickle.dumps(kept.about(host="r1")))
    assert copy.remedies == (Remedy.RETRY_FAILED,) and copy.host == "r1"
