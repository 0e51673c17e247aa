"""Where save_to files land (issue 13, item 14), through the CLI against the lab: the job's
own text, vars and -e may be absolute or relative (to the job file's folder, whatever the
working folder); parts from inventory or device data stay inside their folder; the
summary says where files went; a `.json` file gets the parsed rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lab_fixture import load_report, run_cli, start_lab

from netjob_lab import Lab
from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab(devices=3) as lab:
        yield lab


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


def _inventory(tmp_path: Path, lab: Lab, site: dict[str, str] | None = None) -> Path:
    data = yaml.safe_load(inventory_yaml(lab.endpoints, lab.config))
    for host, value in (site or {}).items():  # a hostile site name from the inventory
        data["hosts"][host]["vars"]["site"] = value
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _job(folder: Path, task: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    job = folder / "backup.yaml"
    job.write_text(f"name: backup\ntasks:\n  - name: backup\n{task}")
    return job


SHOW = "    show: show running-config\n"


@pytest.mark.sessions
def test_save_to_from_extra_vars_may_be_absolute_and_the_summary_says_where(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "srv" / "backups"
    job = _job(
        tmp_path / "jobs",
        SHOW + '    save_to: "{{ backup_root }}/{{ site }}/{{ host.name }}.cfg"\n',
    )
    monkeypatch.chdir(tmp_path / "jobs")
    code = run_cli(
        job, _inventory(tmp_path, lab), tmp_path / "reports", "-e", f"backup_root={root}"
    )
    assert code == 0
    assert sorted(p.name for p in (root / "lab").iterdir()) == ["r001.cfg", "r002.cfg", "r003.cfg"]
    assert "hostname r002" in (root / "lab" / "r002.cfg").read_text()
    assert not (tmp_path / "jobs" / "srv").exists()  # never ./srv/backups under the cwd
    out = capsys.readouterr().out
    assert f"saved: 3 files in {root / 'lab'} (task 'backup')" in out
    saved = load_report(tmp_path / "reports", "backup")["saved"]
    assert saved == [{"task": "backup", "folder": str(root / "lab"), "files": 3}]


@pytest.mark.sessions
def test_a_relative_save_to_is_relative_to_the_job_file_not_the_working_folder(
    tmp_path: Path, lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(tmp_path / "jobs", SHOW + '    save_to: "../backups/{{ host.name }}.cfg"\n')
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # as cron would: some other working folder
    assert run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports") == 0
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        "r001.cfg",
        "r002.cfg",
        "r003.cfg",
    ]
    assert list(elsewhere.iterdir()) == []


@pytest.mark.sessions
def test_a_literal_absolute_save_to_is_accepted(tmp_path: Path, lab: Lab) -> None:
    target = tmp_path / "abs"
    job = _job(tmp_path / "jobs", SHOW + f'    save_to: "{target}/{{{{ host.name }}}}.cfg"\n')
    assert run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports", "--limit", "r001") == 0
    assert (target / "r001.cfg").is_file()
    assert oct((target / "r001.cfg").stat().st_mode & 0o777) == "0o600"


@pytest.mark.sessions
def test_inventory_data_stays_inside_the_folder_it_is_rendered_into(
    tmp_path: Path, lab: Lab
) -> None:
    root = tmp_path / "backups"
    job = _job(
        tmp_path / "jobs", SHOW + '    save_to: "{{ root }}/{{ site }}/{{ host.name }}.cfg"\n'
    )
    hostile = {"r001": "../../escaped", "r002": "/etc", "r003": "a/b"}
    inventory = _inventory(tmp_path, lab, hostile)
    assert run_cli(job, inventory, tmp_path / "reports", "-e", f"root={root}") == 0
    folders = sorted(p.name for p in root.iterdir())
    assert [p.rpartition("-")[0] for p in folders] == ["_.._escaped", "_etc", "a_b"], folders
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()
    written = sorted(p.relative_to(root).parts[1] for p in root.glob("*/*"))
    assert written == ["r001.cfg", "r002.cfg", "r003.cfg"]


@pytest.mark.sessions
def test_links_in_the_folder_the_author_wrote_are_followed(tmp_path: Path, lab: Lab) -> None:
    """/srv -> /data/srv is the author's business; below it (and in the job's folder)
    netjob never follows a link (tests/test_hostile_input.py)."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    job = _job(tmp_path / "jobs", SHOW + '    save_to: "{{ root }}/{{ host.name }}.cfg"\n')
    extra = ("-e", f"root={tmp_path / 'link'}", "--limit", "r001")
    assert run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports", *extra) == 0
    assert (tmp_path / "real" / "r001.cfg").is_file()


@pytest.mark.sessions
def test_a_parsed_step_saves_rows_as_json_or_the_text(tmp_path: Path, lab: Lab) -> None:
    job = _job(
        tmp_path / "jobs",
        "    show: show version\n    parse: textfsm\n"
        '    save_to: "facts/{{ host.name }}.json"\n'
        "  - name: text\n    show: show version\n    parse: textfsm\n"
        '    save_to: "facts/{{ host.name }}.txt"\n',
    )
    assert run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports", "--limit", "r001") == 0
    rows = json.loads((tmp_path / "jobs" / "facts" / "r001.json").read_text())
    assert isinstance(rows, list) and rows[0]["hostname"] == "r001"
    assert "Cisco IOS Software" in (tmp_path / "jobs" / "facts" / "r001.txt").read_text()


def test_a_json_save_to_without_parse_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = _job(tmp_path, SHOW + '    save_to: "{{ host.name }}.json"\n')
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("hosts:\n  r1: {address: 127.0.0.1, platform: cisco_ios}\n")
    assert main(["plan", str(job), "-i", str(inventory)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "backup.yaml:5: tasks[0].save_to:" in err[0], err
    assert "add parse: textfsm" in err[0]


def test_one_save_to_file_for_several_hosts_is_refused_naming_them(
    tmp_path: Path, lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 21, item 8: three hosts saving to one file printed "saved: 3 files" and kept
    one; now refused before anything connects."""
    job = _job(tmp_path / "jobs", SHOW + '    save_to: "backups/all.cfg"\n')
    code = run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports")
    assert code == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    for part in ("3 steps would save to one file", "all.cfg", "r001", "r002", "r003"):
        assert part in err[0], err[0]
    assert not (tmp_path / "jobs" / "backups").exists()


@pytest.mark.sessions
def test_a_saved_show_clock_keeps_the_clock(tmp_path: Path, lab: Lab) -> None:
    """Issue 21, item 8: the noise rules that drop clocks before outputs are compared
    emptied a saved `show clock`; a save_to file holds what the device said."""
    job = _job(
        tmp_path / "jobs",
        "    show: show clock\n    save_to: 'clocks/{{ host.name }}.txt'\n",
    )
    assert run_cli(job, _inventory(tmp_path, lab), tmp_path / "reports", "--limit", "r001") == 0
    saved = (tmp_path / "jobs" / "clocks" / "r001.txt").read_text()
    assert re.search(r"\d{1,2}:\d{2}:\d{2}", saved), repr(saved)
