"""`put:` and `get:` over SCP, with netmiko's FileTransfer classes and their checks: the
file system's free space (`dir`) before sending, the MD5 (`verify /md5` on IOS) before
and after. Called by runner.device.files with the session's netmiko driver; only
netmiko's classes are used here, its exceptions are mapped by the caller.

netmiko's SCP runs over a second SSH connection made with the driver's own parameters,
which include the socket of the first: `scp_socket` gives it a fresh one for the time of
the copy (through the same bastions), so the interactive session stays as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.base.errors import CommandRejectedError
from runner.base.safe_files import refuse_link

log = logging.getLogger(__name__)

ScpSocket = Callable[[], AbstractContextManager[object]]
Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


@dataclass(frozen=True)
class Copied:
    """What a transfer did: the file's size and MD5, and whether bytes were sent."""

    path: str  # on the device (put) or here (get)
    size: int
    md5: str
    sent: bool  # False: the same file (same MD5) was there already


def split_path(path: str) -> tuple[str | None, str]:
    """`flash:/img.bin` → (`flash:`, `img.bin`); `/var/tmp/img.bin` → (`/var/tmp`,
    `img.bin`), as netmiko wants a Linux or Junos path; `img.bin` → (None, `img.bin`):
    netmiko's class then takes its default (found on IOS, IOS-XE and IOS-XR; `/var/tmp`
    on Linux)."""
    head, colon, tail = path.partition(":")
    if colon:
        return f"{head}:", tail.lstrip("/")
    if path.startswith("/") and not path.endswith("/"):
        folder, _, name = path.rpartition("/")
        return folder or "/", name
    return None, path


def _file_system(file_system: str | None) -> dict[str, str]:
    """The file system, when the path names one: None passed on would replace the
    class's own default (Linux's /var/tmp), and netmiko then asks `dir` for one."""
    return {"file_system": file_system} if file_system else {}


def put(
    driver: Any,
    source: Path,
    dest: str,
    scp_socket: ScpSocket,
    timeout: float,
    progress: Progress | None = None,
) -> Copied:
    """Copy `source` to `dest` unless a file with its MD5 is there; refuse before sending
    when the file system has no room; verify the MD5 after."""
    from netmiko import FileTransfer

    file_system, name = split_path(dest)
    transfer = FileTransfer(
        driver,
        source_file=str(source),
        dest_file=name,
        direction="put",
        **_file_system(file_system),
        socket_timeout=timeout,
        progress4=_progress4(progress),
    )
    where = f"{transfer.file_system}/{name}"
    md5 = str(transfer.source_md5)
    if transfer.check_file_exists() and transfer.compare_md5():
        return Copied(where, transfer.file_size, md5, sent=False)
    free = transfer.remote_space_available()
    if free <= transfer.file_size:
        raise CommandRejectedError(
            f"not enough space on {transfer.file_system} {free:,} bytes free, "
            f"{source.name} is {transfer.file_size:,} bytes; nothing was sent",
            hint="free space on the device (delete an old image), then run again",
            sent=(),
        )
    with scp_socket():
        transfer.establish_scp_conn()
        try:
            transfer.put_file()
        finally:
            with contextlib.suppress(Exception):
                transfer.close_scp_chan()
    after = transfer.remote_md5()
    if after != md5:
        raise CommandRejectedError(
            f"the copy on the device is damaged: MD5 {after} there, {md5} here",
            hint="run again to send it again; check the device's file system",
        )
    return Copied(where, transfer.file_size, md5, sent=True)


def get(
    driver: Any,
    source: str,
    dest: Path,
    scp_socket: ScpSocket,
    timeout: float,
    progress: Progress | None = None,
) -> Copied:
    """Copy `source` from the device to `dest` (written whole or not at all, owner-only),
    unless `dest` holds it already; verify the MD5 the device computes."""
    from netmiko import FileTransfer

    file_system, name = split_path(source)
    if dest.is_symlink():
        raise CommandRejectedError(
            f"get: {refuse_link(dest)}", hint="remove the link, or pick another dest:"
        )
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The temporary file is made here, new (O_EXCL, O_NOFOLLOW) and under a name nobody can
    # guess: a link planted at a known name (`.NAME.part`) would have had netmiko's SCP
    # client, which opens its file with open(..., "wb"), write through it, outside the folder.
    handle, temporary = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)
    partial = Path(temporary)
    try:
        transfer = FileTransfer(
            driver,
            source_file=name,
            dest_file=str(partial),
            direction="get",
            **_file_system(file_system),
            socket_timeout=timeout,
            progress4=_progress4(progress),
        )
        md5 = str(transfer.source_md5)
        if dest.is_file() and _md5(dest) == md5:
            return Copied(str(dest), transfer.file_size, md5, sent=False)
        with scp_socket():
            transfer.establish_scp_conn()
            try:
                transfer.get_file()
            finally:
                with contextlib.suppress(Exception):
                    transfer.close_scp_chan()
        got = _md5(partial)
        if got != md5:
            raise CommandRejectedError(
                f"the copy of {source} is damaged: MD5 {got} here, {md5} on the device",
                hint="run again to fetch it again",
            )
        os.chmod(partial, 0o600)
        os.replace(partial, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return Copied(str(dest), transfer.file_size, md5, sent=True)


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# At most this many progress reports a second per transfer (netmiko calls back every 16 KB:
# about 1,250 times for a 20 MB image), so a live display or a worker process's pipe is
# never flooded. The first and the last (all bytes moved) always go.
PROGRESS_PER_SECOND = 4.0


def _progress4(
    progress: Progress | None, per_second: float = PROGRESS_PER_SECOND
) -> Callable[..., None] | None:
    """netmiko's `progress4(file name, size, bytes moved, peer)` hook → `progress(done,
    total)`, throttled; an error in `progress` never breaks the copy."""
    if progress is None:
        return None
    gap = 1.0 / per_second
    last = [-gap]

    def report(name: object, size: int, sent: int, peer: object = None) -> None:
        now = time.monotonic()
        if now - last[0] < gap and int(sent) < int(size):
            return
        last[0] = now
        try:
            progress(int(sent), int(size))
        except Exception:  # a display's problem must not fail a host's transfer
            log.debug("transfer progress hook failed", exc_info=True)

    return report


@contextlib.contextmanager
def swapped_socket(driver: Any, new: Any, release: Callable[[], None]) -> Iterator[None]:
    """The driver's parameters name `new` as its socket while netmiko opens the SCP
    connection; the interactive session's own socket is untouched."""
    old = driver.sock
    driver.sock = new
    try:
        yield
    finally:
        driver.sock = old
        release()
