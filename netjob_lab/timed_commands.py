"""The commands of each lab platform's confirm-or-revert timer (netjob_lab.revert runs it):

    IOS     configure terminal revert timer N (minutes, 1-120) ... end; configure confirm
    EOS     configure session NAME ... commit timer hh:mm:ss; configure session NAME commit
            (`commit` applies a session at once, `abort` drops it)
    IOS-XR  commit confirmed N (seconds, 30-65535); `commit` from any session confirms
    Junos   commit confirmed [N] (minutes, 1-65535, default 10); `commit` confirms

Each revert puts back the config from before the first unconfirmed change, whole.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from netjob_lab.revert import hms_seconds
from netjob_lab.table import Handler, Invalid, Mode

if TYPE_CHECKING:
    from netjob_lab.junos_shell import JunosShell
    from netjob_lab.shell import Shell


def _restorer(shell: Shell) -> Callable[[], None]:
    device = shell.device
    before = copy.deepcopy(device.config)

    def restore() -> None:
        device.config = copy.deepcopy(before)

    return restore


# --- IOS --------------------------------------------------------------------------------


# Cisco: "The Configuration Archive must be configured (archive / path) to use the
# Configuration Rollback Confirmed Change feature."
NO_ARCHIVE = "% Archive path not configured: configure `archive` / `path` to use a revert timer\n"


def configure_revert(shell: Shell, args: Sequence[str]) -> str:
    minutes = int(args[0])
    if not 1 <= minutes <= 120:
        raise Invalid(0)
    if not shell.device.config.archive_path:
        return NO_ARCHIVE
    shell.device.revert.start(minutes * 60, _restorer(shell))
    shell.mode, shell.timed = Mode.CONFIG, True
    return "Enter configuration commands, one per line.  End with CNTL/Z.\n"


def configure_replace_timed(shell: Shell, args: Sequence[str]) -> str:
    """`configure replace flash:FILE force time N`: the replace, reverted unless
    `configure confirm` comes within N minutes (Configuration Rollback Confirmed Change,
    which needs `archive` / `path` as the revert timer does)."""
    from netjob_lab import replace

    minutes = int(args[1])
    if not 1 <= minutes <= 120:
        raise Invalid(0)
    if not shell.device.config.archive_path:
        return NO_ARCHIVE
    text = replace.file_text(shell, args[0])
    if text is None:
        return f"%Error opening {args[0]} (No such file or directory)\n"
    restore = _restorer(shell)
    said = replace.replace_running(shell, text)
    shell.device.revert.start(minutes * 60, restore)
    shell.device.revert.committed()
    return said


def configure_confirm(shell: Shell, args: Sequence[str]) -> str:
    if not shell.device.revert.confirm():
        return "% No Rollback Confirmed Change pending\n"
    return ""


def archive(shell: Shell, args: Sequence[str]) -> str:
    shell.mode, shell.context = Mode.CONFIG_ARCHIVE, ""
    return ""


def archive_path(shell: Shell, args: Sequence[str]) -> str:
    shell.config.archive_path = args[0]
    return ""


def no_archive_path(shell: Shell, args: Sequence[str]) -> str:
    shell.config.archive_path = ""
    return ""


ARCHIVE: list[tuple[str, Handler]] = [("archive", archive)]
ARCHIVE_PATH: list[tuple[str, Handler]] = [
    ("path WORD", archive_path),
    ("no path", no_archive_path),
]


def left_config(shell: Shell) -> None:
    """Back at the exec prompt: an IOS timed change is in (the cut fault's "commit"); an
    EOS session not committed is dropped."""
    if shell.timed:
        shell.timed = False
        shell.device.revert.committed()
    shell.candidate, shell.session = None, None


# --- EOS --------------------------------------------------------------------------------


def configure_session(shell: Shell, args: Sequence[str]) -> str:
    shell.mode, shell.context, shell.session = Mode.CONFIG, "", args[0]
    shell.candidate = copy.deepcopy(shell.device.config)
    return ""


def session_commit(shell: Shell, args: Sequence[str]) -> str:
    """`configure session NAME commit`: confirms the session's pending commit timer."""
    if not shell.device.revert.confirm(args[0]):
        return f"% Session {args[0]} has no pending commit timer\n"
    return ""


def _apply_session(shell: Shell) -> None:
    if shell.session is None or shell.candidate is None:
        raise Invalid(0)
    shell.device.config = copy.deepcopy(shell.candidate)


def eos_commit(shell: Shell, args: Sequence[str]) -> str:
    _apply_session(shell)
    shell.device.revert.committed()
    shell.mode, shell.context, shell.candidate, shell.session = Mode.PRIV, "", None, None
    return ""


def eos_commit_timer(shell: Shell, args: Sequence[str]) -> str:
    seconds = hms_seconds(args[0])
    if seconds is None or shell.session is None:
        raise Invalid(0)
    restore = _restorer(shell)
    _apply_session(shell)
    shell.device.revert.start(seconds, restore, shell.session)
    shell.device.revert.committed()
    shell.mode, shell.context, shell.candidate, shell.session = Mode.PRIV, "", None, None
    return ""


def eos_abort(shell: Shell, args: Sequence[str]) -> str:
    if shell.session is None:
        raise Invalid(0)
    shell.mode, shell.context, shell.candidate, shell.session = Mode.PRIV, "", None, None
    return ""


# --- IOS-XR -----------------------------------------------------------------------------


def xr_commit_confirmed(shell: Shell, args: Sequence[str]) -> str:
    from netjob_lab import xr_commands

    seconds = int(args[0])
    if not 30 <= seconds <= 65535:
        raise Invalid(0)
    if not xr_commands.changed(shell):
        return xr_commands.stamp(shell) + "% No configuration changes to commit.\n"
    restore = _restorer(shell)
    xr_commands.apply(shell)
    shell.device.revert.start(seconds, restore)
    shell.device.revert.committed()
    return xr_commands.stamp(shell)


def xr_commit_replace_confirmed(shell: Shell, args: Sequence[str]) -> str:
    """`commit replace confirmed N`: the loaded config becomes the whole running config
    (after the same question as `commit replace`), reverted unless confirmed in N s."""
    from netjob_lab import xr_commands

    seconds = int(args[0])
    if not 30 <= seconds <= 65535:
        raise Invalid(0)

    def timed(shell: Shell) -> None:
        shell.device.revert.start(seconds, _restorer(shell))

    return xr_commands.commit_replace(shell, args, timed)


# --- Junos ------------------------------------------------------------------------------


def junos_commit_confirmed(shell: JunosShell, args: Sequence[str]) -> str:
    minutes = int(args[0]) if args else 10
    if not 1 <= minutes <= 65535:
        raise Invalid(0)
    device = shell.device
    before = list(device.committed)

    def restore() -> None:
        device.history.append(device.committed)
        device.committed, device.candidate = list(before), list(before)
        device.startup_config = device.running_config()

    device.commit(shell.user)
    device.revert.start(minutes * 60, restore)
    device.revert.committed()
    return (
        f"commit confirmed will be automatically rolled back in {minutes} minutes "
        "unless confirmed\ncommit complete\n"
    )
