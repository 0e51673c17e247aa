"""How each platform replaces its whole running config with a file's content (`netjob
rollback`): the platform table's `replace` entries (runner.base.platforms).

IOS/IOS-XE's `configure replace` (it computes the difference itself and rolls back when a
line fails), EOS's `configure replace` and NX-OS's `rollback running-config file ...
atomic` apply the whole file or nothing. Junos' `load override terminal` + `commit` has a
candidate between the two: a load the device did not take whole is discarded (`rollback
0`), never committed (runner.device.configure.load_replace); so has IOS-XR's `load` +
`commit replace`: an answer that says the load or the commit failed stops the sequence
and drops the session's target config (`abort`). A platform without an entry refuses
`netjob rollback` before anything connects. The lab does each of them, end to end
(tests/test_rollback_end_to_end.py).

Whatever the device answers, netjob reads the running config again after the replace and
compares it with the kept one: a replace is `changed` only when they are equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Replace:
    """A platform's replace: the file goes to `path` over SCP, then `commands` run in
    turn; or, with no `path`, the config is typed after the one command in config mode,
    then committed."""

    path: str | None  # where the kept config goes on the device
    commands: tuple[str, ...]  # what replaces the running config with it; {path}
    answers: tuple[tuple[str, str], ...] = ()  # (question regex, answer) they may ask
    # An answer that means the sequence must stop (a load that failed), and what then
    # drops what it left (the session's uncommitted target config).
    failed: str | None = None
    abort: tuple[str, ...] = ()
    # The show whose text is kept and put back, when not the remediation's read (Junos
    # reads `| display set` lines to compare tasks; its replace takes the curly form).
    kept_from: str | None = None
    # Lines of a kept `show running-config` that are the show's, not the config's: left
    # out of the file sent (the device would read them as commands), and of comparisons.
    headers: tuple[str, ...] = ()
    # Deletes the file after the replace: it holds the config's secrets; {path}.
    cleanup: str | None = None
    # `netjob rollback --confirm`: the commands that make the same replace under the
    # platform's revert timer ({n}: the timer in the device's unit; the one holding it
    # starts the timer); for a replace typed into the session (`path` None), the
    # platform's timed commit follows the load. None: the replace cannot be put under
    # the timer, `untimed` says why (refused at load).
    timed: tuple[str, ...] | None = None
    untimed: str = ""

    def command_lines(self) -> tuple[str, ...]:
        return tuple(command.format(path=self.path or "") for command in self.commands)

    def timed_lines(self, fill: Callable[[str], str]) -> tuple[str, ...]:
        """The timed commands, `fill` putting in the timer ({n})."""
        path = self.path or ""
        return tuple(fill(command.replace("{path}", path)) for command in self.timed or ())

    def cleanup_line(self) -> str:
        return (self.cleanup or "").format(path=self.path)


_IOS_HEADERS = (r"^Building configuration\.\.\.$", r"^Current configuration ?: \d+ bytes$")

IOS = Replace(
    path="flash:netjob-rollback.cfg",
    # `force`: no "Enter Y if you are sure" question; the file is a whole config by design.
    commands=("configure replace {path} force",),
    # `time N`: IOS's Configuration Rollback Confirmed Change (minutes; `archive` / `path`
    # needed), confirmed by `configure confirm` as the revert timer of a change is.
    timed=("configure replace {path} force time {n}",),
    # Its answer when it gave up (IOS applies the file in passes): the device's words
    # for the error, before netjob's read-back would find the difference.
    failed=r"(?i)rollback aborted|%error|% ?archive path not configured",
    headers=_IOS_HEADERS,
    cleanup="delete {path}",  # its two questions take Enter (the platform's answers)
)
EOS = Replace(
    # EOS's SCP server is Linux's: flash: is /mnt/flash there (netmiko's default for EOS).
    path="/mnt/flash/netjob-rollback.cfg",
    commands=("configure replace flash:netjob-rollback.cfg",),
    headers=(r"^! Command: show ",),
    cleanup="delete flash:netjob-rollback.cfg",
    untimed="its `configure replace` applies at once, outside a configuration session, "
    "so a `commit timer` cannot cover it",
)
NXOS = Replace(
    path="bootflash:netjob-rollback.cfg",
    commands=("rollback running-config file {path} atomic",),
    headers=(r"^!Command: show ", r"^!Time: ", r"^!Running configuration last done at: "),
    cleanup="delete {path} no-prompt",
)
JUNOS = Replace(
    path=None,
    commands=("load override terminal",),
    kept_from="show configuration",
    timed=("load override terminal",),  # then `commit confirmed N`, the platform's timer
    headers=(r"^## Last commit: ", r"^## Last changed: "),
)
XR = Replace(
    path="harddisk:netjob-rollback.cfg",
    # The target config of a `configure` session holds only what it is given: `load` fills
    # it with the file, and `commit replace` makes it the whole running config.
    commands=("configure", "load {path}", "commit replace", "end"),
    timed=("configure", "load {path}", "commit replace confirmed {n}", "end"),
    answers=((r"Do you wish to proceed\? \[no\]:\s*$", "yes"),),
    failed=r"(?i)syntax/authorization errors|couldn't (?:load|open)|% ?failed to commit"
    r"|% ?commit failed|configuration failed",
    abort=("abort",),
    # XR stamps every show's answer with the time: `Mon Dec  7 10:29:24.754 UTC`.
    headers=(r"^Building configuration\.\.\.$", r"^\w{3} \w{3} +\d{1,2} [\d:]{8}\.\d+ \S+$"),
    cleanup="delete {path}",
)
