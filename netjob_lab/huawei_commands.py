"""Huawei VRP: its views and commands, as the `Dialect` the shell runs it with.

The views map onto the shell's modes: user view `<r001>` is USER, system view `[r001]`
is CONFIG, an interface view `[r001-GigabitEthernet0/0/1]` is CONFIG_IF. `quit` goes up
one view (and logs out from the user view), `return` goes back to the user view. Config
commands take effect at once, as on VRP5; `save` asks before writing the startup config.
`display` commands work in every view. Errors are VRP's: a caret under the word, then
`Error: Unrecognized command found at '^' position.` (or `Wrong parameter`, ...).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from netjob_lab import config_commands, huawei_config, huawei_shows
from netjob_lab.grammar import ParseError, tokenize
from netjob_lab.running import Interface
from netjob_lab.table import Dialect, Handler, Invalid, Mode, Table

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

SAVE_QUESTION = (
    "The current configuration will be written to the device. Are you sure to continue?[Y/N]:"
)
SAVE_FAILED = "Error: Failed to save the configuration file.\n"
_CREATABLE = ("LoopBack", "Vlanif", "Eth-Trunk")
_TYPES = huawei_config.INTERFACE_TYPES


def display_version(shell: Shell, args: Sequence[str]) -> str:
    return huawei_config.display_version(datetime.now(timezone.utc) - shell.device.boot_time)


def display_current(shell: Shell, args: Sequence[str]) -> str:
    return shell.device.running_config()


def display_saved(shell: Shell, args: Sequence[str]) -> str:
    return shell.device.startup_config


def display_ip_interface_brief(shell: Shell, args: Sequence[str]) -> str:
    return huawei_config.display_ip_interface_brief(shell.device.config)


def screen_length(shell: Shell, args: Sequence[str]) -> str:
    shell.terminal_length = int(args[0]) if int(args[0]) <= 512 else 512
    return "Info: The configuration takes effect on the current user terminal interface only.\n"


def system_view(shell: Shell, args: Sequence[str]) -> str:
    shell.mode = Mode.CONFIG
    return "Enter system view, return user view with Ctrl+Z.\n"


def save(shell: Shell, args: Sequence[str]) -> str:
    shell.question = (SAVE_QUESTION, _answer_save)
    return ""


def _answer_save(shell: Shell, line: str) -> str:
    if line.strip().lower() not in ("y", "yes"):
        return ""
    shell.device.save()
    return (
        "Now saving the current configuration to the slot 0.\n"
        "Info: Save the configuration successfully.\n"
    )


def quit_view(shell: Shell, args: Sequence[str]) -> str:
    if shell.mode is Mode.USER:
        shell.closed = True
    elif shell.mode is Mode.CONFIG:
        shell.mode = Mode.USER
    else:
        shell.mode, shell.context = Mode.CONFIG, ""
    return ""


def return_view(shell: Shell, args: Sequence[str]) -> str:
    shell.mode, shell.context = Mode.USER, ""
    return ""


def interface(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.config.interfaces
    if args[0] not in interfaces:
        if not args[0].startswith(_CREATABLE):
            raise Invalid(0)  # physical ports cannot be made up
        interfaces[args[0]] = Interface(args[0])
    shell.mode, shell.context = Mode.CONFIG_IF, args[0]
    return ""


def undo_interface(shell: Shell, args: Sequence[str]) -> str:
    if not args[0].startswith(_CREATABLE) or args[0] not in shell.config.interfaces:
        raise Invalid(0)
    del shell.config.interfaces[args[0]]
    return ""


def ip_address(shell: Shell, args: Sequence[str]) -> str:
    """`ip address 192.0.2.1 255.255.255.0` or `ip address 192.0.2.1 24`."""
    mask = args[1]
    if mask.isdigit():
        if int(mask) > 32:
            raise Invalid(1)
        mask = str(ipaddress.IPv4Network(f"0.0.0.0/{mask}").netmask)
    return config_commands.ip_address(shell, [args[0], mask])


_DISPLAY: list[tuple[str, Handler]] = [
    ("display version", display_version),
    ("display current-configuration", display_current),
    ("display saved-configuration", display_saved),
    ("display ip interface brief", display_ip_interface_brief),
    ("display interface", huawei_shows.display_interface),
    ("display interface IFNAME", huawei_shows.display_interface),
    ("display lldp neighbor", huawei_shows.display_lldp_neighbor),
    ("display device", huawei_shows.display_device),
]
_ANY_VIEW: list[tuple[str, Handler]] = [*_DISPLAY, ("quit", quit_view)]
_USER: list[tuple[str, Handler]] = [
    *_ANY_VIEW,
    ("screen-length NUM temporary", screen_length),
    ("system-view", system_view),
    ("save", save),
]
_VIEWS: list[tuple[str, Handler]] = [*_ANY_VIEW, ("return", return_view)]
_SYSTEM: list[tuple[str, Handler]] = [
    *_VIEWS,
    ("sysname WORD", config_commands.hostname),
    ("interface IFNAME", interface),
    ("undo interface IFNAME", undo_interface),
    ("ntp-service unicast-server IP", config_commands.ntp_server),
    ("undo ntp-service unicast-server IP", config_commands.no_ntp_server),
    ("info-center loghost IP", config_commands.logging_host),
    ("undo info-center loghost IP", config_commands.no_logging_host),
]
_INTERFACE: list[tuple[str, Handler]] = [
    *_VIEWS,
    ("description LINE", config_commands.description),
    ("undo description", config_commands.no_description),
    ("shutdown", config_commands.shutdown),
    ("undo shutdown", config_commands.no_shutdown),
    ("ip address IP WORD", ip_address),
    ("undo ip address", config_commands.no_ip_address),
]


def _prefix(mode: Mode) -> str:
    return "<" if mode is Mode.USER else "["


def _suffix(mode: Mode, context: str) -> str:
    if mode is Mode.USER:
        return ">"
    return f"-{context}]" if context else "]"


def _parse_error(error: ParseError, line: str, prompt: int) -> str:
    if error.kind == "ambiguous":
        return _error(line, error.column, prompt, "Ambiguous command")
    if error.kind == "incomplete":
        return _error(line, len(line.rstrip()) + 1, prompt, "Incomplete command")
    what = "Wrong parameter" if error.argument else "Unrecognized command"
    return _error(line, error.column, prompt, what)


def _invalid(line: str, column: int, prompt: int) -> str:
    """A refused argument (column inside the line), or a rejected command (its start)."""
    first = len(line) - len(line.lstrip())
    what = "Unrecognized command" if column <= first else "Wrong parameter"
    return _error(line, column, prompt, what)


def _error(line: str, column: int, prompt: int, what: str) -> str:
    """VRP puts the caret under the start of the word it could not take."""
    start = next((t.start for t in tokenize(line) if column < t.start + len(t.text)), column)
    return " " * (prompt + start) + f"^\nError: {what} found at '^' position.\n"


VRP = Dialect(
    user_exec=Table(_USER, _TYPES),
    priv_exec=Table(_USER, _TYPES),
    config=Table(_SYSTEM, _TYPES),
    submodes={Mode.CONFIG_IF: Table(_INTERFACE, _TYPES)},
    prompt_suffix=_suffix,
    parse_error=_parse_error,
    invalid=_invalid,
    more="  ---- More ----",
    prompt_prefix=_prefix,
    refusals={save: SAVE_FAILED},
    local_only=("undo",),
)
