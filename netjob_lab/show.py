"""The text of the `show` commands, shaped so that ntc-templates' TextFSM templates parse it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from netjob_lab.device import Device
from netjob_lab.running import RunningConfig, interface_order, render_interface

_NVRAM_BYTES = 262144


def show_version(device: Device, now: datetime) -> str:
    return f"""\
Cisco IOS Software, IOSv Software (VIOS-ADVENTERPRISEK9-M), Version 15.9(3)M4, \
RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 28-Oct-21 13:08 by prod_rel_team


ROM: Bootstrap program is IOSv

{device.hostname} uptime is {uptime(now - device.boot_time)}
System returned to ROM by reload
System image file is "flash0:/vios-adventerprisek9-m"
Last reload reason: Unknown reason


Cisco IOSv (revision 1.0) with  with 460137K/62464K bytes of memory.
Processor board ID 9NJ{device.index:07d}
4 Gigabit Ethernet interfaces
DRAM configuration is 72 bits wide with parity disabled.
256K bytes of non-volatile configuration memory.
2097152K bytes of ATA System CompactFlash 0 (Read/Write)

Configuration register is 0x0
"""


def uptime(elapsed: timedelta) -> str:
    """IOS style: `1 week, 2 days, 3 hours, 4 minutes`, leading zero units left out."""
    seconds = int(elapsed.total_seconds())
    units = (("year", 31536000), ("week", 604800), ("day", 86400), ("hour", 3600))
    parts: list[str] = []
    for name, size in (*units, ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count or parts or name == "minute":
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return ", ".join(parts)


def show_clock(now: datetime) -> str:
    return (
        now.strftime("*%H:%M:%S.")
        + f"{now.microsecond // 1000:03d} UTC "
        + now.strftime("%a %b %d %Y\n")
    )


def show_ip_interface_brief(config: RunningConfig) -> str:
    lines = [f"{'Interface':<27}{'IP-Address':<16}OK? Method Status                Protocol"]
    for name in sorted(config.interfaces, key=interface_order):
        interface = config.interfaces[name]
        address, method = ("unassigned", "unset")
        if interface.address:
            address, method = interface.address[0], "NVRAM"
        status, protocol = ("administratively down", "down") if interface.shutdown else ("up", "up")
        lines.append(f"{name:<27}{address:<16}YES {method:<7}{status:<22}{protocol}")
    return "\n".join(lines) + "\n"


def show_interfaces_description(config: RunningConfig) -> str:
    """IOS's `show interfaces description` (short names, as IOS prints them)."""
    lines = [f"{'Interface':<31}{'Status':<15}{'Protocol':<9}Description"]
    for name in sorted(config.interfaces, key=interface_order):
        interface = config.interfaces[name]
        status, protocol = ("admin down", "down") if interface.shutdown else ("up", "up")
        short = name.replace("GigabitEthernet", "Gi").replace("Loopback", "Lo")
        lines.append(f"{short:<31}{status:<15}{protocol:<9}{interface.description or ''}".rstrip())
    return "\n".join(lines) + "\n"


def show_running_config(device: Device) -> str:
    text = device.running_config()
    return f"Building configuration...\n\nCurrent configuration : {len(text)} bytes\n{text}"


def show_running_interface(device: Device, name: str) -> str | None:
    interface = device.config.interfaces.get(name)
    if interface is None:
        return None
    text = "\n".join(render_interface(interface)[:-1]) + "\nend\n"
    return f"Building configuration...\n\nCurrent configuration : {len(text)} bytes\n!\n{text}"


def show_startup_config(device: Device) -> str:
    text = device.startup_config
    return f"Using {len(text)} out of {_NVRAM_BYTES} bytes\n{text}"


def apply_pipe(output: str, kind: str, pattern: str) -> str:
    """`| include`, `exclude`, `begin`, `section`, `count`: IOS regexes are close to Python's."""
    try:
        regex = re.compile(pattern)
    except re.error:
        regex = re.compile(re.escape(pattern))
    lines = output.splitlines()
    if kind == "include":
        kept = [line for line in lines if regex.search(line)]
    elif kind == "exclude":
        kept = [line for line in lines if not regex.search(line)]
    elif kind == "begin":
        first = next((i for i, line in enumerate(lines) if regex.search(line)), len(lines))
        kept = lines[first:]
    elif kind == "section":
        blocks = [block for block in _sections(lines) if any(map(regex.search, block))]
        kept = [line for block in blocks for line in block]
    else:
        count = sum(1 for line in lines if regex.search(line))
        return f"Number of lines which match regexp = {count}\n"
    return "".join(line + "\n" for line in kept)


def _sections(lines: list[str]) -> list[list[str]]:
    """Top-level lines, each with the indented lines under it."""
    blocks: list[list[str]] = []
    for line in lines:
        if line.startswith(" ") and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks
