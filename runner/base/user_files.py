"""Files a user names for netjob to read (job, inventory, `-e @`, `--limit @`, templates,
known_hosts, ssh_config, vault password files): regular files only, within a size cap.

`open()` of a FIFO blocks until something writes to it, and reading `/dev/zero` or
`/dev/urandom` never ends (or ends in a MemoryError): a path mistyped or planted as one of
those must be one line, not a hang. So the file is opened without blocking, checked with
fstat on the same descriptor (no race between the check and the read), and read up to its
cap only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DEFAULT_CAP = 20 * 1024 * 1024  # far above any job, inventory or template people write


class FileRefused(Exception):
    """Why a file cannot be read, in words for a one-line error (`str(exc)`)."""


def read_bytes(path: Path, cap: int = DEFAULT_CAP) -> bytes:
    """The file's bytes, or FileRefused: missing, a folder, not a regular file, or over
    `cap` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except IsADirectoryError:
        raise FileRefused("is a folder; give the file inside it") from None
    except OSError as exc:
        raise FileRefused(f"cannot read: {exc.strerror or exc}; check the path") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("is a folder; give the file inside it")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"is not a regular file ({_kind(info.st_mode)}); give a file")
        if info.st_size > cap:
            raise FileRefused(f"is {info.st_size:,} bytes, over the {cap:,}-byte limit")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as file:
        try:
            data = file.read(cap + 1)
        except OSError as exc:  # /proc files a user may not read, say
            raise FileRefused(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > cap:  # it grew while read
        raise FileRefused(f"is over the {cap:,}-byte limit")
    return data


def read_text(path: Path, cap: int = DEFAULT_CAP) -> str:
    """read_bytes() as UTF-8 text; FileRefused when it is not UTF-8."""
    return decode(read_bytes(path, cap))


def decode(data: bytes) -> str:
    """A file's bytes as UTF-8 text; FileRefused when they are not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"
