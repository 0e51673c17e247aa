"""Cisco IOS-XR: its commands and the `Dialect` the IOS shell runs it with.

What XR does differently from IOS: users log straight into `RP/0/RP0/CPU0:r001#` (no
`enable`); `show` answers start with a timestamp line (until `terminal exec prompt
no-timestamp`); `configure` opens a per-session candidate that only `commit` applies
(`abort` drops it); leaving config mode with uncommitted changes asks `Uncommitted
changes found, commit them before exiting(yes/no/cancel)? [cancel]:`. XR has no
`write memory`: a commit is saved as it is applied.

A commit replaces the running config with the session's candidate: a change another
session committed in between is lost, where XR would merge the two.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from netjob_lab import (
    config_commands,
    exec_commands,
    ios_files,
    replace,
    timed_commands,
    xr_config,
    xr_shows,
)
from netjob_lab.grammar import error_text, invalid_text
from netjob_lab.running import RunningConfig
from netjob_lab.table import Dialect, Handler, Mode, Table

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

COMMIT_FAILED = (
    "% Failed to commit one or more configuration items during a pseudo-atomic operation. "
    "All changes made have been reverted. Please issue 'show configuration failed "
    "[inheritance]' from this session to view the errors\n"
)
UNCOMMITTED = "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
_TYPES = xr_config.INTERFACE_TYPES


def stamp(shell: Shell) -> str:
    return xr_config.timestamp(datetime.now(timezone.utc)) if shell.timestamps else ""


def timestamps_off(shell: Shell, args: Sequence[str]) -> str:
    shell.timestamps = False
    return ""


def timestamps_on(shell: Shell, args: Sequence[str]) -> str:
    shell.timestamps = True
    return ""


def show_version(shell: Shell, args: Sequence[str]) -> str:
    device = shell.device
    elapsed = datetime.now(timezone.utc) - device.boot_time
    return stamp(shell) + xr_config.show_version(device.hostname, device.index, elapsed)


def show_clock(shell: Shell, args: Sequence[str]) -> str:
    return stamp(shell) + exec_commands.show_clock(shell, args)


def show_ip_interface_brief(shell: Shell, args: Sequence[str]) -> str:
    return stamp(shell) + xr_config.show_ip_interface_brief(shell.device.config)


def show_running_config(shell: Shell, args: Sequence[str]) -> str:
    return stamp(shell) + "Building configuration...\n" + shell.device.running_config()


def configure(shell: Shell, args: Sequence[str]) -> str:
    shell.mode = Mode.CONFIG
    shell.candidate = copy.deepcopy(shell.device.config)
    return ""


# --- configuration mode ----------------------------------------------------------------


def changed(shell: Shell) -> bool:
    return shell.candidate is not None and shell.candidate != shell.device.config


def apply(shell: Shell) -> None:
    assert shell.candidate is not None
    shell.device.config = copy.deepcopy(shell.candidate)
    shell.device.save()  # XR keeps what is committed: there is no startup config to write


def _leave(shell: Shell) -> None:
    shell.mode, shell.context, shell.candidate = Mode.PRIV, "", None


def commit(shell: Shell, args: Sequence[str]) -> str:
    """Every `commit ...` form netmiko sends (label, comment) commits the same way; from
    any session, it confirms a pending `commit confirmed`."""
    confirmed = shell.device.revert.confirm()
    if not changed(shell):
        if confirmed:
            return stamp(shell)
        return stamp(shell) + "% No configuration changes to commit.\n"
    apply(shell)
    shell.device.revert.committed()
    return stamp(shell)


def abort(shell: Shell, args: Sequence[str]) -> str:
    _leave(shell)
    return ""


def end(shell: Shell, args: Sequence[str]) -> str:
    if changed(shell):
        shell.question = (UNCOMMITTED, _answer)
    else:
        _leave(shell)
    return ""


def exit_mode(shell: Shell, args: Sequence[str]) -> str:
    if shell.mode is Mode.CONFIG:
        return end(shell, args)
    shell.mode, shell.context = Mode.CONFIG, ""
    return ""


def _answer(shell: Shell, line: str) -> str:
    """`yes` commits and leaves, `no` drops the changes and leaves; anything else stays."""
    word = line.strip().lower()
    if word in ("y", "ye", "yes"):
        if shell.device.rejects(["commit"]):
            return COMMIT_FAILED
        apply(shell)
        _leave(shell)
    elif word in ("n", "no"):
        _leave(shell)
    return ""


def show_md5_file(shell: Shell, args: Sequence[str]) -> str:
    """`show md5 file /harddisk:/FILE`: the MD5 alone, under the time stamp."""
    flash = shell.device.flash
    assert flash is not None
    name = flash.name(args[0].lstrip("/"))
    if not name or name not in flash.files:
        return stamp(shell) + f"Error: {args[0]}: No such file or directory\n"
    return stamp(shell) + flash.files[name].md5 + "\n"


def load(shell: Shell, args: Sequence[str]) -> str:
    """`load harddisk:/FILE` in config mode: the file's config into this session's
    target config. A plain `commit` would merge it; `commit replace` makes it the whole
    running config (the lab keeps it aside for that: its candidate is a whole config)."""
    text = replace.file_text(shell, args[0])
    if text is None:
        return f"Couldn't open file {args[0]}: No such file or directory\n"
    shell.loaded = replace.replayed(shell, text)
    return f"Loading.\n{len(text.encode())} bytes parsed in 1 sec ({len(text.encode())})bytes/sec\n"


_REPLACE_QUESTION = (
    "This commit will replace or remove the entire running configuration. This\n"
    "operation can be service affecting.\nDo you wish to proceed? [no]: "
)


def commit_replace(
    shell: Shell, args: Sequence[str], timed: Callable[[Shell], None] | None = None
) -> str:
    """The running config becomes what this session loaded (`load`), after a question;
    `timed(shell)` before it is applied: `commit replace confirmed N` starts its timer."""

    def answer(shell: Shell, said: str) -> str:
        if said.strip().lower() not in ("y", "ye", "yes"):
            return ""
        if shell.device.rejects(["commit"]):
            return COMMIT_FAILED
        shell.candidate = shell.loaded or RunningConfig(
            hostname=shell.device.hostname, enable_secret=shell.device.config.enable_secret
        )
        if timed is not None:
            timed(shell)
        apply(shell)
        shell.loaded = None
        if timed is not None:
            shell.device.revert.committed()
        return ""

    shell.question = (_REPLACE_QUESTION, answer)
    return ""


def show_configuration(shell: Shell, args: Sequence[str]) -> str:
    candidate = shell.candidate or shell.device.config
    diff = xr_config.changes(shell.device.running_config(), xr_config.render(candidate))
    return stamp(shell) + "Building configuration...\n" + diff


def ipv4_address(shell: Shell, args: Sequence[str]) -> str:
    return config_commands.ip_address(shell, args)


_USER: list[tuple[str, Handler]] = [
    ("exit", exec_commands.logout),
    ("logout", exec_commands.logout),
    ("terminal length NUM", exec_commands.terminal_length),
    ("terminal width NUM", exec_commands.terminal_width),
    ("terminal exec prompt no-timestamp", timestamps_off),
    ("terminal exec prompt timestamp", timestamps_on),
    ("show version", show_version),
    ("show clock", show_clock),
    ("show ip interface brief", show_ip_interface_brief),
    ("show interfaces", xr_shows.show_interfaces),
    ("show interfaces IFNAME", xr_shows.show_interfaces),
    ("show route", xr_shows.show_route),
    ("show ip route", xr_shows.show_route),
    ("show lldp neighbors", xr_shows.show_lldp_neighbors),
    ("show inventory", xr_shows.show_inventory),
    ("show running-config", show_running_config),
    ("configure", configure),
    ("configure terminal", configure),
    ("dir", ios_files.dir_flash),
    ("dir WORD", ios_files.dir_flash),
    ("delete WORD", ios_files.delete),
    ("show md5 file WORD", show_md5_file),
]
_ANY_MODE: list[tuple[str, Handler]] = [
    ("exit", exit_mode),
    ("end", end),
    ("abort", abort),
    ("commit", commit),
    ("commit label WORD", commit),
    ("commit comment LINE", commit),
    ("commit label WORD comment LINE", commit),
    ("commit confirmed NUM", timed_commands.xr_commit_confirmed),
    ("commit replace", commit_replace),
    ("commit replace confirmed NUM", timed_commands.xr_commit_replace_confirmed),
    ("load WORD", load),
    ("show configuration", show_configuration),
    ("show running-config", show_running_config),
    ("do LINE", config_commands.do),
]
_GLOBAL: list[tuple[str, Handler]] = [
    *_ANY_MODE,
    ("hostname WORD", config_commands.hostname),
    ("interface IFNAME", config_commands.interface),
    ("no interface IFNAME", config_commands.no_interface),
    ("ntp server IP", config_commands.ntp_server),
    ("no ntp server IP", config_commands.no_ntp_server),
    ("logging IP", config_commands.logging_host),
    ("no logging IP", config_commands.no_logging_host),
    ("snmp-server community WORD ro", config_commands.snmp_community_ro),
    ("snmp-server community WORD rw", config_commands.snmp_community_rw),
    ("no snmp-server community WORD", config_commands.no_snmp_community),
]
_INTERFACE: list[tuple[str, Handler]] = [
    *_ANY_MODE,
    ("description LINE", config_commands.description),
    ("no description", config_commands.no_description),
    ("shutdown", config_commands.shutdown),
    ("no shutdown", config_commands.no_shutdown),
    ("ipv4 address IP IP", ipv4_address),
    ("no ipv4 address", config_commands.no_ip_address),
]

XR = Dialect(
    user_exec=Table(_USER, _TYPES),
    priv_exec=Table(_USER, _TYPES),
    config=Table(_GLOBAL, _TYPES),
    submodes={Mode.CONFIG_IF: Table(_INTERFACE, _TYPES)},
    prompt_suffix=lambda mode, context: mode.value,
    parse_error=lambda error, line, prompt: error_text(error, line, " " * prompt),
    invalid=lambda line, column, prompt: invalid_text(prompt + column),
    prompt_prefix=lambda mode: "RP/0/RP0/CPU0:",
    start_mode=Mode.PRIV,
    refusals={commit: COMMIT_FAILED},
)
