"""The lab: simulated network devices over real SSH on 127.0.0.1, for tests and demos.

One process serves many devices, each on its own port, each with its own hostname and
configuration, driven by netmiko like a real router: Cisco IOS (`cisco_ios`, the
default), Arista EOS (`arista_eos`), Juniper Junos (`juniper_junos`, with a candidate
configuration and `commit`), Cisco IOS-XR (`cisco_xr`, candidate and `commit` too), Cisco
NX-OS (`cisco_nxos`) and Huawei VRP (`huawei`); see netjob_lab.platforms. Faults
(refused connections, hangs, latency, ...) are set per device; see netjob_lab.faults.
"""

from __future__ import annotations

from netjob_lab import quiet  # noqa: F401  (first: before asyncssh is imported)
from netjob_lab.device import Device
from netjob_lab.faults import DeviceFaults, parse_fault, parse_faults
from netjob_lab.inventory import inventory_yaml
from netjob_lab.server import Endpoint, Lab, LabConfig, LabError

__all__ = [
    "Device",
    "DeviceFaults",
    "Endpoint",
    "Lab",
    "LabConfig",
    "LabError",
    "inventory_yaml",
    "parse_fault",
    "parse_faults",
]
