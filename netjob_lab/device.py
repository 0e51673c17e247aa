"""One simulated device's shared state: what every SSH session to it sees and changes.

Pure: no I/O. Per-session state (privilege, config mode, terminal length) lives in the
shells (`netjob_lab.shell.Shell`, `netjob_lab.junos_shell.JunosShell`); several
sessions to one device share its configuration.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from netjob_lab import eos_config, huawei_config, nxos_config, xr_config
from netjob_lab.flash import Flash
from netjob_lab.revert import RevertTimer
from netjob_lab.running import IOS_PORTS, RunningConfig, default_config, render, secret_matches

Render = Callable[[RunningConfig, int], str]  # (config, padding bytes) → its text
# Per platform: the four physical ports of the factory config, the loopback's name, and
# how `show running-config` (Huawei: `display current-configuration`) writes the config.
_STYLES: dict[str, tuple[tuple[str, ...], str, Render]] = {
    "cisco_ios": (IOS_PORTS, "Loopback0", render),
    "arista_eos": (eos_config.PORTS, "Loopback0", eos_config.render),
    "cisco_xr": (xr_config.PORTS, "Loopback0", xr_config.render),
    "cisco_nxos": (nxos_config.PORTS, "loopback0", nxos_config.render),
    "huawei": (huawei_config.PORTS, "LoopBack0", huawei_config.render),
}


# Where each platform keeps files (its flash, for SCP and the replace of the config).
_FILE_SYSTEMS = {"cisco_nxos": "bootflash:", "cisco_xr": "harddisk:"}
_ALIASES = {"arista_eos": ("/mnt/flash", "file:/mnt/flash")}  # its Linux path, for SCP


@dataclass(eq=False)
class RoundTrips:
    """One SSH session's traffic as the device saw it: the client's writes (each data
    message received) and the device's answers (each write of its own), and the client's
    software (its SSH version line: `SSH-2.0-libssh2_1.11.1`, `SSH-2.0-paramiko_4.0.0`)."""

    writes: int = 0
    answers: int = 0
    client: str = ""
    closed: threading.Event = field(default_factory=threading.Event, repr=False)


class BaseDevice:
    """What every platform's device has: an index, an uptime, the reject fault."""

    platform = ""

    def __init__(
        self, index: int, *, started: datetime | None = None, rejected: Sequence[str] = ()
    ) -> None:
        self.index = index
        started = started or datetime.now(timezone.utc)
        # Uptimes differ per device, so `show version` output is not the same everywhere.
        self.boot_time = started - timedelta(days=3, minutes=97 * index)
        self._rejected = tuple(tuple(command.lower().split()) for command in rejected)
        self.startup_config = ""
        self.flash: Flash | None = None  # a flash file system (and an SCP server) if any
        # Config commands accepted in config mode, ever: a test can tell a push applied
        # once from one applied twice (a change must never be pushed twice).
        self.applied_lines = 0
        self.logins = 0  # successful logins, ever
        # Each interactive session's round trips, in the order they opened (issue 25):
        # a test counts what a client asks of the device, never how long it took.
        self.sessions: list[RoundTrips] = []
        self.revert = RevertTimer()  # the confirm-or-revert timer (netjob_lab.revert)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.index}, {self.hostname!r})"

    @property
    def hostname(self) -> str:
        raise NotImplementedError

    def running_config(self) -> str:
        """The configuration in force, as the platform shows it."""
        raise NotImplementedError

    def rejects(self, words: Sequence[str]) -> bool:
        """Whether the reject fault covers this command (abbreviations allowed)."""
        return any(
            len(rejected) <= len(words)
            and all(w.startswith(r) for r, w in zip(rejected, words, strict=False))
            for rejected in self._rejected
        )


class Device(BaseDevice):
    """A device whose running config is `RunningConfig` data: Cisco IOS (the default),
    Arista EOS, Cisco IOS-XR, Cisco NX-OS or Huawei VRP, each written its own way."""

    def __init__(
        self,
        index: int,
        hostname: str,
        enable_secret: str,
        *,
        platform: str = "cisco_ios",
        started: datetime | None = None,
        rejected: Sequence[str] = (),
        big_config_mb: float = 0.0,
        flash_free: int | None = None,
    ) -> None:
        super().__init__(index, started=started, rejected=rejected)
        self.platform = platform
        self.flash = Flash(
            flash_free, _FILE_SYSTEMS.get(platform, "flash:"), _ALIASES.get(platform, ())
        )
        ports, loopback, self._render = _STYLES[platform]
        self.config = default_config(index, hostname, enable_secret, ports, loopback)
        self._padding_bytes = int(big_config_mb * 1_000_000)
        self.startup_config = self.running_config()

    @property
    def hostname(self) -> str:
        return self.config.hostname

    def running_config(self) -> str:
        """The configuration's text, as the platform shows it (IOS: from `!` to `end`)."""
        return self._render(self.config, self._padding_bytes)

    def render_config(self, config: RunningConfig) -> str:
        """Any config's text as this platform shows it (`configure replace` reads it)."""
        return self._render(config, 0)

    def save(self) -> None:
        self.startup_config = self.running_config()

    def check_secret(self, secret: str) -> bool:
        return secret_matches(secret, self.config.enable_secret)
