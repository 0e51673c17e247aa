"""Never a false success, on every lab platform: refused lines, commits and saves fail the
step in the device's words and leave the session usable; flat tasks keep their context;
a second run of the same change sends nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lab_fixture import run_cli, start_lab

from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from netjob_lab.platforms import PLATFORMS
from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]


def _job(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nhosts: all\ntasks:\n{body}")
    return path


def _inventory(tmp_path: Path, lab: Any) -> Path:
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
    return inventory


@pytest.fixture(autouse=True)
def _lab_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETJOB_LAB_PASSWORD", "lab-password")
    monkeypatch.setenv("NETJOB_LAB_SECRET", "lab-enable")


FLAT = """\
  - name: mgmt description
    config:
      - interface Loopback200
      - description mgmt
      - exit
      - ntp server 192.0.2.44
"""


def test_a_flat_task_keeps_its_context_and_a_second_run_sends_nothing(tmp_path: Path) -> None:
    job = _job(tmp_path, "flat", FLAT)
    reports = tmp_path / "reports"
    with start_lab(devices=1) as lab:
        inventory = _inventory(tmp_path, lab)
        assert run_cli(job, inventory, reports) == 0
        first = load_host(reports / "flat" / "latest", "r001")["steps"][0]
        assert first["status"] == "changed"
        config = lab.device("r001").running_config()
        # The description sits under the interface, never at the global level.
        assert "interface Loopback200\n description mgmt" in config
        assert "\ndescription mgmt" not in config
        assert "ntp server 192.0.2.44" in config
        # What was sent is what the host log and report.json say.
        assert [c.strip() for c in first["commands"]] == [
            "interface Loopback200",
            "description mgmt",
            "exit",
            "ntp server 192.0.2.44",
        ]
        assert run_cli(job, inventory, reports) == 0
        again = load_host(reports / "flat" / "latest", "r001")["steps"][0]
        assert again["status"] == "ok" and again["note"] == "unchanged", again
        assert again["commands"] == [
            "interface Loopback200",
            "description mgmt",
            "exit",
            "ntp server 192.0.2.44",
        ]


def test_a_changed_description_is_sent_under_its_interface(tmp_path: Path) -> None:
    """The remediation may drop the parent only when it is present in the same context; an
    existing interface whose description differs gets the interface line as context."""
    reports = tmp_path / "reports"
    with start_lab(devices=1) as lab:
        inventory = _inventory(tmp_path, lab)
        first = _job(tmp_path, "one", FLAT)
        assert run_cli(first, inventory, reports) == 0
        second = _job(tmp_path, "two", FLAT.replace("description mgmt", "description oob"))
        assert run_cli(second, inventory, reports) == 0
        step = load_host(reports / "two" / "latest", "r001")["steps"][0]
        assert [c.strip() for c in step["commands"]] == ["interface Loopback200", "description oob"]
        config = lab.device("r001").running_config()
        assert "interface Loopback200\n description oob" in config
        assert "\ndescription oob" not in config


# Per lab platform: a flat task (a section, a line in it, the way out, a global line), the
# config line and save command a fault can refuse, and a show.
CASES: dict[str, dict[str, Any]] = {
    "cisco_ios": {
        "flat": ["interface Loopback200", "description mgmt", "exit", "ntp server 192.0.2.44"],
        "nested": "interface Loopback200\n description mgmt",
        "save": "write memory",
        "show": "show clock",
    },
    "arista_eos": {
        "flat": ["interface Loopback200", "description mgmt", "exit", "ntp server 192.0.2.44"],
        "nested": "interface Loopback200\n   description mgmt",
        "save": "copy running-config startup-config",
        "show": "show clock",
    },
    "cisco_nxos": {
        "flat": ["interface Ethernet1/1", "description mgmt", "exit", "ntp server 192.0.2.44"],
        "nested": "interface Ethernet1/1\n  description mgmt",
        "save": "copy running-config startup-config",
        "show": "show clock",
    },
    "cisco_xr": {
        "flat": [
            "interface GigabitEthernet0/0/0/1",
            "description mgmt",
            "exit",
            "ntp server 192.0.2.44",
        ],
        "nested": "interface GigabitEthernet0/0/0/1\n description mgmt",
        "commit": True,
        "show": "show clock",
    },
    "huawei": {
        "flat": [
            "interface GigabitEthernet0/0/1",
            "description mgmt",
            "quit",
            "ntp-service unicast-server 192.0.2.44",
        ],
        "nested": "interface GigabitEthernet0/0/1\n description mgmt",
        "save": "save",
        "show": "display version",
    },
    "juniper_junos": {
        "flat": ["set system ntp server 192.0.2.44"],
        "commit": True,
        "show": "show version",
    },
}
# Every platform the lab simulates (its one list): a new one without a case here fails.
LAB_PLATFORMS = tuple(PLATFORMS)


def _config_task(name: str, lines: list[str], **options: Any) -> str:
    body = "".join(f"      - {line}\n" for line in lines)
    extra = "".join(f"    {key}: {str(value).lower()}\n" for key, value in options.items())
    return f"  - name: {name}\n    config:\n{body}{extra}"


def _show_task(name: str, command: str) -> str:
    return f"  - name: {name}\n    show: {command}\n"


@pytest.mark.parametrize("platform", LAB_PLATFORMS)
def test_each_lab_platform_applies_a_flat_task_in_context_then_sends_nothing(
    tmp_path: Path, platform: str
) -> None:
    """With an enable secret set for every host: platforms without enable ignore it."""
    case = CASES[platform]
    save = "save" in case
    job = _job(tmp_path, "flat", _config_task("push", case["flat"], save_config=save))
    reports = tmp_path / "reports"
    with start_lab(devices=1, platforms=(platform,)) as lab:
        inventory = _inventory(tmp_path, lab)
        assert run_cli(job, inventory, reports) == 0
        first = load_host(reports / "flat" / "latest", "r001")["steps"][0]
        assert first["status"] == "changed", first
        if platform in ("cisco_xr", "huawei", "juniper_junos"):  # no enable: said, not failed
            assert "enable secret ignored" in first["note"], first
        device = lab.device("r001")
        config = device.running_config()
        assert "192.0.2.44" in config  # committed where the platform commits
        if "nested" in case:
            assert case["nested"] in config, config
            assert "\ndescription mgmt" not in config
        if save:
            assert "192.0.2.44" in device.startup_config
        assert run_cli(job, inventory, reports) == 0
        again = load_host(reports / "flat" / "latest", "r001")["steps"][0]
        assert again["status"] == "ok" and "unchanged" in again["note"], again


@pytest.mark.parametrize("platform", LAB_PLATFORMS)
def test_a_refused_config_line_fails_in_the_devices_words_and_the_session_recovers(
    tmp_path: Path, platform: str
) -> None:
    case = CASES[platform]
    refused = case["flat"][-1]
    keyword = " ".join(refused.split()[:2])
    lines = ["interface Loopback201"] if platform != "juniper_junos" else []
    lines = [*case["flat"][:-1], refused, "ntp server 192.0.2.46"]
    if platform == "juniper_junos":
        lines = ["set system ntp server 192.0.2.44", "set system ntp server 192.0.2.46"]
        keyword = "set system ntp"
    job = _job(
        tmp_path,
        "refused",
        _config_task("push", lines, ignore_errors=True) + _show_task("look", case["show"]),
    )
    reports = tmp_path / "reports"
    faults = parse_faults([f"r001=reject:{keyword}"])
    with start_lab(devices=1, platforms=(platform,), faults=faults) as lab:
        before = lab.device("r001").running_config()
        assert run_cli(job, _inventory(tmp_path, lab), reports) == 0  # ignored, then ok
        host = load_host(reports / "refused" / "latest", "r001")
        push, look = host["steps"]
        assert push["status"] == "failed" and push["failure"] == "command_rejected", push
        # The device's own words, and exactly what reached it: the refused line last.
        assert "the device rejected '" in push["error"], push["error"]
        assert push["outputs"], push
        sent = [c.strip() for c in push["commands"]]
        assert sent[-1].startswith(keyword), sent
        assert "192.0.2.46" not in " ".join(sent)
        after = lab.device("r001").running_config()
        assert "192.0.2.46" not in after
        if case.get("commit"):
            assert after == before  # the candidate was discarded, nothing applied
        # The session was put back out of config mode: the next show works.
        assert look["status"] == "ok", look


@pytest.mark.parametrize("platform", [p for p in LAB_PLATFORMS if CASES[p].get("commit")])
def test_a_refused_commit_fails_and_discards_the_candidate(tmp_path: Path, platform: str) -> None:
    case = CASES[platform]
    job = _job(
        tmp_path,
        "commit",
        _config_task("push", case["flat"], ignore_errors=True) + _show_task("look", case["show"]),
    )
    reports = tmp_path / "reports"
    with start_lab(
        devices=1, platforms=(platform,), faults=parse_faults(["r001=reject:commit"])
    ) as lab:
        before = lab.device("r001").running_config()
        assert run_cli(job, _inventory(tmp_path, lab), reports) == 0
        push, look = load_host(reports / "commit" / "latest", "r001")["steps"]
        assert push["status"] == "failed" and push["failure"] == "command_rejected", push
        assert "refused the commit" in push["error"] and "discarded" in push["error"], push
        assert lab.device("r001").running_config() == before
        assert look["status"] == "ok", look
        # Without ignore_errors the run fails: never a success where the commit failed.
        strict = _job(tmp_path, "strict", _config_task("push", case["flat"]))
        assert run_cli(strict, _inventory(tmp_path, lab), reports) == 1


@pytest.mark.parametrize("platform", [p for p in LAB_PLATFORMS if "save" in CASES[p]])
def test_a_refused_save_fails_the_step(tmp_path: Path, platform: str) -> None:
    case = CASES[platform]
    job = _job(tmp_path, "save", _config_task("push", case["flat"], save_config=True))
    reports = tmp_path / "reports"
    faults = parse_faults([f"r001=reject:{case['save']}"])
    with start_lab(devices=1, platforms=(platform,), faults=faults) as lab:
        assert run_cli(job, _inventory(tmp_path, lab), reports) == 1
        push = load_host(reports / "save" / "latest", "r001")["steps"][0]
        assert push["status"] == "failed" and push["failure"] == "command_rejected", push
        assert "refused to save" in push["error"], push
        assert "192.0.2.44" not in lab.device("r001").startup_config


def test_an_output_that_does_not_belong_to_its_command_is_never_stored(tmp_path: Path) -> None:
    """The device answers the 2nd show with a bare prompt and sends its output late: the
    step fails session_desync, and the next command gets its own output."""
    job = _job(
        tmp_path,
        "desync",
        _show_task("one", "show version")
        + "  - name: two\n    show: show ip interface brief\n    ignore_errors: true\n"
        + _show_task("three", "show clock"),
    )
    reports = tmp_path / "reports"
    with start_lab(devices=1, faults=parse_faults(["r001=stale_prompt:2"])) as lab:
        assert run_cli(job, _inventory(tmp_path, lab), reports) == 0
        one, two, three = load_host(reports / "desync" / "latest", "r001")["steps"]
        assert one["status"] == "ok"
        assert two["status"] == "failed" and two["failure"] == "session_desync", two
        assert not two["outputs"]
        assert three["status"] == "ok", three
        assert "Interface" not in three["outputs"][0]  # not the late output of `two`


def test_a_failed_parse_is_visible_everywhere_and_its_saved_rows_are_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show running-config` has no ntc-templates template: the step is ok (the device
    answered) but says why it has no rows, and a later step that reads them fails."""
    job = _job(
        tmp_path,
        "parse",
        "  - name: running\n    show: show running-config\n    parse: textfsm\n"
        "    register: running\n"
        '  - name: use rows\n    show: "show interfaces {{ registered.running[0].interface }}"\n',
    )
    reports = tmp_path / "reports"
    with start_lab(devices=1) as lab:
        assert run_cli(job, _inventory(tmp_path, lab), reports) == 1
    run = reports / "parse" / "latest"
    running, use = load_host(run, "r001")["steps"]
    assert running["status"] == "ok" and running["note"].startswith("parse failed: "), running
    assert use["status"] == "failed" and use["failure"] == "template_error", use
    assert "reads registered.running, but task 'running' could not parse its output" in use["error"]
    assert "parse failed: " in (run / "hosts" / "r001.log").read_text()
    assert "parse failed: " in (run / "report.html").read_text()
    assert "[running] parse failed: " in capsys.readouterr().out
