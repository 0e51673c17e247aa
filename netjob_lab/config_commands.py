"""The configuration-mode commands: each one really changes the device's running config."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from netjob_lab import timed_commands
from netjob_lab.running import Interface, User, Vlan, secret_hash
from netjob_lab.table import Handler, Invalid, Mode, Table

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

# Lowercase: NX-OS spells them `loopback0`, `port-channel1`.
CREATABLE = ("loopback", "tunnel", "vlan", "port-channel")


def hostname(shell: Shell, args: Sequence[str]) -> str:
    shell.config.hostname = args[0]
    return ""


def interface(shell: Shell, args: Sequence[str]) -> str:
    interfaces = shell.config.interfaces
    if args[0] not in interfaces:
        if not args[0].lower().startswith(CREATABLE):
            raise Invalid(0)  # physical ports cannot be made up
        interfaces[args[0]] = Interface(args[0])
    shell.mode, shell.context = Mode.CONFIG_IF, args[0]
    return ""


def no_interface(shell: Shell, args: Sequence[str]) -> str:
    if not args[0].lower().startswith(CREATABLE) or args[0] not in shell.config.interfaces:
        raise Invalid(0)
    del shell.config.interfaces[args[0]]
    return ""


def _current(shell: Shell) -> Interface:
    # Another session may have removed the interface meanwhile; IOS would recreate it too.
    return shell.config.interfaces.get(shell.context) or Interface(shell.context)


def _store(shell: Shell, changed: Interface) -> str:
    shell.config.interfaces[changed.name] = changed
    return ""


def description(shell: Shell, args: Sequence[str]) -> str:
    return _store(shell, replace(_current(shell), description=args[0][:240]))


def no_description(shell: Shell, args: Sequence[str]) -> str:
    return _store(shell, replace(_current(shell), description=""))


def shutdown(shell: Shell, args: Sequence[str]) -> str:
    return _store(shell, replace(_current(shell), shutdown=True))


def no_shutdown(shell: Shell, args: Sequence[str]) -> str:
    return _store(shell, replace(_current(shell), shutdown=False))


def ip_address(shell: Shell, args: Sequence[str]) -> str:
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{args[1]}")
    except ValueError:
        raise Invalid(1) from None
    return _store(shell, replace(_current(shell), address=(args[0], args[1])))


def no_ip_address(shell: Shell, args: Sequence[str]) -> str:
    return _store(shell, replace(_current(shell), address=None))


def _add(items: list[str], item: str) -> str:
    if item not in items:
        items.append(item)
    return ""


def _remove(items: list[str], item: str) -> str:
    if item in items:
        items.remove(item)
    return ""


def ntp_server(shell: Shell, args: Sequence[str]) -> str:
    return _add(shell.config.ntp_servers, args[0])


def no_ntp_server(shell: Shell, args: Sequence[str]) -> str:
    return _remove(shell.config.ntp_servers, args[0])


def logging_host(shell: Shell, args: Sequence[str]) -> str:
    return _add(shell.config.logging_hosts, args[0])


def no_logging_host(shell: Shell, args: Sequence[str]) -> str:
    return _remove(shell.config.logging_hosts, args[0])


def vlan(shell: Shell, args: Sequence[str]) -> str:
    number = int(args[0])
    if not 1 <= number <= 4094:
        raise Invalid(0)
    shell.config.vlans.setdefault(number, Vlan(number))
    shell.mode, shell.context = Mode.CONFIG_VLAN, args[0]
    return ""


def no_vlan(shell: Shell, args: Sequence[str]) -> str:
    shell.config.vlans.pop(int(args[0]), None)
    return ""


def vlan_name(shell: Shell, args: Sequence[str]) -> str:
    number = int(shell.context)
    shell.config.vlans[number] = Vlan(number, args[0] if args else "")
    return ""


def http_server(shell: Shell, args: Sequence[str]) -> str:
    shell.config.http_server = True
    return ""


def no_http_server(shell: Shell, args: Sequence[str]) -> str:
    shell.config.http_server = False
    return ""


def snmp_community_ro(shell: Shell, args: Sequence[str]) -> str:
    shell.config.snmp_communities[args[0]] = "RO"
    return ""


def snmp_community_rw(shell: Shell, args: Sequence[str]) -> str:
    shell.config.snmp_communities[args[0]] = "RW"
    return ""


def no_snmp_community(shell: Shell, args: Sequence[str]) -> str:
    shell.config.snmp_communities.pop(args[0], None)
    return ""


def username(shell: Shell, args: Sequence[str]) -> str:
    name, privilege, secret = (args[0], "1", args[1]) if len(args) == 2 else args
    if int(privilege) > 15:
        raise Invalid(1)
    shell.config.users[name] = User(name, int(privilege), secret_hash(secret, name[:4]))
    return ""


def username_hashed(shell: Shell, args: Sequence[str]) -> str:
    """`username X privilege 15 secret 5 $1$...`: the form the running config shows."""
    name, privilege, kind, hashed = args
    if int(privilege) > 15:
        raise Invalid(1)
    if kind != "5" or not hashed.startswith("$1$"):
        raise Invalid(2)
    shell.config.users[name] = User(name, int(privilege), hashed)
    return ""


def no_username(shell: Shell, args: Sequence[str]) -> str:
    shell.config.users.pop(args[0], None)
    return ""


def enable_secret(shell: Shell, args: Sequence[str]) -> str:
    config = shell.config
    if len(args) == 1:
        config.enable_secret = secret_hash(args[0], config.enable_secret.split("$")[2])
    elif args[0] == "5" and args[1].startswith("$1$"):
        config.enable_secret = args[1]
    else:
        raise Invalid(0)
    return ""


def banner_motd(shell: Shell, args: Sequence[str]) -> str:
    """Only the one-line form: `banner motd ^Ctext^C` or `banner motd #text#`."""
    delimiter = "^C" if args[0].startswith("^C") else args[0][0]
    shell.config.banner_motd = args[0][len(delimiter) :].split(delimiter)[0]
    return ""


def no_banner_motd(shell: Shell, args: Sequence[str]) -> str:
    shell.config.banner_motd = ""
    return ""


def exit_mode(shell: Shell, args: Sequence[str]) -> str:
    if shell.mode is Mode.CONFIG:
        return end(shell, args)
    shell.mode, shell.context = Mode.CONFIG, ""
    return ""


def end(shell: Shell, args: Sequence[str]) -> str:
    shell.mode, shell.context = Mode.PRIV, ""
    timed_commands.left_config(shell)
    return ""


def do(shell: Shell, args: Sequence[str]) -> str:
    """`do show ...` runs an exec command without leaving config mode."""
    offset = len(shell.prompt) + len("do ")
    mode, shell.mode = shell.mode, Mode.PRIV
    try:
        return shell.run_exec(args[0], offset)[0]
    finally:
        shell.mode = mode


ANY_MODE: list[tuple[str, Handler]] = [("exit", exit_mode), ("end", end), ("do LINE", do)]

# The commands of each mode, shared with EOS's dialect (netjob_lab.eos_commands).
GLOBAL_COMMANDS: list[tuple[str, Handler]] = [
    *ANY_MODE,
    ("hostname WORD", hostname),
    ("interface IFNAME", interface),
    ("no interface IFNAME", no_interface),
    ("ntp server IP", ntp_server),
    ("no ntp server IP", no_ntp_server),
    ("logging host IP", logging_host),
    ("logging IP", logging_host),
    ("no logging host IP", no_logging_host),
    ("no logging IP", no_logging_host),
    ("vlan NUM", vlan),
    ("no vlan NUM", no_vlan),
    ("ip http server", http_server),
    ("no ip http server", no_http_server),
    ("snmp-server community WORD", snmp_community_ro),
    ("snmp-server community WORD ro", snmp_community_ro),
    ("snmp-server community WORD rw", snmp_community_rw),
    ("no snmp-server community WORD", no_snmp_community),
    ("username WORD secret WORD", username),
    ("username WORD privilege NUM secret WORD", username),
    ("username WORD privilege NUM secret NUM WORD", username_hashed),
    ("no username WORD", no_username),
    ("enable secret WORD", enable_secret),
    ("enable secret NUM WORD", enable_secret),
    ("banner motd LINE", banner_motd),
    ("no banner motd", no_banner_motd),
]
INTERFACE_COMMANDS: list[tuple[str, Handler]] = [
    *ANY_MODE,
    ("description LINE", description),
    ("no description", no_description),
    ("shutdown", shutdown),
    ("no shutdown", no_shutdown),
    ("ip address IP IP", ip_address),
    ("no ip address", no_ip_address),
]
VLAN_COMMANDS: list[tuple[str, Handler]] = [
    *ANY_MODE,
    ("name WORD", vlan_name),
    ("no name", vlan_name),
]

CONFIG = Table([*GLOBAL_COMMANDS, *timed_commands.ARCHIVE])
SUBMODES = {
    Mode.CONFIG_IF: Table(INTERFACE_COMMANDS),
    Mode.CONFIG_VLAN: Table(VLAN_COMMANDS),
    Mode.CONFIG_ARCHIVE: Table([*ANY_MODE, *timed_commands.ARCHIVE_PATH]),
}
