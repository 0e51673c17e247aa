"""The platform table: one place for what netjob knows per device_type, safe generic
behaviour for the rest, and no device_type names anywhere else in the product code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from netmiko.ssh_dispatcher import CLASS_MAPPER
from source_scan import code_strings

from runner.base import platforms
from runner.base.errors import InputError, RemediationError
from runner.base.flat_config import nest_flat_lines
from runner.base.models import Host, Job, Task, TaskKind
from runner.device import capabilities
from runner.device.remediation import remediation
from runner.render.expansion import expand

RUNNER = Path(__file__).resolve().parent.parent / "runner"


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("cisco_ios", "cisco_ios"),
        ("cisco_ios_ssh", "cisco_ios"),
        ("cisco_xe_telnet", "cisco_ios"),
        ("cisco_xr", "cisco_xr"),
        ("juniper", "juniper_junos"),
        ("huawei_ssh", "huawei"),
        ("hp_comware", "hp_comware"),
    ],
)
def test_device_types_and_their_transport_suffixes_find_their_family(
    name: str, family: str
) -> None:
    assert platforms.lookup(name).name == family
    assert platforms.lookup(name).known


def test_every_table_device_type_is_one_netmiko_knows() -> None:
    for info in platforms.TABLE:
        for device_type in (info.name, *info.device_types):
            assert device_type in CLASS_MAPPER, device_type


def test_a_device_type_the_table_does_not_know_gets_strict_generic_behaviour() -> None:
    info = platforms.lookup("ruckus_fastiron")
    assert not info.known
    assert info.remediator is platforms.Remediator.NONE and info.prompt is None
    for said in ("Unknown command", "% unknown command.", "Error: Unrecognized command found"):
        assert info.rejected.search(f"\n{said}\n"), said


def test_napalm_and_ansible_names_map_through_the_table() -> None:
    assert platforms.from_foreign("iosxr") == "cisco_xr"
    assert platforms.from_foreign("cisco.nxos.nxos") == "cisco_nxos"
    assert platforms.from_foreign("junos") == "juniper_junos"
    assert platforms.from_foreign("eos") == "arista_eos"


@pytest.mark.parametrize(
    ("platform", "said"),
    [
        ("huawei", "Error: Unrecognized command found at '^' position."),
        ("hp_comware", "% Unrecognized command found at '^' position."),
        ("cisco_nxos", "% Invalid command at '^' marker."),
        ("juniper_junos", "syntax error, expecting <command>."),
        ("cisco_ios", "% invalid input detected at '^' marker."),  # any letter case
    ],
)
def test_each_platform_knows_how_its_devices_say_no(platform: str, said: str) -> None:
    assert platforms.lookup(platform).rejected.search(f"x#bad\n      ^\n{said}\nx#")


def test_vrp_prompts_match_user_and_system_views() -> None:
    shape = platforms.lookup("huawei").prompt
    assert shape is not None
    pattern = re.compile(shape(re.escape("HUAWEI")))
    for prompt in ("<HUAWEI>", "[HUAWEI]", "[HUAWEI-GigabitEthernet0/0/1]"):
        assert pattern.search(f"output\n{prompt}"), prompt
    assert not pattern.search("sysname HUAWEI\n#")


def test_a_flat_task_is_read_as_the_devices_modal_parser_reads_it() -> None:
    ios = platforms.lookup("cisco_ios")
    flat = ["interface Vlan200", "description mgmt", "exit", "ntp server 192.0.2.1"]
    assert nest_flat_lines(flat, ios) == [
        "interface Vlan200",
        " description mgmt",
        "ntp server 192.0.2.1",
    ]
    indented = ["interface Vlan200", " description mgmt"]
    assert nest_flat_lines(indented, ios) == indented  # the author said what goes where


def test_the_remediation_never_moves_a_line_out_of_its_section() -> None:
    running = "hostname r1\ninterface Vlan200\n description old\n"
    fix = remediation(running, ["interface Vlan200", "description mgmt"], "cisco_ios")
    assert [line.strip() for line in fix.lines] == ["interface Vlan200", "description mgmt"]
    done = "hostname r1\ninterface Vlan200\n description mgmt\n"
    assert remediation(done, ["interface Vlan200", "description mgmt"], "cisco_ios").lines == ()
    # Elsewhere, the same description is not "already there".
    other = "hostname r1\ninterface Vlan300\n description mgmt\n"
    sent = remediation(other, ["interface Vlan200", "description mgmt"], "cisco_ios").lines
    assert [line.strip() for line in sent] == ["interface Vlan200", "description mgmt"]


def test_leaving_a_section_before_an_outer_line_is_sent_too() -> None:
    fix = remediation(
        "sysname HW\n", ["interface Gi0/0/1", "description x", "quit", "ntp-service x"], "huawei"
    )
    assert [line.strip() for line in fix.lines] == [
        "interface Gi0/0/1",
        "description x",
        "quit",
        "ntp-service x",
    ]


def test_a_running_config_hier_config_cannot_read_is_a_remediation_error_not_a_crash() -> None:
    duplicated = "interface Gi0/1\n description a\ninterface Gi0/1\n description b\n"
    with pytest.raises(RemediationError, match="DuplicateChildError"):
        remediation(duplicated, ["interface Gi0/2", "description x"], "cisco_ios")


def test_save_on_a_platform_without_a_save_is_refused_before_anything_connects() -> None:
    job = Job(
        name="j",
        path=Path("jobs/j.yaml"),
        tasks=(
            Task(
                name="push",
                kind=TaskKind.CONFIG,
                lines=("logging host 192.0.2.1",),
                save_config=True,
                line=4,
            ),
        ),
    )
    eltex = Host(name="sw1", address="192.0.2.1", platform="eltex")
    with pytest.raises(InputError, match=r"jobs/j.yaml:4: task 'push'.*'sw1' is eltex"):
        expand(job, [eltex], {}, capable=capabilities)
    # A commit keeps IOS-XR's config: save means the commit there.
    assert expand(
        job, [Host(name="xr1", address="192.0.2.2", platform="cisco_xr")], {}, capable=capabilities
    )


def _code_strings(path: Path) -> list[str]:
    """String constants of a module, docstrings left out (docs may name platforms)."""
    return [str(node.value) for node in code_strings(path)]


def test_device_type_names_appear_only_in_the_platform_table() -> None:
    names = {name for name in CLASS_MAPPER if "_" in name}
    word = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len)[::-1]) + r")\b")
    offenders = []
    for path in sorted(RUNNER.rglob("*.py")):
        relative = path.relative_to(RUNNER).as_posix()
        # The lab (netjob_lab, outside runner/) has its own list; `netjob lab` reads it.
        if relative == "base/platforms.py":
            continue
        offenders += [f"{relative}: {s!r}" for s in _code_strings(path) if word.search(s)]
    assert not offenders, offenders


def test_the_readme_shows_the_table_as_netjob_platforms_prints_it() -> None:
    readme = (RUNNER.parent / "README.md").read_text()
    assert platforms.support_table() in readme


def _on_a_terminal(*args: str) -> str:
    """`netjob ARGS` with its output on a pseudo-terminal, as a person runs it."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    controller, terminal = os.openpty()
    done = subprocess.Popen(
        [sys.executable, "-c", "from runner.cli import entry; entry()", *args],
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "160"},
    )
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the process ended and closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(controller)
    assert done.wait(timeout=60) == 0, out
    return out.decode()


@pytest.mark.lab
def test_platforms_prints_a_table_on_a_terminal_and_markdown_on_request() -> None:
    shown = _on_a_terminal("platforms")
    assert "┃" in shown and "│ cisco_ios, cisco_xe" in shown
    assert "|---|" not in shown and "`" not in shown
    assert "|---|" in _on_a_terminal("platforms", "--markdown")
