"""The Python API returns data: the README's script runs as written against the lab and
prints what each device said; `Run` reads outputs and parsed rows per host and task."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_fixture import start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.base.errors import InputError

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

ROOT = Path(__file__).resolve().parent.parent


def readme_api_script() -> str:
    """The first Python block of the README's "Python API" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Python API\n", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "no python block in the README's Python API section"
    return found.group(1)


@pytest.fixture
def lab_folder(tmp_path: Path) -> Iterator[tuple[Lab, Path]]:
    """A 4-device lab and a folder laid out as the quickstart's: inventory.yaml, playbooks/."""
    with start_lab(devices=4) as lab:
        (tmp_path / "inventory.yaml").write_text(inventory_yaml(lab.endpoints, lab.config))
        shutil.copytree(ROOT / "playbooks", tmp_path / "playbooks")
        yield lab, tmp_path


def test_the_readme_api_script_runs_as_written_and_prints_outputs(
    lab_folder: tuple[Lab, Path],
) -> None:
    lab, folder = lab_folder
    (folder / "audit.py").write_text(readme_api_script())
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this tree's runner, whatever the venv installed
        "NETJOB_LAB_PASSWORD": lab.config.password,
        "NETJOB_LAB_SECRET": lab.config.secret,
    }
    done = subprocess.run(
        [sys.executable, "audit.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = done.stdout.splitlines()
    assert [row.split()[0] for row in rows] == ["r001", "r002", "r003", "r004"], done.stdout
    for row in rows:
        name = row.split()[0]
        # The device's own words: its hostname and uptime, from `show version`.
        assert re.fullmatch(rf"{name}\s+ok\s+{name} uptime is .+", row), row


def test_run_reads_outputs_and_parsed_rows_per_task(
    lab_folder: tuple[Lab, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner import Run, run_job

    lab, folder = lab_folder
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", lab.config.password)
    monkeypatch.setenv("NETJOB_LAB_SECRET", lab.config.secret)
    job = folder / "parsed.yaml"
    job.write_text(
        "name: parsed\nhosts: all\ntasks:\n"
        "  - name: version\n    show: show version\n    parse: textfsm\n"
        "  - name: time and version\n    show: [show clock, show version]\n"
    )
    report = run_job(job, inventory=folder / "inventory.yaml", reports_dir=folder / "reports")
    assert report.hosts["r001"].steps[0].outputs == ()  # the Report keeps none in memory
    run = Run(folder / "reports" / "parsed" / "latest")
    assert run.hosts == ["r001", "r002", "r003", "r004"]
    assert run.status["r002"] == "ok"
    clock, version = run.outputs("r002", "time and version")
    assert "r002 uptime is" in version
    assert run.output("r002", "time and version") == f"{clock}\n{version}"
    assert "r002 uptime is" in run.output("r002", "version")
    rows = run.parsed("r002", "version")
    assert rows and rows[0]["hostname"] == "r002"
    assert run.result("r002").steps[1].outputs == (clock, version)
    with pytest.raises(InputError, match="no parsed rows"):
        run.parsed("r002", "time and version")
    with pytest.raises(InputError, match="did you mean 'version'"):
        run.output("r002", "versoin")
    with pytest.raises(InputError, match="did you mean 'r002'"):
        run.output("r02", "version")
