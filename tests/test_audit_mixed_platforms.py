"""The shipped compliance audit on a lab of every platform it serves, through the CLI:
per-platform check fields (ntc-templates name the version `image` on EOS, `junos_version`
on Junos, `os` on NX-OS) and tasks a platform skips by `when:`, never an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lab_fixture import start_lab

from netjob_lab.inventory import inventory_yaml
from runner.cli import main

pytestmark = pytest.mark.lab

AUDIT = Path(__file__).resolve().parent.parent / "playbooks" / "compliance_audit.yaml"
MIXED = ("cisco_ios", "arista_eos", "juniper_junos", "cisco_xr", "cisco_nxos", "huawei")


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    """The shipped audit run once on the six-platform lab: its exit code and report.json."""
    tmp_path = tmp_path_factory.mktemp("mixed")
    inventory, reports = tmp_path / "inv.yaml", tmp_path / "reports"
    with pytest.MonkeyPatch.context() as env, start_lab(devices=6, platforms=MIXED) as lab:
        env.setenv("NETJOB_LAB_PASSWORD", "lab-password")
        env.setenv("NETJOB_LAB_SECRET", "lab-enable")
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        code = main(["run", str(AUDIT), "-i", str(inventory), "--reports", str(reports), "-q"])
    report = json.loads((reports / "compliance_audit" / "latest" / "report.json").read_text())
    return code, report


@pytest.mark.sessions
def test_shipped_audit_runs_clean_on_every_lab_platform(
    audited: tuple[int, dict[str, Any]],
) -> None:
    code, report = audited
    assert code == 3  # every host ran; the lab's NX-OS and r001's Gi0/2 are not compliant
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


def test_shipped_audit_reads_nxos_own_lines_and_names_the_value_it_found(
    audited: tuple[int, dict[str, Any]],
) -> None:
    report = audited[1]
    # r005 is NX-OS: `ntp server 192.0.2.123 use-vrf default`, `logging server 192.0.2.50`.
    (services,) = [s for s in report["hosts"]["r005"]["steps"] if s["task"] == "services"]
    checks = {c["name"]: c for c in services["checks"]}
    assert checks["ntp server configured"]["status"] == "pass"
    assert checks["logging host configured"]["status"] == "pass"
    assert "logging server 192.0.2.50" in checks["logging host configured"]["evidence"]
    # Every 5th lab device has `snmp-server community public`: masked in the line, and the
    # value the rule names said after it.
    community = checks["no default SNMP community"]
    assert community["status"] == "fail"
    assert community["evidence"] == (
        "found line: snmp-server community ******** group network-operator (matched 'public')"
    )


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
