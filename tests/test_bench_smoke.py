"""bench/bench.py end to end on a handful of lab devices: it runs anywhere (ports the OS
picks), says which machine it ran on and keeps one JSON line per measurement. No timing
is asserted: this machine's speed is not what the test is about."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "bench.py"
sys.path.insert(0, str(ROOT / "bench"))

ROW_KEYS = {
    "system",
    "devices",
    "workers",
    "latency_ms",
    "login_latency_ms",
    "job",
    "wall_s",
    "devices_per_s",
    "client_cpu_s",
    "cpu_ms_per_device",
    "peak_rss_mb",
    "lab_cpu_s",
    "ok",
    "failed",
    "bench_run",
    "started",
    "command",
    "machine",
}
MACHINE_KEYS = {"cores_available", "cpu_model", "python", "versions", "git", "load_avg_1m"}


def _bench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd,
        check=False,
    )


def _lines(path: Path) -> list[dict[str, Any]]:  # JSON rows
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_bench_writes_one_json_line_per_measurement_with_the_machine(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    # The port the bench used to need, taken: it must not matter any more.
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            taken.bind(("127.0.0.1", 20022))
            taken.listen()
        except OSError:
            pass  # taken by someone else already: as good
        done = _bench(
            "--devices",
            "3",
            "--systems",
            "seed_threaded,netjob",
            "--repeat",
            "2",
            "--workers",
            "3",
            "--results",
            str(results),
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("machine: ")
    assert "cores available" in done.stdout.splitlines()[0]
    rows = _lines(results)
    assert sorted(r["system"] for r in rows) == [
        "netjob",
        "netjob",
        "seed_threaded",
        "seed_threaded",
    ]
    for row in rows:
        assert set(row) >= ROW_KEYS, ROW_KEYS - set(row)
        assert (row["ok"], row["failed"], row["devices"]) == (3, 0, 3)
        machine = row["machine"]
        assert isinstance(machine, dict) and set(machine) >= MACHINE_KEYS
        assert machine["versions"]["netmiko"] and machine["versions"]["paramiko"]
    assert len({r["bench_run"] for r in rows}) == 1
    # A second run appends; it does not overwrite.
    again = _bench("--devices", "2", "--systems", "netjob", "--results", str(results), cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(_lines(results)) == 5


def test_profile_writes_the_per_device_breakdown(tmp_path: Path) -> None:
    out = tmp_path / "profile.md"
    results = tmp_path / "results.jsonl"
    done = _bench(
        "--profile",
        "--devices",
        "4",
        "--workers",
        "4",
        "--results",
        str(results),
        "--profile-out",
        str(out),
        cwd=tmp_path,
    )
    if "could not attach" in done.stderr + done.stdout:
        pytest.skip("py-spy cannot attach here (ptrace)")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "CPU ms per device" in out.read_text()
    assert out.read_text().startswith("Produced by: ")
    (row,) = _lines(results)
    assert row["profile"] == "cpu" and row["ok"] == 4
    stages = row["stages"]
    assert isinstance(stages, list) and stages
    assert abs(sum(s["share"] for s in stages) - 1) < 1e-6


def test_stacks_go_to_the_stage_they_belong_to() -> None:
    from cpu_profile import classify

    def stack(*frames: str) -> list[str]:
        return ["Thread.run (threading.py:982)", *frames]

    read = "BaseConnection.read_until_pattern (netmiko/base_connection.py:700)"
    assert classify(stack("NetmikoConnection._enable (runner/device/connection.py:290)", read)) == (
        "enable",
        True,
    )
    assert classify(
        stack(
            "Transport.run (paramiko/transport.py:2200)",
            "KexCurve25519.parse_next (paramiko/kex_curve25519.py:60)",
        )
    )[0] == ("key exchange, host key")
    assert classify(
        stack(
            "Transport.run (paramiko/transport.py:2200)",
            "Packetizer.read_all (paramiko/packet.py:300)",
        )
    )[0] == ("SSH transport thread: socket reads")
    assert (
        classify(
            stack(
                "RunWriter.host_done (runner/report/run_folder.py:120)",
                "Redactor.text (runner/base/redact.py:80)",
            )
        )[0]
        == "redaction"
    )
    assert classify(stack("f (somewhere.py:1)"))[0].startswith("other")


def test_a_login_is_classified_by_its_stage_not_by_the_device_rooms_open_session() -> None:
    """runner.device.login.open_session (the whole login, since the device room's split)
    shares its name with paramiko's channel opening: a TCP connect under it is the
    handshake's, a PTY request under it the channel's."""
    from cpu_profile import classify

    login = [
        "Thread.run (threading.py:982)",
        "NetmikoConnection.open (runner/device/connection.py:116)",
        "open_session (runner/device/login.py:54)",
        "_ssh_open (runner/device/login.py:70)",
    ]
    dialing = [*login, "dial (runner/device/dial.py:40)", "create_connection (socket.py:836)"]
    assert classify(dialing)[0] == "TCP and SSH handshake"
    pty = [*login, "Transport.open_session (paramiko/transport.py:950)"]
    assert classify(pty)[0] == "channel, PTY"
