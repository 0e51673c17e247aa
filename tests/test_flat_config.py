"""How a flat config task is read (runner.base.flat_config): a section's own commands stay
in it, a global command leaves it, a line netjob cannot place is refused; and the lab's
devices and the platform table agree on which commands are which."""

from __future__ import annotations

from pathlib import Path

import pytest

from netjob_lab.device import Device
from netjob_lab.shell import DIALECTS, Shell
from netjob_lab.table import Mode
from runner.base import platforms
from runner.base.errors import TemplateError
from runner.base.flat_config import FlatConfigError, nest_flat_lines
from runner.base.models import Host, Job, Task, TaskKind
from runner.device.remediation import remediation
from runner.render.templating import compile_job, finish_step, render_steps


def _read(lines: list[str], platform: str = "cisco_ios") -> list[str]:
    return nest_flat_lines(lines, platforms.lookup(platform))


def test_a_global_line_after_a_section_is_global_and_so_are_the_lines_after_it() -> None:
    lines = ["interface Loopback5", "description x", "ntp server 192.0.2.55"]
    lines += ["interface Loopback6", "no shutdown", "logging host 192.0.2.9"]
    assert _read(lines) == [
        "interface Loopback5",
        " description x",
        "ntp server 192.0.2.55",
        "interface Loopback6",
        " no shutdown",
        "logging host 192.0.2.9",
    ]


def test_the_longer_command_tells_a_section_line_from_a_global_one() -> None:
    lines = ["interface Gi0/1", "spanning-tree portfast", "spanning-tree portfast default"]
    assert _read(lines) == [
        "interface Gi0/1",
        " spanning-tree portfast",
        "spanning-tree portfast default",
    ]
    nat = ["interface Gi0/1", "ip nat inside", "ip nat inside source list 1 interface Gi0/1"]
    assert _read(nat) == ["interface Gi0/1", " ip nat inside", nat[2]]


def test_a_negated_section_line_removes_the_section_at_the_global_level() -> None:
    lines = ["interface Loopback5", "description x", "no interface Loopback6", "hostname r1"]
    assert _read(lines) == [
        "interface Loopback5",
        " description x",
        "no interface Loopback6",
        "hostname r1",
    ]


def test_each_lab_platform_reads_the_issue_example_in_the_devices_context() -> None:
    cases = {
        "arista_eos": ("interface Loopback5", "ntp server 192.0.2.55", ["ntp server 192.0.2.55"]),
        "cisco_nxos": ("interface loopback5", "ntp server 192.0.2.55", ["ntp server 192.0.2.55"]),
        "cisco_xr": ("interface Loopback5", "ntp server 192.0.2.55", ["ntp", " server 192.0.2.55"]),
        "huawei": (
            "interface LoopBack5",
            "undo ntp-service unicast-server 192.0.2.55",
            ["undo ntp-service unicast-server 192.0.2.55"],
        ),
    }
    for platform, (opener, global_line, shown) in cases.items():
        lines = [opener, "description five", global_line, opener.replace("5", "6"), "shutdown"]
        assert _read(lines, platform) == [
            opener,
            " description five",
            *shown,
            opener.replace("5", "6"),
            " shutdown",
        ], platform


def test_vrp_vlan_batch_is_one_line_not_a_section() -> None:
    lines = ["vlan batch 10 20", "sysname r1"]
    assert _read(lines, "huawei") == lines


def test_a_flat_line_netjob_cannot_place_is_refused_with_what_to_do() -> None:
    with pytest.raises(FlatConfigError) as refused:
        _read(["interface Loopback5", "frobnicate 7"])
    message = str(refused.value)
    assert "'frobnicate 7' follows 'interface Loopback5'" in message
    assert "indent it (' frobnicate 7')" in message and "put 'exit' before it" in message
    # Said where it goes, it is taken as said.
    assert _read(["interface Loopback5", " frobnicate 7"]) == [
        "interface Loopback5",
        " frobnicate 7",
    ]
    assert _read(["interface Loopback5", "exit", "frobnicate 7"]) == [
        "interface Loopback5",
        "frobnicate 7",
    ]
    assert _read(["frobnicate 7"]) == ["frobnicate 7"]  # before any section: global


def test_platforms_without_sections_send_flat_lines_as_written() -> None:
    lines = ["set interfaces lo0 description x", "set system ntp server 192.0.2.1"]
    assert _read(lines, "juniper_junos") == lines
    assert _read(["interface x", "frobnicate"], "zte_zxros") == ["interface x", "frobnicate"]


_SAMPLES = {
    "WORD": "w1",
    "LINE": "some text",
    "NUM": "10",
    "IP": "192.0.2.1",
    "PREFIX": "192.0.2.1/24",
}
# Commands of every mode (leaving it, committing, shows), not configuration.
# Commands the lab takes in every config mode, as its devices do (XR: `load`, as `commit`).
_ANY_MODE = {"exit", "end", "do", "quit", "return", "commit", "abort", "show", "display", "load"}


def _sample(spec: str, interface: str) -> str:
    return " ".join(
        _SAMPLES.get(word, interface if word == "IFNAME" else word) for word in spec.split()
    )


@pytest.mark.parametrize("platform", list(DIALECTS))
def test_the_lab_and_the_platform_table_agree_on_section_and_global_commands(
    platform: str,
) -> None:
    """Each interface command the lab's device takes is read inside the interface, and each
    global command it takes (it would leave the interface for it) is read as global."""
    dialect = DIALECTS[platform]
    opener = "interface Loopback5"
    for spec in dialect.submodes[Mode.CONFIG_IF].specs:
        if spec.split()[0] in _ANY_MODE:
            continue
        line = _sample(spec, "Loopback6")
        assert _read([opener, line], platform) == [opener, " " + line], (platform, spec)
    for spec in dialect.config.specs:
        words = spec.split()
        if words[0] in _ANY_MODE or "IFNAME" in words[:2] or words[0] == "vlan":
            continue  # sections: their openers, read as such
        line = _sample(spec, "Loopback6")
        read = _read([opener, "description x", line], platform)
        assert read[-1] == line or read[-2:] == ["ntp", " server 192.0.2.1"], (platform, spec)


def test_the_lab_leaves_a_section_for_a_global_command_but_vrp_not_for_an_undo() -> None:
    """As the devices do: IOS, EOS, NX-OS and IOS-XR run a global command typed in an
    interface at the global level; VRP does so too, except for `undo` lines, which it
    refuses in the interface view (its `matched upper-view` is off by default)."""
    ios = Shell(Device(1, "r001", "x", platform="cisco_ios"))
    for line in ("enable", "x", "configure terminal", "interface Loopback5"):
        ios.execute(line)
    assert ios.execute("no ntp server 192.0.2.123").output == ""
    assert ios.prompt == "r001(config)#"
    vrp = Shell(Device(3, "r003", "x", platform="huawei"))
    vrp.execute("system-view")
    vrp.execute("interface LoopBack5")
    assert (
        "Error: Unrecognized command"
        in vrp.execute("undo ntp-service unicast-server 192.0.2.123").output
    )
    assert vrp.prompt == "[r003-LoopBack5]"
    assert vrp.execute("ntp-service unicast-server 192.0.2.55").output == ""
    assert vrp.prompt == "[r003]"


@pytest.mark.parametrize("platform", ["cisco_ios", "arista_eos", "cisco_nxos", "cisco_xr"])
def test_what_hier_config_knows_of_a_section_is_read_inside_it(platform: str) -> None:
    """hier_config has no grammar of modes, but its idempotent-command rules name commands
    of sections (`interface` / `description`): each of those netjob reads flat is read
    inside its section."""
    from hier_config import Platform, get_hconfig_driver

    info = platforms.lookup(platform)
    for rule in get_hconfig_driver(Platform[info.hier_platform]).rules.idempotent_commands:
        if len(rule.match_rules) != 2:
            continue
        section, child = (match.startswith for match in rule.match_rules)
        if not isinstance(section, str) or not child:
            continue
        command = child if isinstance(child, str) else child[0]
        opener, line = section.strip() + " X", command.strip() + " y"
        if opener.startswith(info.sections):
            assert _read([opener, line], platform) == [opener, " " + line], line


def test_an_abbreviated_section_line_is_refused_not_misread() -> None:
    """The device opens the interface for `int Loopback5`; read by full words the next line
    would be global, and the task would never settle."""
    with pytest.raises(FlatConfigError, match="'int' abbreviates 'interface'; write it in full"):
        _read(["int Loopback5", "description x"])
    with pytest.raises(FlatConfigError, match="did you mean 'description'"):
        _read(["interface Loopback5", "descripton x"])


def test_xr_leaves_the_interface_before_a_global_line_it_shows_nested() -> None:
    """IOS-XR shows `ntp server X` as `ntp` / ` server X`; it is still sent as one global
    line, and after an interface's lines the interface is left first (no reliance on the
    device falling back to the global level)."""
    lines = ["interface Loopback5", "description five", "ntp server 192.0.2.55"]
    sent = remediation("hostname r1\n", lines, "cisco_xr").lines
    assert [line.strip() for line in sent] == [
        "interface Loopback5",
        "description five",
        "exit",
        "ntp server 192.0.2.55",
    ]


def test_a_deferred_config_step_is_read_when_it_renders_on_the_device() -> None:
    """A config task that reads a registered output renders on the device: its flat lines
    are checked then, and a line netjob cannot place fails it before it is sent."""
    lines = ("interface {{ registered.x }}", "description x", "{{ registered.y }}")
    task = Task(name="t", kind=TaskKind.CONFIG, lines=lines)
    job = Job(name="j", path=Path("j.yaml"), tasks=(task,))
    host = Host(name="r1", address="192.0.2.1", platform="cisco_ios")
    (step,) = render_steps(job, compile_job(job), host, {})
    ready = finish_step(step, {"x": "Loopback5", "y": "ntp server 192.0.2.55"}, host.platform)
    assert ready is not None and ready.commands[-1] == "ntp server 192.0.2.55"
    with pytest.raises(TemplateError, match="task 't': config line 'frobnicate' follows"):
        finish_step(step, {"x": "Loopback5", "y": "frobnicate"}, host.platform)
