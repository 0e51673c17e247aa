"""Ansible habits in job files: tags, --skip-tags, --start-at-task, --list-tasks, loop,
ignore_errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeFleet
from fixture_types import Write

from runner import core
from runner.base.errors import CommandRejectedError, SelectionError
from runner.cli import main

JOB = """\
vars: {servers: [192.0.2.1, 192.0.2.2, 192.0.2.3]}
tasks:
  - name: facts
    show: show version
    tags: [audit]
  - name: ntp
    config: ["ntp server {{ item }}"]
    loop: "{{ servers }}"
    tags: [ntp, change]
  - name: logging
    config: ["logging host {{ item }}"]
    loop: [192.0.2.50, 192.0.2.51]
    tags: [change]
  - name: risky
    show: show bogus
    ignore_errors: true
  - name: after
    show: show clock
"""


@pytest.fixture
def job(write: Write) -> Path:
    return write("job.yaml", JOB)


def _names(
    job: Path,
    inventory: Path,
    tags: tuple[str, ...] = (),
    skip_tags: tuple[str, ...] = (),
    start_at: str | None = None,
) -> list[str]:
    only = core.TaskFilter(tags=tags, skip_tags=skip_tags, start_at=start_at)
    selection = core.select(job, inventory, "r1", (), only)
    return [s.task for s in core.plan(selection)[0].steps]


def test_loop_renders_one_step_per_item(job: Path, inventory_file: Path) -> None:
    steps = core.plan(core.select(job, inventory_file, "r1"))[0].steps
    ntp = [s for s in steps if s.task.startswith("ntp")]
    assert [s.commands for s in ntp] == [(f"ntp server 192.0.2.{n}",) for n in (1, 2, 3)]
    assert [s.task for s in ntp] == [f"ntp (192.0.2.{n})" for n in (1, 2, 3)]
    assert len([s for s in steps if s.task.startswith("logging")]) == 2


def test_tags_select_and_skip_tasks(job: Path, inventory_file: Path) -> None:
    assert _names(job, inventory_file, tags=("audit",)) == ["facts"]
    assert _names(job, inventory_file, tags=("change",), skip_tags=("ntp",)) == [
        "logging (192.0.2.50)",
        "logging (192.0.2.51)",
    ]
    assert _names(job, inventory_file, start_at="risky") == ["risky", "after"]
    with pytest.raises(SelectionError, match="no such task in"):
        _names(job, inventory_file, start_at="nope")
    with pytest.raises(SelectionError, match="no task of"):
        _names(job, inventory_file, tags=("nothing",))


def test_list_tasks_prints_the_filtered_tasks_and_contacts_nothing(
    job: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["run", str(job), "-i", str(inventory_file), "--tags", "change", "--list-tasks"]) == 0
    )
    out = capsys.readouterr().out
    assert "[config] ntp  tags: ntp, change" in out and "[config] logging" in out
    assert "facts" not in out and "risky" not in out


def test_ignore_errors_keeps_the_host_going(job: Path, inventory_file: Path) -> None:
    fleet = FakeFleet(fail_on={"show bogus": CommandRejectedError("rejected: % Invalid input")})
    report = core.run(
        core.select(job, inventory_file, "r1"),
        core.RunOptions(reports_dir=inventory_file.parent / "reports"),
        connect=fleet,
        environ={"TEST_PASSWORD": "x"},
    )
    host = report.hosts["r1"]
    assert host.status.value == "changed" and not host.failed
    risky = next(s for s in host.steps if s.task == "risky")
    assert risky.status.value == "failed" and risky.note == "failed, ignored (ignore_errors)"
    assert host.steps[-1].task == "after" and host.steps[-1].status.value == "ok"
