"""Ansible's host patterns through the CLI: `:` and `,` unite, `&` intersects, `!` excludes,
`@file` reads names, `~regex`; a part that matches nothing is an error naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_types import Write

from runner.cli import main


def _hosts(capsys: pytest.CaptureFixture[str], inventory: Path, pattern: str) -> list[str]:
    capsys.readouterr()
    assert main(["hosts", "-i", str(inventory), "--limit", pattern, "--output", "json"]) == 0
    return [h["name"] for h in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("core:&edge", ["r2"]),  # intersection
        ("core:!r1", ["r2"]),  # exclusion after a colon
        ("!r1:core", ["r2"]),  # exclusions apply last, wherever they are written
        ("r1:r3", ["r1", "r3"]),  # `:` separates like `,`
        ("r1,edge:!r3", ["r1", "r2"]),
        ("&edge", ["r2", "r3"]),  # only an intersection: it starts from all
        ("all:!core", ["r3"]),
        ("r*:&core", ["r1", "r2"]),  # globs still work
        ("~r[13]", ["r1", "r3"]),  # Ansible's regex patterns
    ],
)
def test_limit_takes_ansible_host_patterns(
    inventory_file: Path, capsys: pytest.CaptureFixture[str], pattern: str, expected: list[str]
) -> None:
    assert _hosts(capsys, inventory_file, pattern) == expected


def test_limit_at_file_reads_host_names_one_a_line(
    inventory_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    retry = tmp_path / "job.retry"
    retry.write_text("r1\n\nr3\n")  # as Ansible's retry files are written
    assert _hosts(capsys, inventory_file, f"@{retry}") == ["r1", "r3"]
    assert _hosts(capsys, inventory_file, f"@{retry}:!r3") == ["r1"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("core:&nope", "unknown host or group 'nope'"),
        ("core:!r9", "unknown host or group 'r9'"),
        ("@missing.txt", "host list @missing.txt: cannot read"),
        ("core:!", "'!' and '&' take one name"),
    ],
)
def test_a_pattern_part_that_matches_nothing_is_an_error_naming_it(
    inventory_file: Path, capsys: pytest.CaptureFixture[str], pattern: str, message: str
) -> None:
    assert main(["hosts", "-i", str(inventory_file), "--limit", pattern]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_run_intersects_the_job_hosts_with_a_pattern_limit(
    inventory_file: Path,
    write: Write,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job = write("job.yaml", "hosts: core\ntasks:\n  - show: show clock\n")
    assert main(["plan", str(job), "-i", str(inventory_file), "--limit", "all:!r1"]) == 0
    out = capsys.readouterr().out
    assert "r2" in out and "r1" not in out and "r3" not in out
