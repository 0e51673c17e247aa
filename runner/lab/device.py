"""One simulated router's shared state: what every SSH session to it sees and changes.

Pure: no I/O. Per-session state (privilege, config mode, terminal length) lives in
`runner.lab.shell.Shell`; several sessions to one Device share its running config.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from runner.lab.running import RunningConfig, default_config, render, secret_matches


class Device:
    def __init__(
        self,
        index: int,
        hostname: str,
        enable_secret: str,
        *,
        started: datetime | None = None,
        rejected: Sequence[str] = (),
        big_config_mb: float = 0.0,
    ) -> None:
        self.index = index
        self.config: RunningConfig = default_config(index, hostname, enable_secret)
        started = started or datetime.now(timezone.utc)
        # Uptimes differ per device, so `show version` output is not the same everywhere.
        self.boot_time = started - timedelta(days=3, minutes=97 * index)
        self._rejected = tuple(tuple(command.lower().split()) for command in rejected)
        self._padding_bytes = int(big_config_mb * 1_000_000)
        self.startup_config = self.running_config()

    def __repr__(self) -> str:
        return f"Device({self.index}, {self.hostname!r})"

    @property
    def hostname(self) -> str:
        return self.config.hostname

    def running_config(self) -> str:
        """The text of `show running-config` from `!` to `end`."""
        return render(self.config, self._padding_bytes)

    def save(self) -> None:
        self.startup_config = self.running_config()

    def check_secret(self, secret: str) -> bool:
        return secret_matches(secret, self.config.enable_secret)

    def rejects(self, words: Sequence[str]) -> bool:
        """Whether the reject fault covers this command (IOS abbreviations allowed)."""
        return any(
            len(rejected) <= len(words)
            and all(w.startswith(r) for r, w in zip(rejected, words, strict=False))
            for rejected in self._rejected
        )
