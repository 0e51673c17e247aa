"""put: and get: over real netmiko SCP against the lab's flash: every copy verified by
MD5; a second put is `unchanged` and sends no byte (counted on the lab's SCP side); a
device without the space fails before sending; get writes the file and its MD5."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import flash_of, load_report, run_cli, start_lab

from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

# 20 devices x 20 MB, as the issue asks: about 12 s for the first run on a loaded 2-core
# machine (netmiko's SCP client sends 16 KB at a time through paramiko).
IMAGE_BYTES = 20_000_000
DEVICES = 20


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    monkeypatch.setenv("HOME", str(tmp_path))  # the lab's host keys: a known_hosts of its own
    monkeypatch.chdir(tmp_path)


def _setup(tmp_path: Path, lab: Any, body: str) -> tuple[Path, Path]:
    job = tmp_path / "stage.yaml"
    job.write_text(f"name: stage\nhosts: all\ntasks:\n{body}")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
    return job, inventory


def test_put_to_twenty_devices_verifies_each_copy_and_a_second_run_sends_nothing(
    tmp_path: Path,
) -> None:
    image = tmp_path / "ios-17.bin"
    image.write_bytes(os.urandom(IMAGE_BYTES))
    md5 = hashlib.md5(image.read_bytes()).hexdigest()
    small = f"r{DEVICES + 1:03d}"  # one device more, whose flash is nearly full
    faults = parse_faults([f"{small}=flash_free:1000000"])
    body = "  - name: stage image\n    put: {src: ios-17.bin, dest: 'flash:ios-17.bin'}\n"
    with start_lab(devices=DEVICES + 1, faults=faults) as lab:
        job, inventory = _setup(tmp_path, lab, body)
        started = time.monotonic()
        assert run_cli(job, inventory, tmp_path / "reports", "--workers", "21") == 1
        first = time.monotonic() - started
        report = load_report(tmp_path / "reports", "stage")
        names = [e.hostname for e in lab.endpoints]
        for name in names[:DEVICES]:
            step = report["hosts"][name]["steps"][0]
            assert step["status"] == "changed", step
            assert f"md5 {md5}" in step["note"] and "verified" in step["note"]
            copy = flash_of(lab, name).files["ios-17.bin"]
            assert (copy.size, copy.md5) == (IMAGE_BYTES, md5)
        full = report["hosts"][small]["steps"][0]
        assert full["failure"] == "command_rejected", full
        assert (
            "not enough space on flash: 1,000,000 bytes free" in full["error"]
            and "nothing was sent" in full["error"]
        )
        assert flash_of(lab, small).received == 0
        received = {n: flash_of(lab, n).received for n in names}
        assert all(received[n] == IMAGE_BYTES for n in names[:DEVICES])

        started = time.monotonic()
        assert run_cli(job, inventory, tmp_path / "reports", "--workers", "21") == 1
        second = time.monotonic() - started
        report = load_report(tmp_path / "reports", "stage")
        for name in names[:DEVICES]:
            step = report["hosts"][name]["steps"][0]
            assert step["status"] == "ok" and step["note"].startswith("unchanged"), step
        assert {n: flash_of(lab, n).received for n in names} == received
    print(f"put of {IMAGE_BYTES:,} bytes to {DEVICES} devices: {first:.1f}s, again {second:.1f}s")


def test_get_writes_the_file_under_the_run_folder_or_dest_with_its_md5(tmp_path: Path) -> None:
    crash = b"crashinfo of r001\n" * 1000
    md5 = hashlib.md5(crash).hexdigest()
    body = (
        "  - name: fetch\n    get: flash:crashinfo.txt\n"
        "  - name: fetch to dest\n"
        "    get: {src: 'flash:/crashinfo.txt', dest: 'backups/{{ host.name }}-crash.txt'}\n"
    )
    with start_lab(devices=1) as lab:
        flash_of(lab, "r001").add("crashinfo.txt", crash)
        job, inventory = _setup(tmp_path, lab, body)
        assert run_cli(job, inventory, tmp_path / "reports") == 0
        run_dir = (tmp_path / "reports" / "stage" / "latest").resolve()
        host = load_host(run_dir, "r001")
        fetched, to_dest = host["steps"]
        assert fetched["status"] == "changed" and f"md5 {md5}" in fetched["note"], fetched
        # By default in the run folder, named relative to it, with its size.
        assert fetched["note"] == (
            f"got and verified: files/r001/crashinfo.txt: {len(crash):,} bytes, md5 {md5}"
        )
        assert (run_dir / "files" / "r001" / "crashinfo.txt").read_bytes() == crash
        assert not (tmp_path / "files").exists()  # nothing under the working folder
        assert (tmp_path / "backups" / "r001-crash.txt").read_bytes() == crash
        assert to_dest["note"] == (
            f"got and verified: backups/r001-crash.txt: {len(crash):,} bytes, md5 {md5}"
        )
        assert oct((tmp_path / "backups" / "r001-crash.txt").stat().st_mode & 0o777) == "0o600"
        # Again: the files hold it already.
        assert run_cli(job, inventory, tmp_path / "reports") == 0
        second = (tmp_path / "reports" / "stage" / "latest").resolve()
        assert second != run_dir  # a new run folder: the default get sends again
        host = load_host(second, "r001")
        assert host["steps"][0]["note"].startswith("got and verified: files/r001/"), host
        assert (second / "files" / "r001" / "crashinfo.txt").read_bytes() == crash
        assert host["steps"][1]["note"].startswith("unchanged"), host["steps"]
