"""The platforms the lab simulates, by netmiko device_type: how to make each one's device
and the command line a session to it runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from netjob_lab.device import BaseDevice, Device
from netjob_lab.junos_config import JunosDevice
from netjob_lab.junos_shell import JunosShell
from netjob_lab.shell import Shell
from netjob_lab.terminal import Cli


@dataclass(frozen=True)
class Settings:
    """What a device is made from, beyond its platform."""

    index: int
    hostname: str
    secret: str
    started: datetime
    rejected: Sequence[str] = ()
    big_config_mb: float = 0.0
    flash_free: int | None = None  # the flash_free fault: bytes free on flash:


def _ios_like(platform: str) -> Callable[[Settings], BaseDevice]:
    def make(s: Settings) -> BaseDevice:
        return Device(
            s.index,
            s.hostname,
            s.secret,
            platform=platform,
            started=s.started,
            rejected=s.rejected,
            big_config_mb=s.big_config_mb,
            flash_free=s.flash_free,
        )

    return make


def _junos(s: Settings) -> BaseDevice:
    # Junos has no enable secret: its users' classes say what they may do.
    return JunosDevice(
        s.index, s.hostname, started=s.started, rejected=s.rejected, big_config_mb=s.big_config_mb
    )


PLATFORMS: dict[str, Callable[[Settings], BaseDevice]] = {
    "cisco_ios": _ios_like("cisco_ios"),
    "arista_eos": _ios_like("arista_eos"),
    "juniper_junos": _junos,
    "cisco_xr": _ios_like("cisco_xr"),
    "cisco_nxos": _ios_like("cisco_nxos"),
    "huawei": _ios_like("huawei"),
}


def make_device(platform: str, settings: Settings) -> BaseDevice:
    return PLATFORMS[platform](settings)


def new_cli(device: BaseDevice, user: str) -> Cli:
    """A fresh command line for one session to `device`, logged in as `user`."""
    if isinstance(device, JunosDevice):
        return JunosShell(device, user)
    assert isinstance(device, Device)
    return Shell(device)
