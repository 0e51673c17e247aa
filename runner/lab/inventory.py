"""The inventory text (netjob's inventory.yaml format) for what a running lab serves."""

from __future__ import annotations

from collections.abc import Sequence

from runner.lab.server import Endpoint, LabConfig

_CORE_DEVICES = 2  # the first devices are `core`, the rest `edge`


def inventory_yaml(endpoints: Sequence[Endpoint], config: LabConfig) -> str:
    lines = [
        f"# Written by `netjob lab`; the lab's documented test credentials are "
        f"{config.username} / {config.password} (enable: {config.secret}).",
        "defaults:",
        "  platform: cisco_ios",
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
    for i, (hostname, host, port) in enumerate(endpoints):
        role = "core" if i < _CORE_DEVICES else "edge"
        lines += [
            f"  {hostname}:",
            f"    address: {host}",
            f"    port: {port}",
            f"    groups: [lab, {role}]",
            "    vars:",
            "      site: lab",
            "      uplink: GigabitEthernet0/0",
        ]
    return "\n".join(lines) + "\n"
