"""A lab device that speaks only legacy SSH (SHA-1 Diffie-Hellman, CBC, hmac-sha1): it
works when its group allows those algorithms, and without them fails with a class and a
message naming what it offered; the other devices keep modern defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_fixture import start_lab
from ssh_fixture import inventory, run

from netjob_lab.faults import parse_faults

pytestmark = pytest.mark.lab


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")


@pytest.mark.sessions
def test_a_legacy_only_device_fails_naming_what_it_offers(tmp_path: Path) -> None:
    with start_lab(devices=2, faults=parse_faults(["r002=legacy"])) as lab:
        code, report = run(tmp_path, inventory(lab, {"password_env": "NETJOB_LAB_PASSWORD"}))
        assert code == 1
        r002 = report["hosts"]["r002"]
        assert r002["failure"] == "no_common_algorithms", r002
        assert "diffie-hellman-group1-sha1" in r002["error"]
        assert "ssh: {kex: [diffie-hellman-group1-sha1]}" in r002["error"]
        assert report["hosts"]["r001"]["status"] == "ok"
        assert lab.auth_attempts("r002") == []


@pytest.mark.sessions
def test_a_legacy_only_device_works_with_its_groups_algorithms(tmp_path: Path) -> None:
    legacy = {
        "ssh": {
            "kex": ["diffie-hellman-group1-sha1"],
            "ciphers": ["aes128-cbc"],
            "macs": ["hmac-sha1"],
        }
    }
    with start_lab(devices=2, faults=parse_faults(["r002=legacy"])) as lab:
        text = inventory(
            lab,
            {"password_env": "NETJOB_LAB_PASSWORD"},
            hosts={"r002": {"groups": ["old_switches"]}},
            groups={"old_switches": legacy},
        )
        code, report = run(tmp_path, text)
        assert code == 0, report
        assert {h["status"] for h in report["hosts"].values()} == {"ok"}


def test_an_algorithm_paramiko_cannot_speak_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with start_lab(devices=1) as lab:
        text = inventory(lab, {"password_env": "NETJOB_LAB_PASSWORD", "ssh": {"kex": ["rot13"]}})
        assert run(tmp_path, text)[0] == 2
        assert lab.auth_attempts("r001") == []
    assert "paramiko cannot speak ssh.kex: rot13" in capsys.readouterr().err
