"""No write follows a link (issue 21, item 7): SCP `get` never writes its temporary file
through a link planted beside its destination, nor the destination itself through a link;
a link at reports/<job> or reports/<job>/outputs is refused before anything connects.
Through the real CLI against the lab (real netmiko SCP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import flash_of, load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml

pytestmark = pytest.mark.lab

PRECIOUS = "a file outside the folder, which no run may touch\n"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab(devices=1) as lab:
        flash_of(lab, "r001").add("crashinfo.txt", b"crashinfo of r001\n" * 100)
        yield lab


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    monkeypatch.chdir(tmp_path)


def _setup(tmp_path: Path, lab: Lab, body: str) -> tuple[Path, Path]:
    job = tmp_path / "fetch.yaml"
    job.write_text(f"name: fetch\nhosts: all\ntasks:\n{body}")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
    return job, inventory


GET = "  - name: crash\n    get: {src: 'flash:crashinfo.txt', dest: 'backups/r001.txt'}\n"


@pytest.mark.sessions
def test_get_never_writes_through_a_link_planted_at_its_temporary_name(
    tmp_path: Path, lab: Lab
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(PRECIOUS)
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / ".r001.txt.part").symlink_to(outside)
    job, inventory = _setup(tmp_path, lab, GET)
    assert run_cli(job, inventory, tmp_path / "reports") == 0
    assert outside.read_text() == PRECIOUS
    step = load_report(tmp_path / "reports", "fetch")["hosts"]["r001"]["steps"][0]
    assert step["status"] == "changed" and "got and verified" in step["note"], step
    fetched = tmp_path / "backups" / "r001.txt"
    assert not fetched.is_symlink() and fetched.stat().st_size > 0
    leftovers = [p.name for p in (tmp_path / "backups").iterdir() if p.name.endswith(".part")]
    assert leftovers == [".r001.txt.part"]  # the planted link, left alone; no temporary


@pytest.mark.sessions
def test_get_refuses_a_destination_that_is_a_link(tmp_path: Path, lab: Lab) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(PRECIOUS)
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "r001.txt").symlink_to(outside)
    job, inventory = _setup(tmp_path, lab, GET)
    assert run_cli(job, inventory, tmp_path / "reports") == 1
    step = load_report(tmp_path / "reports", "fetch")["hosts"]["r001"]["steps"][0]
    assert step["status"] == "failed" and "symbolic link" in step["error"], step
    assert outside.read_text() == PRECIOUS


@pytest.mark.parametrize("planted", ["fetch", "fetch/outputs"])
def test_a_link_under_the_reports_folder_is_refused_before_anything_connects(
    tmp_path: Path, lab: Lab, planted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "reports" / planted
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere)
    job, inventory = _setup(tmp_path, lab, "  - name: v\n    show: show version\n")
    assert run_cli(job, inventory, tmp_path / "reports") == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "is a symbolic link" in err[0] and planted in err[0], err
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
