"""Cisco IOS-XR's text for the shared running-config data (netjob_lab.running), and its
show texts, shaped so that ntc-templates' cisco_xr templates parse them.

XR names its ports GigabitEthernet0/0/0/0.., writes `ipv4 address`, groups NTP servers
under `ntp`, leaves unaddressed interfaces without any address line, and lists
interfaces by name. The defaults and their per-index drift are IOS's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from netjob_lab.running import Interface, RunningConfig, padding

PORTS = tuple(f"GigabitEthernet0/0/0/{n}" for n in range(4))
INTERFACE_TYPES = ("GigabitEthernet", "Loopback", "TenGigE", "Bundle-Ether")
VERSION = "7.3.2"


def timestamp(now: datetime) -> str:
    """The line XR prints above a `show` answer (until `terminal exec prompt no-timestamp`)."""
    return now.strftime("%a %b %d %H:%M:%S.") + f"{now.microsecond // 1000:03d} UTC\n"


def interface_order(name: str) -> tuple[str, tuple[int, ...]]:
    kind = name.rstrip("0123456789/.")
    return kind, tuple(int(n) for n in name[len(kind) :].replace(".", "/").split("/") if n)


def render_interface(interface: Interface) -> list[str]:
    lines = [f"interface {interface.name}"]
    if interface.description:
        lines.append(f" description {interface.description}")
    if interface.address:
        lines.append(f" ipv4 address {interface.address[0]} {interface.address[1]}")
    if interface.shutdown:
        lines.append(" shutdown")
    return [*lines, "!"]


def render(config: RunningConfig, padding_bytes: int = 0) -> str:
    """The configuration as XR's `show running-config` prints it, after its first line."""
    lines = [f"!! IOS XR Configuration {VERSION}", "!", f"hostname {config.hostname}"]
    lines += [f"logging {host}" for host in config.logging_hosts]
    for user in config.users.values():
        lines += [f"username {user.name}", f" secret 5 {user.secret_hash}", "!"]
    for name in sorted(config.interfaces, key=interface_order):
        lines += render_interface(config.interfaces[name])
    if config.ntp_servers:
        lines += ["ntp", *(f" server {server}" for server in config.ntp_servers), "!"]
    for community, access in config.snmp_communities.items():
        lines.append(f"snmp-server community {community} {access}")
    lines += padding(padding_bytes)
    lines += ["ssh server v2", "ssh server vrf default", *config.verbatim]
    return "\n".join([*lines, "end"]) + "\n"


def changes(running: str, candidate: str) -> str:
    """`show configuration`: the candidate's top-level blocks that differ from the running
    config's, and `no` lines for the blocks it removed."""
    before, after = _blocks(running), _blocks(candidate)
    lines = [f"!! IOS XR Configuration {VERSION}"]
    for head, block in after.items():
        if before.get(head) != block:
            lines += block + (["!"] if len(block) > 1 else [])
    lines += [f"no {head}" for head in before if head not in after]
    return "\n".join([*lines, "end"]) + "\n"


def _blocks(text: str) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    head = ""
    for line in text.splitlines():
        if line.startswith(("!", "end")):
            continue
        if line.startswith(" ") and head:
            blocks[head].append(line)
        else:
            head = line
            blocks[head] = [line]
    return blocks


def show_version(hostname: str, index: int, elapsed: timedelta) -> str:
    return f"""\
Cisco IOS XR Software, Version {VERSION}
Copyright (c) 2013-2021 by Cisco Systems, Inc.

Build Information:
 Built By     : ingunawa
 Built On     : Wed Oct 13 20:00:00 PDT 2021
 Built Host   : iox-ucs-017
 Workspace    : /auto/srcarchive17/prod/{VERSION}/xrv9k/ws
 Version      : {VERSION}
 Location     : /opt/cisco/XR/packages/
 Label        : {VERSION}

cisco IOS-XRv 9000 () processor
System uptime is {uptime(elapsed)}
"""


def uptime(elapsed: timedelta) -> str:
    """XR style: `3 days 1 hour 37 minutes`."""
    seconds = int(elapsed.total_seconds())
    parts: list[str] = []
    for name, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count or parts or name == "minute":
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts)


def show_ip_interface_brief(config: RunningConfig) -> str:
    lines = ["", f"{'Interface':<31}{'IP-Address':<16}{'Status':<16}{'Protocol':<9}Vrf-Name"]
    for name in sorted(config.interfaces, key=interface_order):
        interface = config.interfaces[name]
        address = interface.address[0] if interface.address else "unassigned"
        status, protocol = ("Shutdown", "Down") if interface.shutdown else ("Up", "Up")
        lines.append(f"{name:<31}{address:<16}{status:<16}{protocol:<9}default")
    return "\n".join(lines) + "\n"
