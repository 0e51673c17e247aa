"""The shipped compliance audit on a lab of every platform it serves, through the CLI:
per-platform check fields (ntc-templates name the version `image` on EOS, `junos_version`
on Junos, `os` on NX-OS) and tasks a platform skips by `when:`, never an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab_fixture import start_lab

from runner.cli import main
from runner.lab.inventory import inventory_yaml

AUDIT = Path(__file__).resolve().parent.parent / "playbooks" / "compliance_audit.yaml"
MIXED = ("cisco_ios", "arista_eos", "juniper_junos", "cisco_xr", "cisco_nxos", "huawei")


def test_shipped_audit_runs_clean_on_every_lab_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    inventory, reports = tmp_path / "inv.yaml", tmp_path / "reports"
    with start_lab(devices=6, platforms=MIXED) as lab:
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        code = main(["run", str(AUDIT), "-i", str(inventory), "--reports", str(reports), "-q"])
    assert code == 3  # every host ran; the lab's NX-OS and r001's Gi0/2 are not compliant
    report = json.loads((reports / "compliance_audit" / "latest" / "report.json").read_text())
    assert {h: d["status"] for h, d in report["hosts"].items()} == dict.fromkeys(
        ("r001", "r002", "r003", "r004", "r005", "r006"), "ok"
    )
    rules = report["compliance"]["rules"]
    assert all(rule["error"] == 0 for rule in rules.values())
    assert rules["allowed software version"] == {"pass": 5, "fail": 0, "error": 0, "failing": []}
    skipped = {
        h: [s["task"] for s in d["steps"] if s["status"] == "skipped"]
        for h, d in report["hosts"].items()
    }
    assert skipped["r006"] == ["software", "services", "interface descriptions"]  # VRP
    assert skipped["r003"] == ["services", "interface descriptions"]  # Junos


def test_a_field_per_platform_without_an_entry_for_the_host_is_a_check_error() -> None:
    from runner.base.models import CheckStatus
    from runner.load.checks import parse_checks
    from runner.load.schema import At
    from runner.run.audit import evaluate

    (check,) = parse_checks([{"field": {"arista_eos": "image"}, "equals": "x"}], At(AUDIT, "c"))
    rows = [{"image": "x"}]
    assert evaluate(check, "", rows, "arista_eos").status is CheckStatus.PASS
    result = evaluate(check, "", rows, "cisco_ios")
    assert (
        result.status is CheckStatus.ERROR and "add a `cisco_ios:` or `default:`" in result.evidence
    )
