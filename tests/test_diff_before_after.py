"""`-D` and `--check` show before and after, as a reviewer reads Ansible's `--diff`: per
section, the running lines a change replaces or removes (`-`), then the lines sent (`+`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_fixture import device_of, run_cli, start_lab

from netjob_lab.inventory import inventory_yaml
from runner.device.remediation import remediation, set_lines_remediation

JOB = """\
name: uplink
hosts: all
tasks:
  - name: describe the core link
    config:
      - interface GigabitEthernet0/3
      - " description to core"
"""


@pytest.mark.sessions
@pytest.mark.lab
@pytest.mark.parametrize("flag", ["-D", "--check"])
def test_a_replaced_description_shows_its_minus_line_through_the_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flag: str,
) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")
    job, inventory = tmp_path / "uplink.yaml", tmp_path / "inv.yaml"
    job.write_text(JOB)
    with start_lab(devices=1) as lab:
        inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
        code = run_cli(job, inventory, tmp_path / "reports", flag, "--no-color")
        description = device_of(lab, "r001").config.interfaces["GigabitEthernet0/3"].description
    assert code == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    at = lines.index("interface GigabitEthernet0/3")  # the section, as context
    assert lines[at + 1 : at + 3] == ["-  description spare", "+  description to core"]
    assert description == ("spare" if flag == "--check" else "to core")


RUNNING = """\
interface GigabitEthernet0/1
 description spare
 shutdown
interface GigabitEthernet0/2
 description users
logging host 192.0.2.5
ntp server 192.0.2.1
"""


def test_removed_and_replaced_lines_come_per_section_before_the_lines_sent() -> None:
    lines = [
        "interface GigabitEthernet0/1",
        " description to core",
        " no shutdown",
        "no logging host 192.0.2.5",
        "no interface GigabitEthernet0/2",
    ]
    fix = remediation(RUNNING, lines, "cisco_ios")
    assert fix.diff.splitlines() == [
        "-interface GigabitEthernet0/2",
        "-  description users",
        "-logging host 192.0.2.5",
        "+no interface GigabitEthernet0/2",
        "+no logging host 192.0.2.5",
        " interface GigabitEthernet0/1",
        "-  description spare",
        "-  shutdown",
        "+  no shutdown",
        "+  description to core",
    ]
    # What is sent is unchanged by the diff: the `-` lines are the running config's.
    assert [line.strip() for line in fix.lines] == [
        "no interface GigabitEthernet0/2",
        "no logging host 192.0.2.5",
        "interface GigabitEthernet0/1",
        "no shutdown",
        "description to core",
    ]


def test_an_added_line_that_replaces_nothing_has_no_minus_line() -> None:
    fix = remediation(RUNNING, ["ntp server 192.0.2.2"], "cisco_ios")
    assert fix.diff == "+ntp server 192.0.2.2\n"


def test_a_junos_delete_shows_the_set_lines_it_removes() -> None:
    running = "set system ntp server 192.0.2.1\nset system ntp server 192.0.2.1 prefer\n"
    fix = set_lines_remediation(running, ["delete system ntp server 192.0.2.1"])
    assert fix.diff.splitlines() == [
        "-set system ntp server 192.0.2.1",
        "-set system ntp server 192.0.2.1 prefer",
        "+delete system ntp server 192.0.2.1",
    ]
