"""IOS exec commands that ask before they act, and those that read flash:.

    copy running-config startup-config   Destination filename [startup-config]?
    write erase                          ... Continue? [confirm]
    delete flash:X                       Delete filename [X]?  Delete flash:/X? [confirm]
    clear counters                       Clear "show interface" counters ... [confirm]
    reload                               (if modified) ... Save? [yes/no]:
                                         Proceed with reload? [confirm]
    dir [flash:[/X]], show flash:, verify /md5 flash:/X

A question takes the prompt's place (`Shell.question`); the next line typed is its answer,
and Ctrl-C drops it. `[confirm]` takes Enter, `y` or `yes`; anything else aborts, as on IOS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netjob_lab.flash import Flash, dir_listing, verify_md5

if TYPE_CHECKING:
    from netjob_lab.shell import Shell


def _confirmed(answer: str) -> bool:
    return answer.strip().lower() in ("", "y", "yes")


def _flash(shell: Shell) -> Flash:
    flash = shell.device.flash
    assert flash is not None  # every IOS-like lab device has one
    return flash


def copy_running_startup(shell: Shell, args: Sequence[str]) -> str:
    shell.question = ("Destination filename [startup-config]? ", _copy_to_startup)
    return ""


def _copy_to_startup(shell: Shell, answer: str) -> str:
    if answer.strip() not in ("", "startup-config"):
        return f"%Error opening nvram:/{answer.strip()} (Permission denied)\n"
    shell.device.save()
    return "Building configuration...\n[OK]\n"


def write_erase(shell: Shell, args: Sequence[str]) -> str:
    shell.question = (
        "Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]",
        _erase,
    )
    return ""


def _erase(shell: Shell, answer: str) -> str:
    if not _confirmed(answer):
        return ""
    shell.device.startup_config = ""
    return "[OK]\nErase of nvram: complete\n"


def delete(shell: Shell, args: Sequence[str]) -> str:
    system = _flash(shell).file_system
    name = _flash(shell).name(args[0])
    if name is None:
        return f"%Error deleting {args[0]} (No such device)\n"

    def filename(shell: Shell, answer: str) -> str:
        chosen = answer.strip() or name
        shell.question = (
            f"Delete {system}/{chosen}? [confirm]",
            lambda s, a: _delete(s, a, chosen),
        )
        return ""

    shell.question = (f"Delete filename [{name}]? ", filename)
    return ""


def _delete(shell: Shell, answer: str, name: str) -> str:
    if not _confirmed(answer):
        return ""
    if _flash(shell).files.pop(name, None) is None:
        return f"%Error deleting {_flash(shell).file_system}/{name} (No such file or directory)\n"
    return ""


def clear_counters(shell: Shell, args: Sequence[str]) -> str:
    shell.question = (
        'Clear "show interface" counters on all interfaces [confirm]',
        lambda s, a: "",
    )
    return ""


def reload(shell: Shell, args: Sequence[str]) -> str:
    device = shell.device
    if device.running_config() != device.startup_config:
        shell.question = ("System configuration has been modified. Save? [yes/no]: ", _save)
    else:
        shell.question = ("Proceed with reload? [confirm]", _proceed)
    return ""


def _save(shell: Shell, answer: str) -> str:
    said = answer.strip().lower()
    if said not in ("yes", "no", "y", "n"):
        shell.question = ("System configuration has been modified. Save? [yes/no]: ", _save)
        return "% Please answer 'yes' or 'no'.\n"
    shell.question = ("Proceed with reload? [confirm]", _proceed)
    if said.startswith("y"):
        shell.device.save()
        return "Building configuration...\n[OK]\n"
    return ""


def _proceed(shell: Shell, answer: str) -> str:
    if not _confirmed(answer):
        return ""
    shell.closed = True  # the session ends: the device goes down
    return "\n"


def dir_flash(shell: Shell, args: Sequence[str]) -> str:
    system = _flash(shell).file_system
    path = args[0] if args else system
    name = _flash(shell).name(path)
    if name is None:
        return f"%Error opening {path} (No such device)\n"
    return dir_listing(_flash(shell), name)


def show_flash(shell: Shell, args: Sequence[str]) -> str:
    return dir_listing(_flash(shell))


def verify(shell: Shell, args: Sequence[str]) -> str:
    return verify_md5(_flash(shell), args[0])


COMMANDS = [
    ("copy running-config startup-config", copy_running_startup),
    ("write erase", write_erase),
    ("delete WORD", delete),
    ("clear counters", clear_counters),
    ("reload", reload),
    ("dir", dir_flash),
    ("dir WORD", dir_flash),
    ("show flash:", show_flash),
    ("verify /md5 WORD", verify),
]
