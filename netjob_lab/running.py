"""A simulated device's running configuration: structured data and its IOS text.

The lab's defaults are deterministic from the device index so that audits written
against the lab find the same drift every run:

- every device: GigabitEthernet0/0..0/3 and Loopback0, `logging host 192.0.2.50`;
- GigabitEthernet0/3 is shut down and unaddressed; 0/2 has no address;
- `ntp server 192.0.2.123` is missing on every 4th device (r004, r008, ...);
- `ip http server` is on for every 3rd device (r003, r006, ...);
- `snmp-server community public RO` is on every 5th device (r005, r010, ...).

Addresses come only from the documentation ranges (RFC 5737).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Interface:
    name: str
    description: str = ""
    address: tuple[str, str] | None = None  # (ip, mask)
    shutdown: bool = False


@dataclass(frozen=True)
class Vlan:
    number: int
    name: str = ""


@dataclass(frozen=True)
class User:
    name: str
    privilege: int
    secret_hash: str = field(repr=False)


# Mutable on purpose: this is a live device's state that config commands change in place,
# not a record passed between modules. Its parts (Interface, Vlan, User) are frozen.
@dataclass
class RunningConfig:
    hostname: str
    enable_secret: str = field(repr=False)  # type-5 style hash, never the secret
    interfaces: dict[str, Interface] = field(default_factory=dict)
    ntp_servers: list[str] = field(default_factory=list)
    logging_hosts: list[str] = field(default_factory=list)
    vlans: dict[int, Vlan] = field(default_factory=dict)
    http_server: bool = False
    snmp_communities: dict[str, str] = field(default_factory=dict)  # community → RO/RW
    users: dict[str, User] = field(default_factory=dict)
    banner_motd: str = ""
    # Lines the lab does not model, shown as written at the end of the running config
    # (before IOS's, EOS's and XR's `end`, Huawei's `return`) by every platform's render:
    # a test puts real devices' secret-bearing lines here for backups to hold. Junos
    # devices have their own (netjob_lab.junos_config.JunosDevice.verbatim).
    verbatim: list[str] = field(default_factory=list)
    # IOS `archive` / ` path URL`: where the configuration is archived; `configure terminal
    # revert timer` needs it (the revert replaces the running config with the archive).
    archive_path: str = ""


def secret_hash(secret: str, salt: str) -> str:
    """Looks like IOS type 5 (`$1$salt$...`); the lab checks secrets by hashing again."""
    digest = hashlib.sha256(f"{salt}:{secret}".encode()).digest()
    return f"$1${salt}${base64.b64encode(digest, altchars=b'./').decode()[:22]}"


def secret_matches(secret: str, hashed: str) -> bool:
    parts = hashed.split("$")
    return len(parts) == 4 and secret_hash(secret, parts[2]) == hashed


IOS_PORTS = ("GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2", "GigabitEthernet0/3")


def host_number(index: int) -> int:
    """The last octet of a device's documentation addresses: 1..254, then round again."""
    return (index - 1) % 254 + 1


def default_config(
    index: int,
    hostname: str,
    enable_secret: str,
    ports: tuple[str, ...] = IOS_PORTS,
    loopback: str = "Loopback0",
) -> RunningConfig:
    """The factory configuration of device number `index` (from 1); `ports` names its four
    physical interfaces (uplink, users, unused, spare), which differ by platform, as does
    the loopback's name (NX-OS `loopback0`, Huawei `LoopBack0`)."""
    host = host_number(index)
    salt = base64.b64encode(hashlib.sha256(hostname.encode()).digest(), b"./").decode()[:4]
    interfaces = [
        Interface(loopback, "router id", (f"198.51.100.{host}", "255.255.255.255")),
        Interface(ports[0], "uplink", (f"192.0.2.{host}", "255.255.255.0")),
        Interface(ports[1], "users", (f"203.0.113.{host}", "255.255.255.0")),
        Interface(ports[2]),
        Interface(ports[3], "spare", None, shutdown=True),
    ]
    return RunningConfig(
        hostname=hostname,
        enable_secret=secret_hash(enable_secret, salt),
        interfaces={i.name: i for i in interfaces},
        ntp_servers=[] if index % 4 == 0 else ["192.0.2.123"],
        logging_hosts=["192.0.2.50"],
        vlans={10: Vlan(10, "users")},
        http_server=index % 3 == 0,
        snmp_communities={"public": "RO"} if index % 5 == 0 else {},
    )


_TYPE_ORDER = {"Loopback": 0, "Tunnel": 1, "GigabitEthernet": 2, "Vlan": 3}


def interface_order(name: str) -> tuple[int, tuple[int, ...]]:
    """IOS lists interfaces by type, then numerically: Loopback0 before GigabitEthernet0/0."""
    kind = name.rstrip("0123456789/.:")
    rank = _TYPE_ORDER.get(kind, len(_TYPE_ORDER))
    numbers = tuple(int(n) for n in name[len(kind) :].replace(".", "/").split("/") if n)
    return rank, numbers


def render_interface(interface: Interface) -> list[str]:
    lines = [f"interface {interface.name}"]
    if interface.description:
        lines.append(f" description {interface.description}")
    if interface.address:
        lines.append(f" ip address {interface.address[0]} {interface.address[1]}")
    else:
        lines.append(" no ip address")
    if interface.shutdown:
        lines.append(" shutdown")
    if interface.name.startswith("GigabitEthernet"):
        lines += [" duplex auto", " speed auto", " media-type rj45"]
    return [*lines, "!"]


def render(config: RunningConfig, padding_bytes: int = 0) -> str:
    """The configuration as `show running-config` prints it, from `version` to `end`."""
    lines = ["!", "version 15.9", "service timestamps debug datetime msec"]
    lines += ["service timestamps log datetime msec", "no service password-encryption", "!"]
    lines += [f"hostname {config.hostname}", "!", "boot-start-marker", "boot-end-marker", "!"]
    lines += [f"enable secret 5 {config.enable_secret}", "!", "no aaa new-model", "!"]
    lines += ["ip cef", "no ipv6 cef", "!"]
    if config.archive_path:
        lines += ["archive", f" path {config.archive_path}", "!"]
    for user in config.users.values():
        lines.append(f"username {user.name} privilege {user.privilege} secret 5 {user.secret_hash}")
    for vlan in sorted(config.vlans.values(), key=lambda v: v.number):
        lines += [f"vlan {vlan.number}"] + ([f" name {vlan.name}"] if vlan.name else []) + ["!"]
    for name in sorted(config.interfaces, key=interface_order):
        lines += render_interface(config.interfaces[name])
    lines.append("ip http server" if config.http_server else "no ip http server")
    lines += ["ip forward-protocol nd", "!"]
    lines += [f"logging host {host}" for host in config.logging_hosts]
    for community, access in config.snmp_communities.items():
        lines.append(f"snmp-server community {community} {access}")
    lines += ["!", *padding(padding_bytes)]
    if config.banner_motd:
        lines += [f"banner motd ^C{config.banner_motd}^C", "!"]
    lines += ["line con 0", "line vty 0 4", " login local", " transport input ssh", "!"]
    lines += [f"ntp server {server}" for server in config.ntp_servers]
    lines += [*config.verbatim]
    return "\n".join([*lines, "!", "end"]) + "\n"


def padding(size: int) -> list[str]:
    """Access-list lines adding up to about `size` bytes, for the big_config fault."""
    lines: list[str] = []
    total = 0
    while total < size:
        n = len(lines)
        line = f"access-list 100 permit tcp 192.0.2.0 0.0.0.255 host 198.51.100.{n % 254 + 1}"
        lines.append(f"{line} eq {1024 + n % 60000}")
        total += len(lines[-1]) + 1
    return lines
