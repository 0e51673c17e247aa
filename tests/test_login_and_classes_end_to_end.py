"""Login slots, host deadlines and failure classes against the lab, through the real CLI,
netmiko and SSH: every fault fails fast, in the class that says what to try."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import load_report, run_cli, start_lab

from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.report.run_folder import load_host

pytestmark = pytest.mark.lab

JOB = "tasks:\n  - name: config\n    show: show running-config\n"


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


def _run(
    tmp_path: Path,
    faults: list[str],
    devices: int,
    timeouts: str,
    *extra: str,
    hosts: dict[str, str] | None = None,
) -> tuple[dict[str, Any], float]:
    """Run JOB on a lab with `faults`; `timeouts` is the inventory's default connection
    mapping, `hosts` a connection mapping of a host's own (merged key by key)."""
    job = tmp_path / "job.yaml"
    job.write_text(JOB)
    with start_lab(devices=devices, faults=parse_faults(faults)) as lab:
        text = inventory_yaml(lab.endpoints, lab.config)
        text = text.replace("defaults:\n", f"defaults:\n  connection: {timeouts}\n")
        for host, options in (hosts or {}).items():
            text = text.replace(f"  {host}:\n", f"  {host}:\n    connection: {options}\n")
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(text)
        started = time.monotonic()
        run_cli(job, inventory, tmp_path / "reports", "-q", *extra)
        return load_report(tmp_path / "reports", "job"), time.monotonic() - started


@pytest.mark.sessions
def test_waiting_for_a_login_slot_does_not_spend_a_healthy_hosts_deadline(
    tmp_path: Path,
) -> None:
    # 12 silent hosts first in the queue, 4 healthy after them, 2 logins at a time and a
    # host timeout shorter than the silent hosts' total: before, the healthy hosts spent
    # their deadline queueing behind silent ones inside the login gate (host_timeout).
    silent = [f"r{i:03d}=silent" for i in range(1, 13)]
    report, _ = _run(
        tmp_path,
        silent,
        16,
        # conn_timeout also bounds the key exchange, which can pass 1 s on a loaded
        # machine: the healthy hosts get 3 s (still inside their 4 s deadline).
        "{conn_timeout: 3, auth_timeout: 3, read_timeout: 5}",
        "--max-logins",
        "2",
        "--workers",
        "16",
        "--host-timeout",
        "4",
        "--retries",
        "1",
        hosts={f"r{i:03d}": "{conn_timeout: 1}" for i in range(1, 13)},
    )
    hosts = report["hosts"]
    for n in range(1, 13):
        assert hosts[f"r{n:03d}"]["failure"] == "connect_timeout", hosts[f"r{n:03d}"]
        assert "no SSH banner within 1s" in hosts[f"r{n:03d}"]["error"]
        assert "each of 2 attempts" in hosts[f"r{n:03d}"]["error"]  # why it took 2 s and more
    for n in range(13, 17):
        assert hosts[f"r{n:03d}"]["status"] == "ok", hosts[f"r{n:03d}"]


@pytest.mark.sessions
def test_the_host_deadline_excludes_the_login_slot_wait(tmp_path: Path) -> None:
    # One login slot, four hosts whose logins take 1.5 s each (login_latency): the last
    # waits ~4.5 s for the slot, longer than its 3 s host timeout, and still succeeds.
    slow = [f"r{i:03d}=login_latency:1500" for i in range(1, 5)]
    report, _ = _run(
        tmp_path,
        slow,
        4,
        "{conn_timeout: 3, auth_timeout: 3, read_timeout: 5}",
        "--max-logins",
        "1",
        "--workers",
        "4",
        "--host-timeout",
        "3",
    )
    assert {h["status"] for h in report["hosts"].values()} == {"ok"}, report["hosts"]


CLASSES = {
    # fault: (failure class, words of the message, words that must not be there)
    "login_latency:6000": ("login_timeout", "did not answer the login within 2s", "password)"),
    "close_auth": ("connection_lost", "closed the connection while it checked", "password)"),
    "close_after_auth": ("connection_lost", "accepted the login, then closed", "device is up"),
    "garbage_banner": ("unreachable", "not with SSH: it said 'HTTP/1.1 400", "device is up"),
    "silent": ("connect_timeout", "sent no SSH banner within 2s", "Errno"),
    "hang": ("login_timeout", "showed no usable prompt within 2s", "read_timeout"),
    "drop": ("connection_lost", "closed the session during 'show running-config'", "no prompt"),
    "pager": ("session_desync", "pager prompt '--More--'", "read_timeout"),
}


@pytest.mark.sessions
def test_each_fault_fails_fast_in_a_class_that_says_what_to_try(tmp_path: Path) -> None:
    # auth_timeout 2 s, read_timeout 30 s: a fault that still waited
    # for a read timeout (hang, drop, pager did: 63-70 s, 30 s) would show in the time.
    # conn_timeout 2 s only for the silent SSH server: it also bounds the key exchange,
    # which 8 logins at once on a loaded machine can take longer than 2 s to finish.
    faults = [f"r{i:03d}={fault}" for i, fault in enumerate(CLASSES, 1)]
    silent = f"r{list(CLASSES).index('silent') + 1:03d}"
    report, elapsed = _run(
        tmp_path,
        faults,
        len(CLASSES),
        "{conn_timeout: 10, auth_timeout: 2, read_timeout: 30}",
        "--retries",
        "0",
        "--workers",
        str(len(CLASSES)),
        hosts={silent: "{conn_timeout: 2}"},
    )
    for i, (fault, (failure, words, absent)) in enumerate(CLASSES.items(), 1):
        host = report["hosts"][f"r{i:03d}"]
        assert host["failure"] == failure, (fault, host)
        assert words in host["error"] and absent not in host["error"], (fault, host["error"])
    assert elapsed < 20  # the slowest fault's bound (2 s, pager's quiet second) + margins


def test_retried_login_failures_say_how_often_they_were_tried(tmp_path: Path) -> None:
    # A slow login (login_timeout) is retried; a refused password never is.
    report, _ = _run(
        tmp_path,
        ["r001=login_latency:3000", "r002=auth_fail"],
        2,
        "{conn_timeout: 2, auth_timeout: 1, read_timeout: 5}",
        "--retries",
        "1",
    )
    slow, refused = report["hosts"]["r001"], report["hosts"]["r002"]
    assert slow["failure"] == "login_timeout" and "each of 2 attempts" in slow["error"]
    assert refused["failure"] == "auth_failed" and "attempts" not in refused["error"]


@pytest.mark.sessions
def test_a_login_cut_at_the_host_deadline_names_the_deadline_not_the_cut(
    tmp_path: Path,
) -> None:
    # A shell that never answers, a silent SSH server: the watchdog cuts each login at the
    # 2 s deadline. Before, the report named what the cut made paramiko say, as the cause:
    # "(connect_timeout: the SSH session could not be set up: Attempt to read, but there
    # is no active channel.)", "(connection_lost: ... closed the connection before
    # sending an SSH banner)".
    report, _ = _run(
        tmp_path,
        ["r001=hang", "r002=silent"],
        2,
        "{conn_timeout: 10, auth_timeout: 10, read_timeout: 10}",
        *("--retries", "0", "--host-timeout", "2"),
    )
    for name in ("r001", "r002"):
        host = report["hosts"][name]
        assert host["failure"] == "host_timeout", host
        assert "past the host's deadline of 2s while it logged in" in host["error"], host
        for echo in ("connect_timeout", "connection_lost", "channel", "banner"):
            assert echo not in host["error"], host["error"]


@pytest.mark.sessions
def test_a_dropped_session_and_a_pager_keep_the_partial_output(tmp_path: Path) -> None:
    report, _ = _run(
        tmp_path,
        ["r001=drop", "r002=pager"],
        2,
        "{conn_timeout: 10, auth_timeout: 2, read_timeout: 30}",
    )
    run = tmp_path / "reports" / "job" / "latest"
    for name in ("r001", "r002"):
        step = load_host(run, name)["steps"][0]
        assert step["status"] == "failed"
        assert "hostname r00" in step["outputs"][0]  # the part of the config that came
        log = (run / report["hosts"][name]["log"]).read_text()
        assert "hostname r00" in log
