"""A run's change record (issue 26, item 4): who ran what, with which variables, from which
job revision, in report.json, report.md, report.html, `netjob report` and `netjob history`.
Real runs of the CLI on the lab, in a job folder that is a git repository."""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
import platform
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from fake_runs import SCHEMA
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml
from runner.cli import main
from runner.report.provenance import git_revision, masked_command

pytestmark = pytest.mark.lab

JOB = """\
name: ntp audit
hosts: all
tasks:
  - name: ntp
    show: show running-config | include ntp
    checks:
      - contains: "ntp server 192.0.2.123"
"""
SECRET = "hunter2-bgp"


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-C",
            str(folder),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Two runs of a committed job on the lab: clean, then with the job edited."""
    tmp = tmp_path_factory.mktemp("change")
    repo = tmp / "jobs"
    repo.mkdir()
    job = repo / "ntp_audit.yaml"
    job.write_text(JOB)
    _git(repo, "init", "-q")
    _git(repo, "add", "ntp_audit.yaml")
    _git(repo, "commit", "-q", "-m", "audit")
    reports = tmp / "reports"
    found: dict[str, Path] = {"job": job, "reports": reports}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NETJOB_LAB_PASSWORD", "lab-password")
        env.setenv("NETJOB_LAB_SECRET", "lab-enable")
        with start_lab(devices=3) as lab:
            inventory = tmp / "inv.yaml"
            inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
            found["inventory"] = inventory
            args = ["run", str(job), "-i", str(inventory), "--reports", str(reports)]
            change = ["--change-id", "CHG-1", "-e", "x=1", "-e", f"bgp_password={SECRET}"]
            assert main([*args, *change, "--limit", "core"]) == 0
            found["first"] = (reports / "ntp_audit" / "latest").resolve()
            job.write_text(JOB + "# edited, not committed\n")
            assert main([*args, "--change-id", "CHG-2"]) == 0
            found["second"] = (reports / "ntp_audit" / "latest").resolve()
    yield found


@pytest.mark.sessions
def test_report_json_carries_the_whole_change_record(runs: dict[str, Path]) -> None:
    text = (runs["first"] / "report.json").read_text()
    assert SECRET not in text
    data = json.loads(text)
    jsonschema.validate(data, SCHEMA)
    change = data["change"]
    started = datetime.datetime.fromisoformat(change["started"])
    ended = datetime.datetime.fromisoformat(change["ended"])
    assert started.tzinfo is not None and ended.tzinfo is not None and started <= ended
    assert abs(started.timestamp() - data["started"]) < 0.01
    job, inventory = runs["job"], runs["inventory"]
    assert change == {
        "id": "CHG-1",
        "user": getpass.getuser(),
        "machine": platform.node(),
        "command": (
            f"netjob run {job} -i {inventory} --reports {runs['reports']} --change-id CHG-1 "
            "-e x=1 -e 'bgp_password=********' --limit core"
        ),
        "hosts": "all",
        "limit": "core",
        "extra_vars": {"x": 1, "bgp_password": "********"},
        "job_sha256": hashlib.sha256(JOB.encode()).hexdigest(),
        "job_commit": _git(job.parent, "rev-parse", "HEAD"),
        "job_dirty": False,
        "inventories": [
            {"file": str(inventory), "sha256": hashlib.sha256(inventory.read_bytes()).hexdigest()}
        ],
        "started": change["started"],
        "ended": change["ended"],
    }
    assert sorted(data["hosts"]) == ["r001", "r002"]  # --limit core


def test_a_job_edited_since_its_commit_is_recorded_as_having_local_changes(
    runs: dict[str, Path],
) -> None:
    change = json.loads((runs["second"] / "report.json").read_text())["change"]
    assert change["id"] == "CHG-2" and change["limit"] is None and change["extra_vars"] == {}
    assert change["job_dirty"] is True
    assert change["job_sha256"] == hashlib.sha256(runs["job"].read_bytes()).hexdigest()


def test_run_json_keeps_the_record_for_a_run_cut_short(runs: dict[str, Path]) -> None:
    change = json.loads((runs["first"] / "run.json").read_text())["change"]
    assert change["id"] == "CHG-1" and change["ended"] is None
    assert SECRET not in (runs["first"] / "run.json").read_text()


def test_report_md_html_and_netjob_report_show_it(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    commit = _git(runs["job"].parent, "rev-parse", "HEAD")
    md = (runs["first"] / "report.md").read_text()
    assert "| change | CHG-1 |" in md
    assert f"git commit {commit}, no local changes" in md
    page = (runs["first"] / "report.html").read_text()
    assert 'id="change"' in page and "CHG-1" in page and commit in page
    assert "x=1, bgp_password=&quot;********&quot;" in page
    assert SECRET not in md + page
    capsys.readouterr()
    assert main(["report", str(runs["first"]), "--reports", str(runs["reports"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("change     CHG-1\n")
    assert f"who        {getpass.getuser()} on {platform.node()}" in out
    assert "hosts      all, --limit core" in out


def test_netjob_history_lists_runs_newest_first(
    runs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["history", "--reports", str(runs["reports"]), "-o", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["change_id"], r["hosts"], r["outcome"]) for r in listed] == [
        ("CHG-2", "all", "ok (3 hosts: 3 ok, 0 changed, 0 failed, 0 non-compliant)"),
        ("CHG-1", "all --limit core", "ok (2 hosts: 2 ok, 0 changed, 0 failed, 0 non-compliant)"),
    ]
    assert listed[0]["who"] == f"{getpass.getuser()}@{platform.node()}"
    assert main(["history", "--reports", str(runs["reports"])]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["started", "change", "who", "job"]
    assert "CHG-2" in table[1] and "CHG-1" in table[2]


def test_a_change_id_on_two_lines_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "job.yaml", "--change-id", "CHG-1\nfake line"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--change-id" in err


def test_secret_extra_vars_are_masked_in_the_command_line() -> None:
    argv = [
        "netjob",
        "run",
        "j.yaml",
        "-e",
        "a=1 api_token=t0k",
        "--extra-vars",
        '{"snmp_community": "c"}',
    ]
    assert masked_command([*argv, "-e=enable_secret=s3"]) == (
        "netjob run j.yaml -e 'a=1 api_token=********' --extra-vars "
        "'{\"snmp_community\": \"********\"}' '-e=enable_secret=********'"
    )


def test_no_git_is_no_revision_and_no_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = tmp_path / "j.yaml"
    job.write_text(JOB)
    assert git_revision(job) == (None, None)  # not a work tree
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert git_revision(job) == (None, None)  # no git at all


@pytest.mark.sessions
def test_an_adhoc_run_carries_its_change_id_and_no_job_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`netjob cmd` has no job file: run from a git work tree, it still names no commit."""
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "empty")
    monkeypatch.chdir(tmp_path)
    with start_lab(devices=1) as lab:
        (tmp_path / "inv.yaml").write_text(inventory_yaml(lab.endpoints, lab.config))
        args = ["cmd", "show clock", "-i", "inv.yaml", "--reports", "reports"]
        assert main([*args, "--change-id", "CHG-3", "--limit", "r001"]) == 0
    change = json.loads((tmp_path / "reports" / "adhoc" / "latest" / "report.json").read_text())[
        "change"
    ]
    assert change["id"] == "CHG-3" and change["limit"] == "r001"
    assert change["command"] == (  # as a shell takes it back
        "netjob cmd 'show clock' -i inv.yaml --reports reports --change-id CHG-3 --limit r001"
    )
    assert change["job_sha256"] is None and change["job_commit"] is None
    assert change["inventories"][0]["file"] == "inv.yaml"


def test_history_reads_the_record_of_a_run_cut_short_from_run_json(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run killed before its report.json: its change record is still listed."""
    reports = tmp_path / "reports"
    killed = reports / "ntp_audit" / runs["first"].name
    shutil.copytree(runs["first"], killed)
    (killed / "report.json").unlink()
    manifest = json.loads((killed / "run.json").read_text())
    (killed / "run.json").write_text(json.dumps({**manifest, "pid": 0}))  # its process: gone
    capsys.readouterr()
    assert main(["history", "--reports", str(reports), "-o", "json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["change_id"] == "CHG-1" and listed["hosts"] == "all --limit core"
    assert listed["outcome"].startswith("cut short (2 hosts: 2 ok")


@pytest.mark.sessions
def test_history_tells_a_dry_run_from_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A README walk found `--check` runs and real pushes listed alike ('2 changed'): a
    change board would count dry runs as changes."""
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    job = tmp_path / "ntp.yaml"
    job.write_text("tasks:\n  - name: ntp\n    config: ['ntp server 192.0.2.99']\n")
    reports = tmp_path / "reports"
    with start_lab(devices=1) as lab:
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        args = ["run", str(job), "-i", str(inventory), "--reports", str(reports)]
        assert main([*args, "--check", "--change-id", "DRY"]) == 0
        assert main([*args, "--change-id", "REAL"]) == 0
    capsys.readouterr()
    assert main(["history", "--reports", str(reports), "-o", "json"]) == 0
    listed = {r["change_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["DRY"]["check"] is True and listed["REAL"]["check"] is False
    assert listed["DRY"]["outcome"] == "dry run, ok (1 host: 0 ok, 1 would change, 0 failed)"
    assert listed["REAL"]["outcome"] == "ok (1 host: 0 ok, 1 changed, 0 failed)"
