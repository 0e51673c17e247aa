"""One lab, three inventories (netjob, Nornir SimpleInventory, Ansible): same hosts, same
results, through the real CLI and real SSH."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lab_fixture import start_lab

from runner.cli import main

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _point_at(folder: Path, ports: list[int]) -> None:
    """The examples use the lab's default ports 10022..; this lab's ports are the OS's."""
    for path in folder.rglob("*.y*ml"):
        text = path.read_text()
        for default, real in zip(range(10022, 10026), ports, strict=True):
            text = text.replace(str(default), str(real))
        path.write_text(text)


def test_same_hosts_and_results_from_three_inventory_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "who.yaml"
    job.write_text("tasks:\n  - show: show version | include uptime\n")
    with start_lab(devices=4) as lab:
        ports = [e.port for e in lab.endpoints]
        for kind in ("nornir", "ansible"):
            shutil.copytree(EXAMPLES / kind, tmp_path / kind)
            _point_at(tmp_path / kind, ports)
        assert (
            main(
                [
                    "inventory",
                    "convert",
                    "-i",
                    str(tmp_path / "nornir"),
                    "--out",
                    str(tmp_path / "netjob.yaml"),
                ]
            )
            == 0
        )
        sources = {
            "netjob": tmp_path / "netjob.yaml",
            "nornir": tmp_path / "nornir",
            "ansible": tmp_path / "ansible" / "inventory.yml",
        }
        hosts, results = {}, {}
        for kind, source in sources.items():
            capsys.readouterr()
            assert main(["hosts", "-i", str(source), "--json"]) == 0
            hosts[kind] = {
                h["name"]: (
                    h["address"],
                    h["port"],
                    h["platform"],
                    h["username"],
                    sorted(h["groups"]),
                    h["vars"],
                )
                for h in json.loads(capsys.readouterr().out)
            }
            reports = tmp_path / f"reports-{kind}"
            assert main(["run", str(job), "-i", str(source), "--reports", str(reports)]) == 0
            report = json.loads((reports / "who" / "latest" / "report.json").read_text())
            results[kind] = {name: h["status"] for name, h in report["hosts"].items()}
            for name in report["hosts"]:
                log = (reports / "who" / "latest" / "hosts" / f"{name}.log").read_text()
                assert f"{name} uptime is" in log
    assert hosts["netjob"] == hosts["nornir"] == hosts["ansible"]
    assert len(hosts["netjob"]) == 4
    assert (
        results["netjob"]
        == results["nornir"]
        == results["ansible"]
        == {f"r00{n}": "ok" for n in range(1, 5)}
    )
