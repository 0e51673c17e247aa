"""Confirm-or-revert on the device's own timer: what each platform's timer counts, the
commands that start and confirm it, and the checks made before anything connects.

The timer lives on the device, so it still fires when netjob loses the session, is
killed, or the change cut netjob's own access: nothing on netjob's side has to survive
for the device to go back to its previous config. A platform without such a timer is
refused (`--confirm` on NX-OS, VRP, Comware, a generic device_type): emulating one from
netjob's side would revert nothing once netjob is gone.

Pure data and checks: the platform table (runner.base.platforms) holds one RevertTimer
per platform that has one; runner.device.configure sends its commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from runner.base.errors import InputError

# `5m`, `90s`, `1h`, `1m30s`, or a bare number of seconds.
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s?)?$")


@dataclass(frozen=True, kw_only=True)
class RevertTimer:
    """A platform's confirm-or-revert timer. Commands are format strings: `{n}` is the
    timer in the device's own unit, `{hms}` the same as hh:mm:ss, `{session}` the name of
    the configuration session (EOS)."""

    unit: int  # seconds per unit the device counts: 60 (minutes) or 1 (seconds)
    least: int  # the shortest timer, in units
    most: int  # the longest, in units
    # How config mode is entered for a timed change (IOS starts its timer here; EOS opens
    # a configuration session); None: the platform's usual config mode.
    enter: str | None = None
    # The timed commit, sent in config mode after the lines; None: no commit (IOS, whose
    # timer started on entering config mode).
    commit: str | None = None
    # The confirmation from a fresh login: exec commands, or (in_config) a plain commit
    # in config mode (Junos, IOS-XR: `commit` confirms the pending one).
    confirm: tuple[str, ...] = ()
    confirm_in_config: bool = False
    # For people: the README's and the plan's words for what is sent.
    how: str = ""

    def units(self, seconds: float) -> int:
        return int(seconds // self.unit)

    def refusal(self, seconds: float) -> str | None:
        """Why the device cannot run a timer of `seconds`; None: it can."""
        word = "minutes" if self.unit == 60 else "seconds"
        if seconds % self.unit:
            return f"its timer counts whole {word}"
        if not self.least <= self.units(seconds) <= self.most:
            return f"its timer takes {self.least} to {self.most} {word}"
        return None

    def fill(self, text: str, seconds: float, session: str) -> str:
        n = self.units(seconds)
        whole = int(seconds)
        hms = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
        return text.format(n=n, hms=hms, session=session)

    def framed(self, lines: Sequence[str], seconds: float, session: str) -> tuple[str, ...]:
        """A timed change as the device is sent it, for the record: the command that enters
        config mode with the timer (IOS, EOS), the lines, the timed commit (EOS, Junos,
        IOS-XR)."""
        before = (self.fill(self.enter, seconds, session),) if self.enter else ()
        after = (self.fill(self.commit, seconds, session),) if self.commit else ()
        return (*before, *lines, *after)

    def unframed(self, sent: Sequence[str], seconds: float, session: str) -> tuple[str, ...]:
        """The change's own lines of what framed() gave (what the device must carry)."""
        lines = tuple(sent)
        if self.enter and lines[:1] == (self.fill(self.enter, seconds, session),):
            lines = lines[1:]
        if self.commit and lines[-1:] == (self.fill(self.commit, seconds, session),):
            lines = lines[:-1]
        return lines

    def confirmation(self, seconds: float, session: str) -> str:
        """The confirmation from a fresh login, as sent (for the record)."""
        if self.confirm_in_config:
            return "commit"
        return "; ".join(self.fill(c, seconds, session) for c in self.confirm)


def parse_duration(text: str) -> float | None:
    """`5m` → 300.0; None when `text` is not a duration (`5 minutes`, `-1`, `0`)."""
    found = _DURATION.match(text.strip().lower())
    if not text.strip() or found is None:
        return None
    hours, minutes, seconds = (int(found.group(k) or 0) for k in "hms")
    total = hours * 3600 + minutes * 60 + seconds
    return float(total) if total > 0 else None


def timer_for(
    seconds: float | None, by_platform: Mapping[str, float], platform: str
) -> float | None:
    """A task's timer on a platform (`confirm: {ios: 1m, default: 30s}` gives `by_platform`,
    keys resolved to device_types); InputError for a platform the mapping has no entry for:
    refused, never left without a timer."""
    if not by_platform:
        return seconds
    from runner.base.platform_names import pick  # (it imports the table, which imports this)

    key = pick(by_platform, platform)
    if key is None:
        raise InputError(
            f"confirm: no timer for platform {platform}; add a `{platform}:` or a `default:` entry"
        )
    return by_platform[key]


def shown(seconds: float) -> str:
    """A duration as a person writes it: 300 → `5m`, 90 → `1m30s`."""
    whole = int(seconds)
    parts = [(whole // 3600, "h"), (whole % 3600 // 60, "m"), (whole % 60, "s")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0s"


def session_name(run_id: str) -> str:
    """The EOS configuration session of a run: one name per run, so `netjob confirm RUN`
    can commit it from another process."""
    return "netjob-" + re.sub(r"[^A-Za-z0-9-]", "-", run_id)[-40:]


# After the timer, the device may take a moment to finish its revert: netjob checks
# until this long past it before it calls the outcome.
SETTLE_SECONDS = 30.0


@dataclass(frozen=True)
class TimedChange:
    """A config step's change under the timer, as the connection sends it: `starting` is
    called right before the command that starts the device's timer (the run folder's
    record must be on disk first), `refused` when the device refused that very command
    (no timer runs)."""

    seconds: float
    session: str
    starting: Callable[[], None]
    refused: Callable[[], None]
