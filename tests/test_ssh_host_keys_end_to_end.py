"""Host keys end to end: accept-new learns a device's key once; a changed key fails the
host with host_key_changed (both fingerprints, how to accept) and the lab proves no
password was sent; strict refuses a key it does not know."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lab_fixture import start_lab
from ssh_fixture import inventory, run

pytestmark = pytest.mark.lab

PASSWORD = {"password_env": "NETJOB_LAB_PASSWORD"}


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")


def _known() -> list[str]:
    path = Path(os.environ["NETJOB_KNOWN_HOSTS"])
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.sessions
def test_accept_new_learns_each_key_once(tmp_path: Path) -> None:
    with start_lab(devices=3) as lab:
        text = inventory(lab, PASSWORD)
        assert run(tmp_path / "a", text)[0] == 0
        learnt = _known()
        assert len(learnt) == 3
        assert {line.split()[0] for line in learnt} == {
            f"[127.0.0.1]:{e.port}" for e in lab.endpoints
        }
        from runner.device import hostkeys

        hostkeys.forget_loaded()  # as a new run would: read the file again
        assert run(tmp_path / "b", text)[0] == 0
        assert _known() == learnt  # nothing learnt twice


@pytest.mark.sessions
def test_a_changed_host_key_fails_and_no_password_is_sent(tmp_path: Path) -> None:
    with start_lab(devices=2) as lab:
        text = inventory(lab, PASSWORD)
        assert run(tmp_path / "a", text)[0] == 0
        before = {h: len(lab.auth_attempts(h)) for h in ("r001", "r002")}
        lab.rotate_host_key("r002")
        code, report = run(tmp_path / "b", text)
        assert code == 1
        r002 = report["hosts"]["r002"]
        assert r002["failure"] == "host_key_changed", r002
        assert "SHA256:" in r002["error"] and r002["error"].count("SHA256:") == 2
        assert f"ssh-keygen -R '[127.0.0.1]:{lab.endpoints[1].port}'" in r002["error"]
        assert lab.auth_attempts("r002") == [("password", "netjob")] * before["r002"]
        assert report["hosts"]["r001"]["status"] == "ok"


def test_strict_refuses_an_unknown_key_before_the_password(tmp_path: Path) -> None:
    with start_lab(devices=1) as lab:
        code, report = run(tmp_path, inventory(lab, {**PASSWORD, "host_key_checking": "strict"}))
        assert code == 1
        r001 = report["hosts"]["r001"]
        assert r001["failure"] == "host_key_unknown", r001
        assert "ssh-keyscan" in r001["error"]
        assert lab.auth_attempts("r001") == []
        assert _known() == []


@pytest.mark.sessions
def test_off_checks_nothing_and_learns_nothing(tmp_path: Path) -> None:
    with start_lab(devices=1) as lab:
        text = inventory(lab, {**PASSWORD, "host_key_checking": "off"})
        assert run(tmp_path / "a", text)[0] == 0
        lab.rotate_host_key("r001")
        assert run(tmp_path / "b", text)[0] == 0
        assert _known() == []


def test_a_new_key_that_cannot_be_recorded_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, item 8: a known-hosts file netjob cannot write (read-only for a user;
    here its folder is a file, which stops root too) was silently never written, so every
    run trusted whatever key the device offered anew. With accept-new the host now fails
    host_key_unknown, saying why, before any password is sent."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("NETJOB_KNOWN_HOSTS", str(blocker / "known_hosts"))
    from runner.device import hostkeys

    hostkeys.forget_loaded()
    with start_lab(devices=1) as lab:
        code, report = run(tmp_path / "a", inventory(lab, PASSWORD))
        assert code == 1
        r001 = report["hosts"]["r001"]
        assert r001["failure"] == "host_key_unknown", r001
        assert "cannot be recorded" in r001["error"] and "nothing was sent" in r001["error"]
        assert lab.auth_attempts("r001") == []
