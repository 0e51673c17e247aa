"""Folding that folds (issue 22, item 6): an empty output shows `(empty)`; `--fold-noise`
folds outputs as `netjob diff` compares them (clock, uptime, counters dropped), so `show
clock` on every host is one group; `-v` prints what devices said once, folded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

HEADER = re.compile(r"^\S.* \(\d+ hosts?[;)].*:$", re.M)  # a fold's header line


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, value in (("PASSWORD", "lab-password"), ("SECRET", "lab-enable")):
        monkeypatch.setenv(f"NETJOB_LAB_{name}", value)
    with start_lab(devices=4) as lab:
        yield _write_inventory(tmp_path, lab)


def _write_inventory(tmp_path: Path, lab: Lab) -> Path:
    path = tmp_path / "inv.yaml"
    path.write_text(inventory_yaml(lab.endpoints, lab.config))
    return path


def _section(out: str, label: str) -> str:
    """One `== label` block of the folded output."""
    start = out.index(f"== {label}\n")
    end = out.find("\n== ", start + 1)
    return out[start : end if end != -1 else len(out)]


@pytest.mark.sessions
@pytest.mark.lab
def test_cmd_fold_noise_makes_show_clock_on_every_host_one_group(
    tmp_path: Path, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["cmd", "show clock", "-i", str(inventory), "--reports", str(tmp_path / "r")]
    assert main([*args, "--fold-noise"]) == 0
    block = _section(capsys.readouterr().out, "show clock")
    assert HEADER.findall(block) == [
        "r001-r004 (4 hosts; alike but for noise lines, r001's shown):"
    ]
    assert "UTC" in block  # r001's own answer is shown, not the text without its noise


@pytest.mark.sessions
@pytest.mark.lab
def test_run_verbose_fold_noise_folds_show_clock_and_uptimes(
    tmp_path: Path, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "clock.yaml"
    job.write_text("tasks:\n  - name: clock\n    show: show clock\n")
    assert run_cli(job, inventory, tmp_path / "r", "-v", "--fold-noise") == 0
    block = _section(capsys.readouterr().out, "[clock] show clock")
    assert HEADER.findall(block) == [
        "r001-r004 (4 hosts; alike but for noise lines, r001's shown):"
    ]


@pytest.mark.sessions
@pytest.mark.lab
def test_an_empty_output_shows_empty(
    tmp_path: Path, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = "show running-config | include no-such-line"
    args = ["cmd", command, "-i", str(inventory), "--reports", str(tmp_path / "r")]
    assert main([*args, "--limit", "r001,r003"]) == 0
    block = _section(capsys.readouterr().out, command)
    assert block.splitlines()[1:3] == ["r001, r003 (2 hosts):", "  (empty)"]


@pytest.mark.sessions
@pytest.mark.lab
def test_verbose_prints_each_output_once(
    tmp_path: Path, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "version.yaml"
    job.write_text("tasks:\n  - name: version\n    show: show version\n")
    assert run_cli(job, inventory, tmp_path / "r", "-v") == 0
    out = capsys.readouterr().out
    for host in ("r001", "r002", "r003", "r004"):
        assert out.count(f"{host} uptime is") == 1, out  # once, under its own header
        assert out.count(f"{host} (1 host):") == 1, out
    assert out.count("== [version] show version") == 1


def test_fold_by_a_key_shows_the_first_hosts_text_and_says_they_differ() -> None:
    from runner.report.fold import fold
    from runner.report.noise import noise_key

    texts = {
        "r2": "*10:00:00.002 UTC Mon Dec 07 2026\n",
        "r1": "*10:00:00.001 UTC Mon Dec 07 2026\n",
        "r3": "",
        "r4": "Mon Dec  7 10:00:00 2026\nTimezone: UTC\n",  # EOS's clock
        "r5": "Mon Dec  7 10:00:01 2026\nTimezone: UTC\n",
    }
    assert len(fold(texts)) == 5
    assert fold({"r3": "\n"})[0].lines == ["(empty)"]
    platforms = {**dict.fromkeys(("r1", "r2", "r3"), "cisco_ios"), "r4": "arista_eos", "r5": None}
    ios, eos = fold(texts, noise_key(platforms))
    # An empty answer is a clock without its noise: one group, the first host's shown.
    assert ios.hosts == ("r1", "r2", "r3") and ios.alike and ios.text == texts["r1"]
    assert ios.header == "r1-r3 (3 hosts; alike but for noise lines, r1's shown):"
    assert eos.hosts == ("r4", "r5") and eos.lines == ["Mon Dec  7 10:00:00 2026", "Timezone: UTC"]


@pytest.mark.parametrize("command", [["cmd", "show clock"], ["run", "job.yaml"]])
def test_fold_noise_with_a_document_output_is_refused(command: list[str]) -> None:
    from typer.testing import CliRunner

    from runner.cli import app

    result = CliRunner().invoke(app, [*command, "--fold-noise", "-o", "json"], env={})
    assert result.exit_code == 2
    assert "--fold-noise folds the table; --output json gives every host's own answer" in (
        result.output
    )
