"""Questions over real netmiko on the lab's IOS: `copy running-config startup-config` and
`delete` answered by the platform's built-in answers; a question nobody answers fails a
second after it is asked (not at the read timeout) and is cancelled; answers from the task
and the environment (masked); `reload` only with allow_disconnect."""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import flash_of, load_report, run_cli, start_lab

from netjob_lab.inventory import inventory_yaml
from runner.report.run_folder import load_host

pytestmark = pytest.mark.lab


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    monkeypatch.setenv("HOME", str(tmp_path))  # the lab's host keys: a known_hosts of its own
    monkeypatch.chdir(tmp_path)


def _run(tmp_path: Path, lab: Any, body: str, read_timeout: float = 30) -> tuple[int, float]:
    job = tmp_path / "ask.yaml"
    job.write_text(f"name: ask\nhosts: all\ntasks:\n{body}")
    inventory = tmp_path / "inventory.yaml"
    text = inventory_yaml(lab.endpoints, lab.config)
    inventory.write_text(
        text.replace("defaults:", f"defaults:\n  connection: {{read_timeout: {read_timeout}}}", 1)
    )
    started = time.monotonic()
    code = run_cli(job, inventory, tmp_path / "reports")
    return code, time.monotonic() - started


def _steps(tmp_path: Path) -> list[dict[str, Any]]:
    return list(load_host(tmp_path / "reports" / "ask" / "latest", "r001")["steps"])


@pytest.mark.sessions
def test_copy_run_start_and_delete_run_without_asking(tmp_path: Path) -> None:
    body = (
        "  - name: ntp\n    config: ['ntp server 192.0.2.55']\n"
        "  - name: save and clean\n    command:\n"
        "      - copy running-config startup-config\n      - delete flash:old.bin\n"
    )
    with start_lab(devices=1) as lab:
        device = lab.device("r001")
        flash_of(lab, "r001").add("old.bin", b"old image")
        code, _ = _run(tmp_path, lab, body)
        assert code == 0
        step = _steps(tmp_path)[1]
        assert step["status"] == "changed", step
        assert "Destination filename [startup-config]?" in step["outputs"][0]
        assert "Delete flash:/old.bin? [confirm]" in step["outputs"][1]
        assert "ntp server 192.0.2.55" in device.startup_config
        assert "old.bin" not in flash_of(lab, "r001").files


@pytest.mark.sessions
def test_an_unanswered_question_fails_within_two_seconds_and_is_cancelled(
    tmp_path: Path,
) -> None:
    body = (
        "  - name: ntp\n    config: ['ntp server 192.0.2.56']\n"
        "  - name: reload\n    command: reload\n    allow_disconnect: true\n"
        "    ignore_errors: true\n"
        "  - name: still there\n    show: show clock\n"
    )
    with start_lab(devices=1) as lab:
        code, _ = _run(tmp_path, lab, body, read_timeout=120)
    assert code == 0  # the failure was ignored, and the session went on
    reload, after = _steps(tmp_path)[1:]
    assert reload["failure"] == "unanswered_prompt", reload
    assert "Save? [yes/no]:" in reload["error"]
    # From the question's arrival to the failure (what "within 2 s of being asked" means;
    # the whole step also waits for the device to ask, which a loaded machine slows).
    within = re.search(r"nothing answered it within ([0-9.]+)s", reload["error"])
    assert within, reload["error"]
    waited = float(within[1])
    assert 1.0 <= waited < 2.0, reload["error"]
    assert reload["duration_s"] < 60, reload  # nowhere near the 120 s read timeout
    assert after["status"] == "ok"


@pytest.mark.sessions
def test_answers_from_the_task_reload_with_allow_disconnect(tmp_path: Path) -> None:
    body = (
        "  - name: ntp\n    config: ['ntp server 192.0.2.57']\n"
        "  - name: reload\n    command: reload\n    allow_disconnect: true\n"
        "    prompts: [{prompt: 'Save\\? \\[yes/no\\]', answer: 'yes'}]\n"
        "  - name: after\n    show: show clock\n"
    )
    with start_lab(devices=1) as lab:
        code, _ = _run(tmp_path, lab, body)
        assert "ntp server 192.0.2.57" in lab.device("r001").startup_config
    assert code == 0
    report = load_report(tmp_path / "reports", "ask")
    assert report["hosts"]["r001"]["status"] == "changed"
    reload, after = _steps(tmp_path)[1:]
    assert reload["status"] == "changed" and "allow_disconnect" in reload["note"]
    assert after["status"] == "skipped" and "ended the session" in after["note"]


@pytest.mark.sessions
def test_a_secret_answer_is_masked_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Xy7-file-Secret"
    monkeypatch.setenv("DEST_NAME", secret)
    body = (
        "  - name: copy\n    command: copy running-config startup-config\n"
        "    prompts: [{prompt: 'Destination filename', answer_env: DEST_NAME}]\n"
    )
    with start_lab(devices=1) as lab:
        code, _ = _run(tmp_path, lab, body)
    assert code == 1  # the lab refuses that file name, quoting it
    step = _steps(tmp_path)[0]
    assert step["failure"] == "command_rejected", step
    assert "********" in step["error"]
    out = capsys.readouterr()
    files = [p.read_bytes() for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    files = [gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b for b in files]
    for text in [out.out.encode(), out.err.encode(), *files, json.dumps(step).encode()]:
        assert secret.encode() not in text


def test_reload_without_allow_disconnect_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with start_lab(devices=1) as lab:
        code, _ = _run(tmp_path, lab, "  - name: bounce\n    command: reload\n")
    assert code == 2
    err = capsys.readouterr().err
    assert "task 'bounce'" in err and "allow_disconnect: true" in err
