"""A host that ran but failed a check reads `non-compliant` wherever its status is shown
(the console's host lines, report.html's hosts table and host sections), never `ok`."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from lab_fixture import device_of, run_cli, start_lab

from netjob_lab.inventory import inventory_yaml

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

PLAYBOOKS = Path(__file__).resolve().parent.parent / "playbooks"


def test_a_host_that_failed_a_check_is_non_compliant_on_the_console_and_in_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    reports = tmp_path / "reports"
    with start_lab(devices=6) as lab:
        interfaces = device_of(lab, "r001").config.interfaces  # r001 then passes every rule
        interfaces["GigabitEthernet0/2"] = replace(
            interfaces["GigabitEthernet0/2"], description="x"
        )
        inventory = tmp_path / "inv.yaml"
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        assert run_cli(PLAYBOOKS / "compliance_audit.yaml", inventory, reports) == 3
    out = capsys.readouterr().out
    # r003 fails "http server disabled" on the stock lab.
    assert re.search(r"^non-compliant r003 ", out, re.MULTILINE), out
    assert re.search(r"^ok\s+r001 ", out, re.MULTILINE), out
    html = (reports / "compliance_audit" / "latest" / "report.html").read_text()
    row = re.search(r'<tr data-host="r003".*?</tr>', html, re.S)
    assert row and ">non-compliant</span>" in row.group(0), row
    assert not re.search(r'<tr data-host="r003"[^>]*>.*?>ok</span>', row.group(0), re.S)
    assert re.search(r"<h2>r003 <span[^>]*>non-compliant</span></h2>", html)
