"""How each platform replaces its whole running config with a file's content (`netjob
rollback`): the platform table's `replace` entries (runner.base.platforms).

IOS/IOS-XE's `configure replace` (it computes the difference itself and rolls back when a
line fails), EOS's `configure replace` and NX-OS's `rollback running-config file ...
atomic` apply the whole file or nothing. Junos' `load override terminal` + `commit` has a
candidate between the two: a load the device did not take whole is discarded (`rollback
0`), never committed (runner.device.connection.load_replace). IOS-XR's `load` + `commit
replace` is left out until the lab can prove its load's errors are seen; a platform
without an entry refuses `netjob rollback` before anything connects. The lab does IOS's,
NX-OS's and Junos' (tests/test_rollback_end_to_end.py); EOS's is unproven there (netmiko
copies to EOS through its Linux shell, which the lab does not have), but its replace is
atomic on the device and read back like the others.

Whatever the device answers, netjob reads the running config again after the replace and
compares it with the kept one: a replace is `changed` only when they are equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Replace:
    """A platform's replace: the file goes to `path` over SCP, then `command` runs; or,
    with no `path`, the config is typed after `command` in config mode, then committed."""

    path: str | None  # where the kept config goes on the device
    command: str  # the command that replaces the running config with it; {path}
    # The show whose text is kept and put back, when not the remediation's read (Junos
    # reads `| display set` lines to compare tasks; its replace takes the curly form).
    kept_from: str | None = None
    # Lines of a kept `show running-config` that are the show's, not the config's: left
    # out of the file sent (the device would read them as commands).
    headers: tuple[str, ...] = ()
    # Deletes the file after the replace: it holds the config's secrets; {path}.
    cleanup: str | None = None

    def command_line(self) -> str:
        return self.command.format(path=self.path or "")

    def cleanup_line(self) -> str:
        return (self.cleanup or "").format(path=self.path)


_IOS_HEADERS = (r"^Building configuration\.\.\.$", r"^Current configuration ?: \d+ bytes$")

IOS = Replace(
    path="flash:netjob-rollback.cfg",
    # `force`: no "Enter Y if you are sure" question; the file is a whole config by design.
    command="configure replace {path} force",
    headers=_IOS_HEADERS,
    cleanup="delete {path}",  # its two questions take Enter (the platform's answers)
)
EOS = Replace(
    path="flash:netjob-rollback.cfg",
    command="configure replace {path}",
    headers=(r"^! Command: show ",),
    cleanup="delete {path}",
)
NXOS = Replace(
    path="bootflash:netjob-rollback.cfg",
    command="rollback running-config file {path} atomic",
    headers=(r"^!Command: show ", r"^!Time: ", r"^!Running configuration last done at: "),
    cleanup="delete {path} no-prompt",
)
JUNOS = Replace(
    path=None,
    command="load override terminal",
    kept_from="show configuration",
    headers=(r"^## Last commit: ", r"^## Last changed: "),
)
