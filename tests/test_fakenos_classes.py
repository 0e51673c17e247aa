"""Failure classes that name the cause, on FakeNOS (a simulator this project did not
write), over real netmiko and SSH: where plain netmiko drives a platform or fails in words
of its own, netjob does the same job or names the same cause, never `internal_error`.

FakeNOS knows only show commands on most platforms: the config mode, commits and saves
each test needs are added to its platforms as the real devices answer them (FakeNOS's
`commands`; a question is a prompt of its own, which only the answer leaves).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakenos_fixture import FakeNOSLab, FakeNOSUnavailable, start_fakenos
from lab_fixture import load_report, run_cli

from runner.report.run_folder import load_host

pytestmark = [pytest.mark.lab, pytest.mark.sessions]

USER, ENABLED, CONFIG = "{base_prompt}>", "{base_prompt}#", "{base_prompt}(config)#"


def command(output: str, at: str, goes_to: str | None = None) -> dict[str, Any]:
    """A FakeNOS command: its output, the prompt it is known at, the prompt it leads to."""
    entry: dict[str, Any] = {"output": output, "help": "added by netjob's tests", "prompt": [at]}
    if goes_to is not None:
        entry["new_prompt"] = goes_to
    return entry


def config_mode(enter: str, leave: str = "end") -> dict[str, Any]:
    return {
        enter: command("", ENABLED, CONFIG),
        "hostname lab": command("", CONFIG),
        leave: command("", CONFIG, ENABLED),
    }


COPIED = "%COPY-N-TRAP: The copy operation was completed successfully\n\nCopy succeeded"
SYSTEM_VIEW = "[{base_prompt}]"
COMMANDS: dict[str, dict[str, Any]] = {
    # OcNOS edits a candidate: `commit` applies it (netmiko's commit() reads its answer).
    "ipinfusion_ocnos": {
        **config_mode("configure terminal"),
        "commit": command("Commit complete (netjob-fakenos).", CONFIG),
    },
    # Saves that ask nothing (no startup-config yet): netmiko's save_config() sends its
    # Y / yes all the same.
    "cisco_s300": {**config_mode("configure terminal"), "write memory": command(COPIED, ENABLED)},
    "ericsson_ipos": {
        "enable 15": command("", USER, ENABLED),
        **config_mode("configure"),
        "commit": command("Transaction committed", CONFIG),
        "save config": command("Configuration saved.", ENABLED),
    },
    # Comware: netmiko's save_config() enters system-view (its enable()) and stays there.
    "hp_comware": {
        "system-view": command("System View: return to User View with Ctrl+Z.", USER, SYSTEM_VIEW),
        "sysname lab": command("", SYSTEM_VIEW),
        "return": command("", SYSTEM_VIEW, USER),
        "save force": command("Saved the current configuration successfully.", USER),
        "display clock": command("10:32:17.335 UTC Mon 12/07/2026", USER),
    },
}
for name in ("save force", "display clock"):  # known in both views, as on the device
    COMMANDS["hp_comware"][name]["prompt"].append(SYSTEM_VIEW)
# Platforms whose enable command the device does not know (FakeNOS: `Unknown command`).
NO_ENABLE = ("alcatel_sros", "checkpoint_gaia", "linux")
PLATFORMS = (*COMMANDS, *NO_ENABLE)


@pytest.fixture(scope="module")
def fakenos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeNOSLab]:
    try:
        with start_fakenos(PLATFORMS, tmp_path_factory.mktemp("fakenos"), commands=COMMANDS) as lab:
            yield lab
    except FakeNOSUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@dataclass
class Run:
    code: int
    report: dict[str, Any]
    folder: Path

    def steps(self, host: str) -> list[dict[str, Any]]:
        return list(load_host(self.folder, host)["steps"])


def run(
    lab: FakeNOSLab, tmp_path: Path, job: str, platforms: tuple[str, ...], secret: bool = True
) -> Run:
    hosts: dict[str, Any] = {}
    for platform in platforms:
        hosts[platform] = {"port": lab.hosts[platform].port, "platform": platform}
        if secret:
            hosts[platform]["secret_env"] = "FAKENOS_SECRET"
    inventory = {
        "defaults": {
            "address": lab.address,
            "username": lab.username,
            "password_env": "FAKENOS_PASSWORD",
            "connection": {"conn_timeout": 5, "auth_timeout": 5, "read_timeout": 10},
            "known_hosts": lab.known_hosts,
        },
        "hosts": hosts,
    }
    (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "job.yaml").write_text(textwrap.dedent(job))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FAKENOS_PASSWORD", lab.password)
        env.setenv("FAKENOS_SECRET", lab.secret)
        code = run_cli(
            tmp_path / "job.yaml",
            tmp_path / "inventory.yaml",
            tmp_path / "reports",
            *("-q", "--no-html", "--retries", "0", "-w", str(len(platforms))),
        )
    return Run(code, load_report(tmp_path / "reports", "job"), tmp_path / "reports/job/latest")


SHOW = """\
    tasks:
      - name: one show
        show: show version
    """
CONFIG_AND_SAVE = """\
    tasks:
      - name: name it
        config: {default: [hostname lab], hp_comware: [sysname lab]}
        save_config: true
      - name: then a show
        show: {default: show version, hp_comware: display clock}
    """


@pytest.mark.parametrize("platform", NO_ENABLE)
def test_an_enable_command_the_device_does_not_take_is_command_rejected(
    platform: str, fakenos: FakeNOSLab, tmp_path: Path
) -> None:
    # Nokia SR OS' `enable-admin`, Check Point's `expert`, Linux's `sudo -s`: FakeNOS says
    # `Unknown command` and asks no password. Before: SR OS read "the device did not
    # accept the enable secret", Check Point internal_error (netmiko's UnboundLocalError),
    # Linux waited out its read timeout for `#` and read login_timeout.
    result = run(fakenos, tmp_path, SHOW, (platform,))
    host = result.report["hosts"][platform]
    assert host["failure"] == "command_rejected", host
    assert "asked for no password" in host["error"], host["error"]
    assert "it answered 'Unknown command'" in host["error"], host["error"]
    assert "did not accept the enable secret" not in host["error"]


def test_ocnos_config_is_sent_and_committed_as_netmiko_users_do(
    fakenos: FakeNOSLab, tmp_path: Path
) -> None:
    # netmiko's OcNOS send_config_set() passes exit_config_mode on itself: netjob's own
    # exit_config_mode=False was a TypeError (internal_error) before anything was sent.
    job = "tasks:\n  - name: name it\n    config: [hostname lab]\n"
    result = run(fakenos, tmp_path, job, ("ipinfusion_ocnos",))
    host = result.report["hosts"]["ipinfusion_ocnos"]
    assert host["status"] == "changed", host
    (step,) = result.steps("ipinfusion_ocnos")
    assert "Commit complete (netjob-fakenos)." in step["outputs"][0]


def test_config_for_cisco_ftd_is_refused_before_anything_connects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # netmiko: "Cannot change config on FTD via SSH" (its send_config_set only raises
    # NotImplementedError): found on the device, that read internal_error.
    monkeypatch.setenv("FTD_PASSWORD", "x")
    (tmp_path / "job.yaml").write_text("tasks:\n  - name: name it\n    config: [hostname lab]\n")
    ftd = {"address": "192.0.2.7", "platform": "cisco_ftd", "password_env": "FTD_PASSWORD"}
    (tmp_path / "inventory.yaml").write_text(yaml.safe_dump({"hosts": {"ftd": ftd}}))
    code = run_cli(tmp_path / "job.yaml", tmp_path / "inventory.yaml", tmp_path / "reports")
    said = capsys.readouterr().err
    assert code == 2, said
    assert "task 'name it' sends config lines, but host 'ftd' is cisco_ftd" in said
    assert "Traceback" not in said


@pytest.mark.parametrize("platform", ["cisco_s300", "ericsson_ipos", "hp_comware"])
def test_a_save_is_read_as_the_device_said_it(
    platform: str, fakenos: FakeNOSLab, tmp_path: Path
) -> None:
    # SG300 and IPOS saved without asking, and netmiko's Y / yes, sent blindly, was
    # refused as a command: "the device refused to save" of a save that happened. Comware's
    # save left the session in system-view, where the next show timed out.
    result = run(fakenos, tmp_path, CONFIG_AND_SAVE, (platform,))
    host = result.report["hosts"][platform]
    assert host["status"] == "changed", host
    saved, show = result.steps(platform)
    assert saved["status"] == "changed" and show["status"] == "ok", (saved, show)
