"""The cache of big checked inventories, which only this user's netjob can have written.

PyYAML builds ~10,000 hosts a second at best; a checked inventory is kept by content so cron
jobs over a big fleet pay that once per change of the file, not once per run. It is kept as
a pickle (the records as they are, loaded in milliseconds), and unpickling runs whatever a
pickle asks: a file planted at the cache's path would run code as the user. So each file is
authenticated: an HMAC-SHA256 of its bytes under a key only the user can read, in a folder
only the user can write, both checked (owner, mode, no links) before anything is read. A file
that fails any check is ignored, with a note, and rebuilt; nothing in it is unpickled.

Layout: $XDG_CACHE_HOME/netjob (or ~/.cache/netjob), 0700; `cache-key` (32 random bytes,
0600); `inventory-<sha256 of version, record shape, platform names and the file's
bytes>.pickle`, each `NJC1` + HMAC + pickle. NETJOB_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import stat
from pathlib import Path
from typing import Any

from runner.base.safe_files import write_private

CACHE_FROM_BYTES = 256 * 1024
MAX_CACHE_BYTES = 1 << 30  # far above 100,000 hosts' records
_MAGIC = b"NJC1"
_KEY_FILE = "cache-key"
_notes = logging.getLogger("runner.notes")


def root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "netjob"


def load(name: str) -> Any | None:
    """What `store(name, ...)` kept, if this user's netjob wrote it; else None."""
    folder = root()
    path = folder / name
    if not path.exists():
        return None
    key = _key(folder, create=False)
    problem = "its folder or key is not this user's alone" if key is None else None
    data = b""
    if key is not None:
        data, problem = _read_own(path)
    if problem is None and key is not None:
        # A view, not a copy: the payload of 100,000 hosts is tens of MB at the run's start.
        view = memoryview(data)
        mac, payload = bytes(view[len(_MAGIC) : len(_MAGIC) + 32]), view[len(_MAGIC) + 32 :]
        if not data.startswith(_MAGIC) or not hmac.compare_digest(mac, _mac(key, payload)):
            problem = "it was not written by netjob for this user"
        else:
            with contextlib.suppress(Exception):  # a layout netjob cannot read: rebuild
                return pickle.loads(payload)
            return None
    _notes.warning("ignored the inventory cache %s (%s); reading the inventory anew", path, problem)
    return None


def store(name: str, value: Any) -> None:
    """Keep `value` under `name`, authenticated; a cache that cannot be written is skipped."""
    folder = root()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = _key(folder, create=True)
        if key is None:
            return
        payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        write_private(folder / name, _MAGIC + _mac(key, payload) + payload, atomic=True)


def _mac(key: bytes, payload: bytes | memoryview) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def _private(info: os.stat_result, kind: int) -> bool:
    """Of this kind, the user's, and writable by nobody else."""
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _key(folder: Path, create: bool) -> bytes | None:
    """The user's cache key (made when missing and `create`); None if the folder or the key
    could have been written by someone else."""
    try:
        if not _private(os.lstat(folder), stat.S_IFDIR):
            return None
        path = folder / _KEY_FILE
        if create and not path.exists():
            with contextlib.suppress(FileExistsError):
                write_private(path, secrets.token_bytes(32))
        data, problem = _read_own(path)
    except OSError:
        return None
    if problem is not None or len(data) != 32 or os.stat(path).st_mode & 0o077:
        return None
    return data


def _read_own(path: Path) -> tuple[bytes, str | None]:
    """A regular file of this user's, not a link, not writable by others, within the cap."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return b"", f"cannot open it: {exc.strerror}"
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not _private(info, stat.S_IFREG):
            return b"", "it is not a file of this user's alone"
        if info.st_size > MAX_CACHE_BYTES:
            return b"", "it is too big"
        # What it holds, not the cap: a read of the cap asks for a buffer of that size.
        return file.read(info.st_size + 1), None
