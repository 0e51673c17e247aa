"""Public-key login end to end (real netmiko and paramiko against the lab): a key with and
without a passphrase; a key that cannot be read fails the run before anything connects."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_fixture import start_lab
from ssh_fixture import inventory, key_pair, run

from netjob_lab import Lab

pytestmark = pytest.mark.lab


def _all_publickey(lab: Lab) -> None:
    for name in lab.config.hostnames():
        methods = {method for method, _ in lab.auth_attempts(name)}
        assert methods == {"publickey"}, lab.auth_attempts(name)  # never the password


@pytest.mark.sessions
def test_a_key_without_passphrase_logs_in_and_no_password_is_sent(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_ed25519")
    with start_lab(devices=2, authorized_keys=[public]) as lab:
        code, report = run(tmp_path, inventory(lab, {"key_file": str(tmp_path / "id_ed25519")}))
        assert code == 0, report
        assert {h["status"] for h in report["hosts"].values()} == {"ok"}
        _all_publickey(lab)


@pytest.mark.sessions
def test_a_key_with_a_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = key_pair(tmp_path / "id_locked", passphrase="correct horse 9")
    monkeypatch.setenv("KEY_PASS", "correct horse 9")
    defaults = {"key_file": str(tmp_path / "id_locked"), "passphrase_env": "KEY_PASS"}
    with start_lab(devices=2, authorized_keys=[public]) as lab:
        code, report = run(tmp_path, inventory(lab, defaults))
        assert code == 0, report
        _all_publickey(lab)


@pytest.mark.sessions
def test_the_private_key_option_gives_every_host_a_key(tmp_path: Path) -> None:
    public = key_pair(tmp_path / "id_cli")
    with start_lab(devices=2, authorized_keys=[public]) as lab:
        code, report = run(tmp_path, inventory(lab, {}), "--private-key", str(tmp_path / "id_cli"))
        assert code == 0, report
        _all_publickey(lab)


@pytest.mark.sessions
def test_netjob_cmd_takes_the_private_key_option_as_run_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`netjob cmd` had no --private-key: a key-only fleet could not be asked anything."""
    from runner.cli import main

    public = key_pair(tmp_path / "id_cli")
    with start_lab(devices=2, authorized_keys=[public]) as lab:
        (tmp_path / "inv.yaml").write_text(inventory(lab, {}))
        args = ["cmd", "show version", "-i", str(tmp_path / "inv.yaml")]
        args += ["--reports", str(tmp_path / "reports"), "-q", "-o", "json"]
        code = main([*args, "--private-key", str(tmp_path / "id_cli")])
        answers = capsys.readouterr().out
        assert code == 0, answers
        _all_publickey(lab)
    assert "r001" in answers and "r002" in answers


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ("missing", "cannot read the private key {key}: No such file"),
        ("locked", "the private key {key} is encrypted: set passphrase_env"),
        ("garbage", "cannot use the private key {key}"),
    ],
)
def test_a_key_that_cannot_be_read_fails_before_anything_connects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, said: str
) -> None:
    key = tmp_path / "id_bad"
    if setup == "locked":
        key_pair(key, passphrase="secret 1")
    elif setup == "garbage":
        key.write_text("not a key\n")
    with start_lab(devices=1) as lab:
        code, report = run(tmp_path, inventory(lab, {"key_file": str(key)}))
        assert code == 2
        assert report == {}  # no run folder: nothing started
        assert lab.auth_attempts("r001") == []
    assert said.format(key=key) in capsys.readouterr().err
