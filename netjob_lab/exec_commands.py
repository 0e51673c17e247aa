"""The exec-mode commands (`r001>` and `r001#`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from netjob_lab import ios_files, ios_shows, replace, show, timed_commands
from netjob_lab.table import Handler, Invalid, Mode, Table

if TYPE_CHECKING:
    from netjob_lab.shell import Shell


def _now() -> datetime:
    return datetime.now(timezone.utc)


def enable(shell: Shell, args: Sequence[str]) -> str:
    if shell.mode is Mode.USER:
        shell.awaiting_secret = True
    return ""


def disable(shell: Shell, args: Sequence[str]) -> str:
    shell.mode = Mode.USER
    return ""


def logout(shell: Shell, args: Sequence[str]) -> str:
    shell.closed = True
    return ""


def terminal_length(shell: Shell, args: Sequence[str]) -> str:
    shell.terminal_length = _terminal_size(args[0])
    return ""


def terminal_width(shell: Shell, args: Sequence[str]) -> str:
    shell.terminal_width = _terminal_size(args[0])
    return ""


def _terminal_size(text: str) -> int:
    if int(text) > 512:
        raise Invalid(0)
    return int(text)


def show_version(shell: Shell, args: Sequence[str]) -> str:
    return show.show_version(shell.device, _now())


def show_clock(shell: Shell, args: Sequence[str]) -> str:
    return show.show_clock(_now())


def show_ip_interface_brief(shell: Shell, args: Sequence[str]) -> str:
    return show.show_ip_interface_brief(shell.device.config)


def show_interfaces_description(shell: Shell, args: Sequence[str]) -> str:
    return show.show_interfaces_description(shell.device.config)


def show_running_config(shell: Shell, args: Sequence[str]) -> str:
    return show.show_running_config(shell.device)


def show_running_interface(shell: Shell, args: Sequence[str]) -> str:
    text = show.show_running_interface(shell.device, args[0])
    if text is None:
        raise Invalid(0)
    return text


def show_startup_config(shell: Shell, args: Sequence[str]) -> str:
    return show.show_startup_config(shell.device)


def configure_terminal(shell: Shell, args: Sequence[str]) -> str:
    shell.mode = Mode.CONFIG
    return "Enter configuration commands, one per line.  End with CNTL/Z.\n"


def write_memory(shell: Shell, args: Sequence[str]) -> str:
    shell.device.save()
    return "Building configuration...\n[OK]\n"


_USER: list[tuple[str, Handler]] = [
    ("enable", enable),
    ("disable", disable),
    ("exit", logout),
    ("logout", logout),
    ("terminal length NUM", terminal_length),
    ("terminal width NUM", terminal_width),
    ("show version", show_version),
    ("show clock", show_clock),
    ("show ip interface brief", show_ip_interface_brief),
    ("show interfaces description", show_interfaces_description),
    ("show interfaces", ios_shows.show_interfaces),
    ("show interfaces IFNAME", ios_shows.show_interfaces),
    ("show ip route", ios_shows.show_ip_route),
    ("show cdp neighbors", ios_shows.show_cdp_neighbors),
    ("show lldp neighbors", ios_shows.show_lldp_neighbors),
    ("show inventory", ios_shows.show_inventory),
    ("show ntp associations", ios_shows.show_ntp_associations),
    ("show logging", ios_shows.show_logging),
    ("show vlan brief", ios_shows.show_vlan_brief),
]

USER_EXEC = Table(_USER)
PRIV_EXEC = Table(
    [
        *_USER,
        ("configure terminal", configure_terminal),
        ("configure terminal revert timer NUM", timed_commands.configure_revert),
        ("configure confirm", timed_commands.configure_confirm),
        ("configure replace WORD", replace.configure_replace),
        ("configure replace WORD force", replace.configure_replace_force),
        ("configure replace WORD force time NUM", timed_commands.configure_replace_timed),
        ("show running-config", show_running_config),
        ("show running-config interface IFNAME", show_running_interface),
        ("show startup-config", show_startup_config),
        ("write", write_memory),
        ("write memory", write_memory),
        *ios_files.COMMANDS,  # copy run start, delete, reload, dir, verify /md5 ...
    ]
)
