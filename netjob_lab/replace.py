"""Replacing the whole running config with a file's: IOS's `configure replace flash:FILE
[force]` and NX-OS's `rollback running-config file bootflash:FILE atomic`.

As on the devices, the file is a whole configuration, not a partial one: what the running
config has and the file lacks goes, what the file has comes. The lab builds the new config from
scratch (the device's physical ports at their defaults, as IOS keeps a port it cannot
remove) and types the file's lines into it through the device's own config commands, in
a scratch session on that new config; the device takes it only when all is read, so
other sessions never see half of it. A line the lab does not model is kept as written
(RunningConfig.verbatim), unless the platform's render writes it anyway (`version 15.9`,
`boot-start-marker`, ` duplex auto`).
Lines starting with `!` are comments, as both platforms read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab.config_commands import CREATABLE
from netjob_lab.running import Interface, RunningConfig
from netjob_lab.table import Mode

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

_SURE = (
    "This will apply all necessary additions and deletions\n"
    "to replace the current running configuration with the\n"
    "contents of the specified configuration file, which is\n"
    "assumed to be a complete configuration, not a partial\n"
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: "
)


def configure_replace_force(shell: Shell, args: Sequence[str]) -> str:
    return configure_replace(shell, args, force=True)


def configure_replace(shell: Shell, args: Sequence[str], force: bool = False) -> str:
    """`configure replace flash:FILE [force]`: without `force`, IOS asks first."""
    text = file_text(shell, args[0])
    if text is None:
        return f"%Error opening {args[0]} (No such file or directory)\n"
    if force:
        return replace_running(shell, text)

    def answer(shell: Shell, said: str) -> str:
        if said.strip().lower() not in ("y", "yes"):
            return ""
        return replace_running(shell, text)

    shell.question = (_SURE, answer)
    return ""


def rollback_running_config(shell: Shell, args: Sequence[str]) -> str:
    """NX-OS's `rollback running-config file bootflash:FILE atomic`: all or nothing."""
    text = file_text(shell, args[0])
    if text is None:
        return "No such file or directory\n"
    replace_running(shell, text)
    return (
        "Note: Applying config parallelly may fail Rollback verification\n"
        "Collecting Running-Config\n#Generating Rollback Patch\nExecuting Rollback Patch\n"
        "Generating Running-config for verification\n#Generating Patch for verification\n"
        "Verification is Successful.\n\nRollback completed successfully.\n"
    )


def file_text(shell: Shell, path: str) -> str | None:
    flash = shell.device.flash
    name = flash.name(path) if flash is not None else None
    found = flash.files.get(name) if flash is not None and name else None
    if found is None or found.data is None:
        return None
    return found.data.decode("utf-8", "replace")


def replace_running(shell: Shell, text: str) -> str:
    """The device's running config becomes `text`'s; IOS's words for it."""
    shell.device.config = replayed(shell, text)
    return "Total number of passes: 1\nRollback Done\n"


def replayed(shell: Shell, text: str) -> RunningConfig:
    """The config `text` makes from scratch on this device (see the module doc). A nested
    line under a top-level line the lab does not take as a section is tried as one line
    with it: IOS-XR shows `ntp` / ` server X` for what is typed `ntp server X`."""
    from netjob_lab.shell import Shell  # (shell imports the command tables, this among them)

    device = shell.device
    old = device.config
    ports = {n: Interface(n) for n in old.interfaces if not n.lower().startswith(CREATABLE)}
    new = RunningConfig(hostname=old.hostname, enable_secret=old.enable_secret, interfaces=ports)
    scratch = Shell(device)
    scratch.candidate, scratch.mode = new, Mode.CONFIG
    # The last top-level line when the lab did not take it, and whether it is still to be
    # kept as written (until a nested line shows it was one line in two: `ntp` + ` server`).
    parent, pending = "", False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("!"):
            continue
        if line.strip() == "end":
            break
        if not line.startswith(" "):
            if pending:
                new.verbatim.append(parent)
            took = _took(scratch, line)
            parent, pending = ("", False) if took else (line.rstrip(), True)
        elif parent and _took(scratch, f"{parent.strip()} {line.strip()}"):
            pending = False
        elif not _took(scratch, line):
            if pending:
                new.verbatim.append(parent)
                pending = False
            new.verbatim.append(line)
        if scratch.mode in (Mode.USER, Mode.PRIV):  # an `exit` too many: still the file's
            scratch.mode = Mode.CONFIG
    if pending:
        new.verbatim.append(parent)
    # What the platform's render writes anyway (`version 15.9`, ` duplex auto`, EOS's
    # `   protocol http` under the HTTP API it turned on) is not kept twice.
    kept, new.verbatim = new.verbatim, []
    shown = {line.rstrip() for line in device.render_config(new).splitlines()}
    new.verbatim = [line for line in kept if line.rstrip() not in shown]
    return new


def _took(scratch: Shell, line: str) -> bool:
    """Whether the scratch session took `line` as a config command."""
    applied = scratch.device.applied_lines
    scratch.execute(line)
    return scratch.device.applied_lines > applied
