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


MIXED = """\
defaults: {platform: cisco_ios, username: netjob}
groups: {core: {}, edge: {}}
hosts:
  r1: {address: 192.0.2.11, groups: [core]}
  r2: {address: 192.0.2.12, groups: [core], platform: juniper_junos}
  r3: {address: 192.0.2.13, groups: [core, edge]}
  r4: {address: 192.0.2.14, groups: [edge], platform: junos}
"""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("platform_cisco_ios", ["r1", "r3"]),
        ("platform_cisco_ios:&core", ["r1", "r3"]),
        ("platform_juniper_junos:&edge", ["r4"]),  # `junos` in the inventory: one platform
        ("core:!platform_juniper_junos", ["r1", "r3"]),
        ("platform_*:&edge", ["r3", "r4"]),  # globs see the platform groups too
    ],
)
def test_every_platform_is_a_group(
    write: Write, capsys: pytest.CaptureFixture[str], pattern: str, expected: list[str]
) -> None:
    assert _hosts(capsys, write("mixed.yaml", MIXED), pattern) == expected


def test_an_unknown_platform_group_gets_a_did_you_mean(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = write("mixed.yaml", MIXED)
    assert main(["hosts", "-i", str(inventory), "--limit", "platform_juniper"]) == 2
    assert "did you mean 'platform_juniper_junos'?" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("core[0]", ["r1"]),
        ("core[-1]", ["r3"]),
        ("core[0:1]", ["r1", "r2"]),  # both ends included, as Ansible's
        ("core[1:]", ["r2", "r3"]),
        ("all[2:3]", ["r3", "r4"]),
        ("core[0]:edge[1]", ["r1", "r4"]),
        ("core[0:1]:&platform_cisco_ios", ["r1"]),
        ("r[13]", ["r1", "r3"]),  # no host or group `r`: a glob, as before
    ],
)
def test_ansible_subscript_patterns(
    write: Write, capsys: pytest.CaptureFixture[str], pattern: str, expected: list[str]
) -> None:
    assert _hosts(capsys, write("mixed.yaml", MIXED), pattern) == expected


def test_a_subscript_past_the_end_is_an_error_naming_the_range(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = write("mixed.yaml", MIXED)
    assert main(["hosts", "-i", str(inventory), "--limit", "edge[5]"]) == 2
    assert "edge has 2 host(s), so its subscripts run from 0 to 1" in capsys.readouterr().err
