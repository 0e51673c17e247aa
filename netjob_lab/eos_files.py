"""Arista EOS's flash as netmiko's AristaFileTransfer reads it: through EOS's Linux shell
(`bash`, then `/bin/df -k /mnt/flash` and `/bin/ls -l /mnt/flash/FILE`, `exit`), and from
the CLI (`verify /md5 file:/mnt/flash/FILE`, `delete flash:FILE`); and EOS's `configure
replace flash:FILE`, which asks nothing (netjob_lab.replace does the replacing).

The shell knows only those two commands: it is the lab's, not a Linux.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab import replace
from netjob_lab.flash import Flash, verify_md5

if TYPE_CHECKING:
    from netjob_lab.shell import Shell

MOUNT = "/mnt/flash"


def _flash(shell: Shell) -> Flash:
    flash = shell.device.flash
    assert flash is not None  # every IOS-like lab device has one
    return flash


def bash(shell: Shell, args: Sequence[str]) -> str:
    shell.bash = True
    return "Arista Networks EOS shell\n"


def prompt(shell: Shell) -> str:
    return f"[admin@{shell.device.hostname} ~]$ "


def run(shell: Shell, line: str) -> str:
    """One line typed at the shell's prompt."""
    words = line.split()
    flash = _flash(shell)
    if words == ["exit"]:
        shell.bash = False
        return "logout\n"
    if words[:2] == ["/bin/df", "-k"]:
        blocks, free = flash.total // 1024, flash.free() // 1024
        return (
            "Filesystem     1K-blocks    Used Available Use% Mounted on\n"
            f"/dev/sda1      {blocks:>9} {blocks - free:>7} {free:>9}  10% {MOUNT}\n"
        )
    if words[:1] == ["/bin/ls"]:
        path = next((w for w in words[1:] if w.startswith("/")), "")
        name = flash.name(path)
        if not name or name not in flash.files:  # on stderr: `2> /dev/null` drops it
            return (
                "" if "2>" in words else f"ls: cannot access '{path}': No such file or directory\n"
            )
        item = flash.files[name]
        when = item.written.strftime("%b %d %H:%M")
        return f"-rwxrwx--- 1 admin eosadmin {item.size} {when} {MOUNT}/{name}\n"
    return f"-bash: {words[0] if words else ''}: command not found\n"


def delete(shell: Shell, args: Sequence[str]) -> str:
    name = _flash(shell).name(args[0])
    if not name or _flash(shell).files.pop(name, None) is None:
        return f"% Error deleting {args[0]} (No such file or directory)\n"
    return ""


def configure_replace(shell: Shell, args: Sequence[str]) -> str:
    text = replace.file_text(shell, args[0])
    if text is None:
        return f"% Error opening {args[0]} (No such file or directory)\n"
    replace.replace_running(shell, text)
    return ""


def verify(shell: Shell, args: Sequence[str]) -> str:
    return verify_md5(_flash(shell), args[0])


COMMANDS = [
    ("bash", bash),
    ("verify /md5 WORD", verify),
    ("delete WORD", delete),
    ("configure replace WORD", configure_replace),
]
