"""NX-OS's `bootflash:` as netmiko's CiscoNxosFileTransfer reads it, and its rollback:

dir [bootflash:[FILE]]                      NX-OS's listing, ending in `Usage for`
show file bootflash:FILE md5sum             the MD5 alone
delete bootflash:FILE no-prompt
rollback running-config file bootflash:FILE atomic   (netjob_lab.replace)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab import replace
from netjob_lab.flash import Flash

if TYPE_CHECKING:
    from netjob_lab.shell import Shell


def _flash(shell: Shell) -> Flash:
    flash = shell.device.flash
    assert flash is not None  # every IOS-like lab device has one
    return flash


def dir_bootflash(shell: Shell, args: Sequence[str]) -> str:
    flash = _flash(shell)
    name = flash.name(args[0] if args else flash.file_system)
    if name is None or (name and name not in flash.files):
        return "No such file or directory\n"
    files = [flash.files[name]] if name else sorted(flash.files.values(), key=lambda f: f.name)
    lines = [
        f"{item.size:>12}    {item.written.strftime('%b %d %H:%M:%S %Y')}  {item.name}"
        for item in files
    ]
    lines += ["", "Usage for bootflash://sup-local"]
    lines += [f"{flash.used():>12} bytes used", f"{flash.free():>12} bytes free"]
    lines += [f"{flash.total:>12} bytes total"]
    return "\n".join(lines) + "\n"


def show_file_md5sum(shell: Shell, args: Sequence[str]) -> str:
    flash = _flash(shell)
    name = flash.name(args[0])
    if not name or name not in flash.files:
        return f"/{args[0]}: No such file or directory\n"
    return flash.files[name].md5 + "\n"


def delete_no_prompt(shell: Shell, args: Sequence[str]) -> str:
    flash = _flash(shell)
    name = flash.name(args[0])
    if not name or flash.files.pop(name, None) is None:
        return "No such file or directory\n"
    return ""


COMMANDS = [
    ("dir", dir_bootflash),
    ("dir WORD", dir_bootflash),
    ("show file WORD md5sum", show_file_md5sum),
    ("delete WORD no-prompt", delete_no_prompt),
    ("rollback running-config file WORD atomic", replace.rollback_running_config),
]
