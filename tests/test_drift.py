from __future__ import annotations

import gzip
import re
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from netjob_lab.device import Device
from netjob_lab.shell import Shell
from runner.base.errors import StoreError
from runner.report.drift import DriftKind, diff_outputs, render_drift
from runner.report.noise import normalize
from runner.report.output_store import OutputStore

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def lab_output(command: str, device: Device) -> str:
    shell = Shell(device)
    shell.execute("enable")
    shell.execute("lab-enable")
    return shell.execute(command).output


# --- normalize -----------------------------------------------------------------------------


def test_ios_noise_lines_are_dropped() -> None:
    text = (
        "Building configuration...\r\n\r\nCurrent configuration : 972 bytes\r\n"
        "! Last configuration change at 10:01:02 UTC Mon Jan 5 2026 by netjob\r\n"
        "! NVRAM config last updated at 10:01:03 UTC Mon Jan 5 2026\r\n"
        "hostname r001  \r\nntp clock-period 17179\r\nntp server 192.0.2.1\r\n"
    )
    assert normalize(text, "cisco_ios") == "hostname r001\nntp server 192.0.2.1\n"


def test_two_lab_runs_of_the_same_device_normalize_to_the_same_text() -> None:
    # The same router, booted at another time: only uptimes and clocks differ.
    early, late = Device(1, "r001", "lab-enable"), Device(1, "r001", "lab-enable")
    late.boot_time = early.boot_time - timedelta(days=40, minutes=7)
    for command in ("show version", "show running-config", "show clock"):
        before, after = lab_output(command, early), lab_output(command, late)
        assert normalize(before, "cisco_ios") == normalize(after, "cisco_ios")
    assert "uptime is" not in normalize(lab_output("show version", early), "cisco_ios")


def test_a_real_change_survives_normalization() -> None:
    device = Device(1, "r001", "lab-enable")
    before = normalize(lab_output("show running-config", device), "cisco_ios")
    device.config.ntp_servers.append("192.0.2.9")
    after = normalize(lab_output("show running-config", device), "cisco_ios")
    assert before != after and "ntp server 192.0.2.9" in after


def test_show_clock_and_interface_counters_are_noise() -> None:
    text = (
        "*11:43:06.544 UTC Tue Nov 24 2026\nGigabitEthernet0/0 is up, line protocol is up\n"
        "  5 minute input rate 1000 bits/sec, 2 packets/sec\n"
        "     1234 packets input, 99999 bytes, 0 no buffer\n"
        "  Last input 00:00:01, output 00:00:00, output hang never\n"
    )
    assert normalize(text, "cisco_ios_telnet") == "GigabitEthernet0/0 is up, line protocol is up\n"


def test_extra_regexes_drop_matching_lines() -> None:
    text = "a 1\nserial 42\nb 2\n"
    assert normalize(text, "cisco_ios", [r"^serial \d+$", "^b"]) == "a 1\n"


def test_an_unknown_platform_drops_only_extra_lines() -> None:
    text = "Building configuration...\nx\n"
    assert normalize(text, "acme_os") == text
    assert normalize(text, "acme_os", ["x"]) == "Building configuration...\n"


def test_an_invalid_extra_regex_raises() -> None:
    with pytest.raises(re.error):
        normalize("x", "cisco_ios", ["("])


# --- OutputStore ---------------------------------------------------------------------------


def test_store_round_trips_text(tmp_path: Path) -> None:
    store = OutputStore(tmp_path / "outputs")
    digest = store.put("hostname r001\nünïcode\n")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert store.get(digest) == "hostname r001\nünïcode\n"
    assert digest in store and "0" * 64 not in store and "../x" not in store


def test_identical_outputs_are_stored_once(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    digests = {store.put("same output\n") for _ in range(3)}
    assert len(digests) == 1
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    (digest,) = digests
    assert files == [tmp_path / digest[:2] / f"{digest[2:]}.gz"]
    assert gzip.decompress(files[0].read_bytes()) == b"same output\n"


def test_store_files_and_folders_are_private(tmp_path: Path) -> None:
    store = OutputStore(tmp_path / "outputs")
    path = store.path(store.put("secret-ish\n"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "outputs").stat().st_mode) == 0o700


def test_a_missing_output_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not in"):
        OutputStore(tmp_path).get("ab" * 32)


def test_a_damaged_output_is_a_store_error(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    digest = store.put("x\n")
    store.path(digest).write_bytes(gzip.compress(b"y\n"))
    with pytest.raises(StoreError, match="wrong digest"):
        store.get(digest)
    store.path(digest).write_bytes(b"not gzip")
    with pytest.raises(StoreError, match="damaged"):
        store.get(digest)


def test_a_digest_cannot_name_a_path_outside_the_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a sha256"):
        OutputStore(tmp_path).get("../../etc/passwd")


# --- diff_outputs --------------------------------------------------------------------------


def test_diff_outputs_reports_changed_added_removed_and_same() -> None:
    before = {("r1", "audit", "show run"): "a\nb\n", ("r2", "audit", "show run"): "x\n"}
    after = {("r1", "audit", "show run"): "a\nc\n", ("r3", "audit", "show run"): "y\n"}
    before[("r4", "audit", "show run")] = after[("r4", "audit", "show run")] = "same\n"
    drifts = diff_outputs(before, after)
    kinds = {d.key[0]: d.kind for d in drifts}
    assert kinds == {
        "r1": DriftKind.CHANGED,
        "r2": DriftKind.REMOVED,
        "r3": DriftKind.ADDED,
        "r4": DriftKind.SAME,
    }
    (changed,) = [d for d in drifts if d.kind is DriftKind.CHANGED]
    assert changed.diff.splitlines() == [
        "--- r1 | audit | show run (before)",
        "+++ r1 | audit | show run (after)",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "+c",
    ]


def test_diff_outputs_compares_cleaned_text() -> None:
    before = {"r1": "Building configuration...\nhostname r1\n"}
    after = {"r1": "hostname r1\n"}
    assert diff_outputs(before, after)[0].kind is DriftKind.CHANGED
    cleaned = diff_outputs(before, after, lambda key, text: normalize(text, "cisco_ios"))
    assert cleaned[0].kind is DriftKind.SAME and cleaned[0].diff == ""


def test_render_drift_ends_with_a_summary_line() -> None:
    drifts = diff_outputs(
        {"a": "1\n", "b": "2\n", "c": "3\n"}, {"a": "1\n", "b": "9\n", "d": "4\n"}
    )
    text = render_drift(drifts)
    assert "-2\n+9\n" in text
    assert "removed: c\nadded: d\n" in text
    assert text.splitlines()[-1] == "drift: 1 changed, 1 added, 1 removed, 1 unchanged"


def test_render_drift_of_nothing_is_just_the_summary() -> None:
    assert render_drift(()) == "drift: 0 changed, 0 added, 0 removed, 0 unchanged\n"
