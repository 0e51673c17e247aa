"""The inventory text (netjob's inventory.yaml format) for what a running lab serves."""

from __future__ import annotations

from collections.abc import Sequence

from netjob_lab.server import Endpoint, LabConfig

_CORE_DEVICES = 2  # devices r001 and r002 are `core`, the rest `edge`
_DEFAULT_PLATFORM = "cisco_ios"
_UPLINKS = {
    "cisco_ios": "GigabitEthernet0/0",
    "arista_eos": "Ethernet1",
    "juniper_junos": "ge-0/0/0",
    "cisco_xr": "GigabitEthernet0/0/0/0",
    "cisco_nxos": "Ethernet1/1",
    "huawei": "GigabitEthernet0/0/0",
}


def inventory_yaml(endpoints: Sequence[Endpoint], config: LabConfig) -> str:
    lines = [
        f"# Written by `netjob lab`; the lab's documented test credentials are "
        f"{config.username} / {config.password} (enable: {config.secret}).",
        "defaults:",
        f"  platform: {_DEFAULT_PLATFORM}",
        f"  username: {config.username}",
        "  password_env: NETJOB_LAB_PASSWORD",
        "  secret_env: NETJOB_LAB_SECRET",
        "groups:",
        "  lab:",
        "    vars:",
        "      ntp_servers: [192.0.2.123]",
    ]
    for role in ("core", "edge"):
        lines += [f"  {role}:", "    vars:", f"      role: {role}"]
    lines.append("hosts:")
    numbers = dict(zip(config.hostnames(), config.numbers(), strict=True))
    for hostname, host, port in endpoints:
        i = numbers[hostname]
        role = "core" if i <= _CORE_DEVICES else "edge"
        platform = config.platform_of(i)
        lines += [f"  {hostname}:", f"    address: {host}", f"    port: {port}"]
        if platform != _DEFAULT_PLATFORM:
            lines.append(f"    platform: {platform}")
        lines += [
            f"    groups: [lab, {role}]",
            "    vars:",
            "      site: lab",
            f"      uplink: {_UPLINKS[platform]}",
        ]
    return "\n".join(lines) + "\n"
