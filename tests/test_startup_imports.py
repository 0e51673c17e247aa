"""Speed to first output: the commands that touch no device never import the SSH stack
(netmiko, paramiko), the config remediation (hier_config), Dask, ansible-core or pydantic
(typer 0.29 builds pydantic adapters for every parameter). A test of
imports, not of time: the figures are in bench/README.md (Startup)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeFleet

from runner import core

pytestmark = pytest.mark.lab

HEAVY = ("netmiko", "paramiko", "hier_config", "distributed", "ansible", "pydantic")

SCRIPT = """
import json, os, sys
HEAVY = set(sys.argv[1].split(","))

def heavy():
    return sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)

import runner.cli

found = {"import runner.cli": heavy()}
codes = {}
for args in json.loads(sys.argv[2]):
    codes[" ".join(args[:1])] = runner.cli.main(args)
    found[" ".join(args[:1])] = heavy()
os.environ.update(_NETJOB_COMPLETE="complete_bash", COMP_WORDS="netjob ru", COMP_CWORD="1")
try:
    runner.cli.main([])
except SystemExit as exc:
    codes["completion"] = exc.code
found["completion"] = heavy()
print(json.dumps({"found": found, "codes": codes}))
"""


def _python(cwd: Path, script: str, *args: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """`script` in a fresh interpreter (no completion variables): the process, and its
    last line read as JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("_NETJOB")}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=True,
        timeout=120,
    )
    return done, json.loads(done.stdout.strip().splitlines()[-1])


def _past_run(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A job, an inventory and a run folder of it (run here, on in-memory devices)."""
    job = tmp_path / "job.yaml"
    job.write_text("tasks:\n  - show: show version\n  - config: ['ntp server {{ ntp }}']\n")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "defaults: {platform: cisco_ios, username: u, password: p}\n"
        "hosts:\n  r1: {address: 192.0.2.1}\n  r2: {address: 192.0.2.2}\n"
    )
    selection = core.select(job, [inventory], extra_vars=["ntp=192.0.2.5"])
    options = core.RunOptions(reports_dir=tmp_path / "reports", html=False)
    report = core.run(selection, options, connect=FakeFleet())
    return job, inventory, report.run_dir


def test_help_version_completion_plan_hosts_and_report_import_no_ssh_stack(
    tmp_path: Path,
) -> None:
    job, inventory, run_dir = _past_run(tmp_path)
    commands = [
        ["--help"],
        ["-h"],
        ["--version"],
        ["plan", str(job), "-i", str(inventory), "-e", "ntp=192.0.2.5"],
        ["hosts", "-i", str(inventory)],
        ["report", str(run_dir)],
        ["run", "--help"],
        ["cmd", "-h"],
    ]
    done, result = _python(tmp_path, SCRIPT, ",".join(HEAVY), json.dumps(commands))
    assert result["codes"] == {
        "--help": 0,
        "-h": 0,
        "--version": 0,
        "plan": 0,
        "hosts": 0,
        "report": 0,
        "run": 0,
        "cmd": 0,
        "completion": 0,
    }, done.stderr
    assert result["found"] == {key: [] for key in result["found"]}, result["found"]
    assert set(result["found"]) == {"import runner.cli", "completion", *result["codes"]}


# What `--version`, `--help` and `hosts` on a netjob inventory leave to the commands that
# need them (bench/README.md, Startup): templates, the job reader, `-e`, Nornir's and
# Ansible's inventory readers, the report's reader and rich's live display.
LIGHT = (
    "jinja2",
    "runner.load.job",
    "runner.load.task",
    "runner.load.extra_vars",
    "runner.load.ansible_inventory",
    "runner.load.nornir_inventory",
    "runner.report.document",
    "rich.progress",
    "rich.live",
)

ONE_COMMAND = """
import json, sys
import runner.cli
try:
    code = runner.cli.main(json.loads(sys.argv[1]))
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_version_help_and_hosts_each_import_only_what_they_use(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "defaults: {platform: cisco_ios, username: u, password: p}\n"
        "hosts:\n  r1: {address: 192.0.2.1}\n  r2: {address: 192.0.2.2}\n"
    )
    for command in (["--version"], ["--help"], ["hosts", "-i", str(inventory)]):
        done, result = _python(tmp_path, ONE_COMMAND, json.dumps(command))
        assert result["code"] == 0, (command, done.stderr)
        loaded = [m for m in LIGHT if m in result["modules"]]
        assert loaded == [], (command, loaded)
        # The probe sees what it is meant to: the inventory reader itself did load.
        if command[0] == "hosts":
            assert "runner.load.inventory" in result["modules"]
