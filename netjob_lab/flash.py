"""A lab device's flash file system: what `dir`, `verify /md5`, `delete` and SCP see.

Pure: no I/O. Files are kept by name with their size and MD5; their bytes only up to
KEEP_BYTES, so twenty devices holding a 20 MB image cost no 400 MB of memory (a `get` of
a larger file is refused, in the SCP server's words). `received` counts the file bytes
that arrived over SCP: what tests read to prove a second, idempotent put sent nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

KEEP_BYTES = 4_000_000
# What `dir flash:` says of a factory device: an ISR's 1.6 GB flash holding its image.
TOTAL_BYTES = 1_621_966_848
_IMAGE = ("c1100-universalk9.17.09.04a.SPA.bin", 33_591_768)
FILE_SYSTEM = "flash:"


@dataclass
class FlashFile:
    name: str
    size: int
    md5: str
    data: bytes | None  # None: larger than KEEP_BYTES, only its size and MD5 are kept
    written: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class Flash:
    def __init__(
        self, free: int | None = None, file_system: str = FILE_SYSTEM, aliases: tuple[str, ...] = ()
    ) -> None:
        self.file_system = file_system  # its name: IOS's `flash:`, NX-OS's `bootflash:`
        self.aliases = aliases  # other names of it: EOS's `/mnt/flash` (its Linux path)
        image = FlashFile(_IMAGE[0], _IMAGE[1], hashlib.md5(_IMAGE[0].encode()).hexdigest(), None)
        self.files: dict[str, FlashFile] = {image.name: image}
        # The flash_free fault: this many bytes free, whatever the files hold.
        self.total = TOTAL_BYTES if free is None else self.used() + free
        self.received = 0

    def name(self, path: str) -> str | None:
        """The file a path names on this file system (see file_name), by any of its names."""
        for system in (self.file_system, *self.aliases):
            found = file_name(path, system)
            if found is not None:
                return found
        return None

    def used(self) -> int:
        return sum(f.size for f in self.files.values())

    def free(self) -> int:
        return max(0, self.total - self.used())

    def put(self, name: str, size: int, md5: str, data: bytes | None) -> None:
        self.files[name] = FlashFile(name, size, md5, data)

    def add(self, name: str, data: bytes) -> None:
        """A file placed by a test (an old image to delete, a crashinfo to get)."""
        self.put(name, len(data), hashlib.md5(data).hexdigest(), data)


def file_name(path: str, file_system: str = FILE_SYSTEM) -> str | None:
    """`flash:/x.bin`, `flash:x.bin` → `x.bin`; `flash:` or `flash:/` → ""; another file
    system (or a folder) → None."""
    if not path.lower().startswith(file_system):
        return None
    name = path[len(file_system) :].lstrip("/")
    return None if "/" in name else name


def dir_listing(flash: Flash, name: str = "") -> str:
    """`dir flash:[/NAME]` as IOS prints it; a missing file as IOS's error."""
    if name and name not in flash.files:
        return f"%Error opening {flash.file_system}/{name} (No such file or directory)\n"
    files = [flash.files[name]] if name else sorted(flash.files.values(), key=lambda f: f.name)
    lines = [f"Directory of {flash.file_system}/{name}", ""]
    for number, item in enumerate(files, start=1):
        when = item.written.strftime("%b %d %Y %H:%M:%S +00:00")
        lines.append(f"{number:>5}  -rw-  {item.size:>12}  {when}  {item.name}")
    lines += ["", f"{flash.total} bytes total ({flash.free()} bytes free)"]
    return "\n".join(lines) + "\n"


def verify_md5(flash: Flash, path: str) -> str:
    name = flash.name(path)
    if not name or name not in flash.files:
        return f"%Error opening {path} (No such file or directory)\n"
    dots = "." * 40
    where = f"{flash.file_system}/{name}"
    return f"{dots}Done!\nverify /md5 ({where}) = {flash.files[name].md5}\n"
