"""Ansible habits in job files, through the CLI: `when: "{{ expr }}"` is read with a note
to drop the braces; a playbook (a list of plays) is refused as one line, or read when it
holds exactly one play."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_types import Write

from runner.cli import main

PLAY = """\
  hosts: all
  vars: {site: ams}
  tasks:
    - name: only at ams
      show: show clock
      when: "{{ site == 'ams' }}"
"""


def _plan(job: Path, inventory: Path) -> int:
    return main(["plan", str(job), "-i", str(inventory)])


def test_when_with_braces_is_read_with_a_note_to_drop_them(
    write: Write,
    inventory_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job = write("job.yaml", "\n".join(line[2:] for line in PLAY.splitlines()))
    assert _plan(job, inventory_file) == 0
    captured = capsys.readouterr()
    assert "netjob: note:" in captured.err
    assert "write `when: site == 'ams'` without {{ }}" in captured.err
    assert "show clock" in captured.out


def test_when_braces_around_part_of_an_expression_are_refused(
    write: Write,
    inventory_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job = write("job.yaml", "tasks:\n  - show: show clock\n    when: \"{{ site }} == 'ams'\"\n")
    assert _plan(job, inventory_file) == 2
    err = capsys.readouterr().err
    assert "job.yaml:3: tasks[0].when: when: is a Jinja2 expression; write it without {{ }}" in err


def test_a_list_of_plays_is_refused_in_one_line(
    write: Write,
    inventory_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job = write("site.yaml", f"- name: one\n{PLAY}- name: two\n{PLAY}")
    assert _plan(job, inventory_file) == 2
    err = capsys.readouterr().err
    assert "a netjob job is one play: this file is a list of 2 plays" in err
    assert "expected a mapping" not in err and err.count("\n") == 1


def test_a_list_of_one_play_is_read_with_a_note(
    write: Write,
    inventory_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job = write("site.yaml", f"- name: one\n{PLAY}")
    assert _plan(job, inventory_file) == 0
    captured = capsys.readouterr()
    assert "a netjob job is one play: read the list's only play" in captured.err
    assert captured.out.count("show clock") == 3  # r1, r2, r3
