"""Whether a run's process is still going (a pid alone is not enough: reused, a zombie, a
reboot, another machine), and the journal of started hosts its workers append to."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.base.run_owner import Owner, read_starts, record_start


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return None


def test_this_process_is_alive_and_a_later_process_with_its_pid_is_not() -> None:
    owner = Owner.this_process()
    assert owner.alive() and owner.start is not None
    # The pid given to another process after this one ended: its start differs.
    assert not dataclasses.replace(owner, start=owner.start + "0").alive()
    ticks = owner.start.partition(":")[2]
    assert not dataclasses.replace(owner, start=f"another-boot:{ticks}").alive()  # a reboot
    assert not dataclasses.replace(owner, machine="another-machine").alive()
    assert not dataclasses.replace(owner, pid=0).alive()
    # A run.json from before the machine and start were kept: its pid says nothing.
    assert not dataclasses.replace(owner, machine=None, start=None).alive()
    # No /proc to ask (not Linux): a live pid on this machine counts.
    assert dataclasses.replace(owner, start=None).alive()


@pytest.mark.lab
def test_a_process_that_ended_is_not_alive_even_before_it_is_reaped() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        owner = Owner.of(child.pid)
        assert owner.alive() and owner.start is not None
        assert child.stdin is not None
        child.stdin.close()  # it ends; unreaped, it stays a zombie with its pid
        deadline = time.monotonic() + 30
        while _state(child.pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _state(child.pid) == "Z"
        assert not owner.alive()
    finally:
        child.wait(30)
    assert not owner.alive()


def test_the_journal_reads_back_each_host_once_and_none_when_a_line_is_torn(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "started.jsonl"
    assert read_starts(journal) is None  # a run that keeps none
    journal.write_text("")
    assert read_starts(journal) == {}
    for host in ("r1", "a/b\nc", "r1"):
        record_start(journal, host)
    starts = read_starts(journal)
    assert starts is not None and list(starts) == ["r1", "a/b\nc"]
    with journal.open("a") as file:
        file.write('["r2", 1.')  # cut in half: which host started is not known
    assert read_starts(journal) is None
