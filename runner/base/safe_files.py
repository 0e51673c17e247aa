"""Files netjob writes that may hold device output or credentials: owner-only, always,
never through a symbolic link, and named so that two hosts (or jobs) never share a file."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.-]+")  # \w: letters and digits of any script, and `_`
_HASHED = re.compile(r"-[0-9a-f]{8}$")
_MAX_BYTES = 150  # of the readable part: room for the hash and a suffix under NAME_MAX (255)


class LinkRefusedError(OSError):
    """A path netjob would write is (or passes through) a symbolic link."""


def name_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def safe_name(name: str, keep_suffix: bool = False) -> str:
    """A readable file name that can never leave its folder and is unique per `name`.

    Letters of any script stay; separators, `:`, spaces and leading dots become `_`, and
    long names are cut. Where that changed anything (or the name is not in NFC, or already
    ends like a hash), `-<8 hex of sha256(name)>` follows, so `a/b`, `a:b` and `a_b`, or
    two long names with one beginning, get different files. With `keep_suffix`, the hash
    goes before the last suffix (`r0_41-1a2b3c4d.cfg`), for files people open by type.
    """
    cleaned = _UNSAFE.sub("_", name).lstrip(".")
    cut = cleaned.encode("utf-8", "surrogatepass")[:_MAX_BYTES].decode("utf-8", "ignore")
    if cut and cut == name and not _HASHED.search(name) and unicodedata.is_normalized("NFC", name):
        return name
    stem, suffix = cut or "_", ""
    if keep_suffix and "." in stem[1:]:
        stem, _, suffix = stem.rpartition(".")
        suffix = "." + suffix
    return f"{stem}-{name_hash(name)}{suffix}"


def save_path(relative: str) -> Path:
    """A task's `save_to:` as a path under the working folder: each part made safe, so a
    host named `../../etc/x` cannot steer it elsewhere (`/` still makes folders)."""
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    return Path(*(safe_name(part, keep_suffix=True) for part in parts))


def link_in(path: Path, base: Path = Path()) -> Path | None:
    """The first part of `path`, relative to `base` (a folder on the way, or the file),
    that is a symbolic link now, or None. Links in `base` itself are not looked at."""
    current = base
    for part in path.parts:
        current /= part
        if current.is_symlink():
            return current
        if not current.exists():
            return None
    return None


def refuse_link(path: Path) -> str:
    target = os.readlink(path) if path.is_symlink() else "?"
    return (
        f"{path} is a symbolic link (to {target}); netjob never writes through a link: "
        "remove it, or save elsewhere"
    )


def write_private(
    path: Path,
    data: str | bytes | Iterable[str],
    atomic: bool = False,
    nested: bool = False,
    base: Path = Path("."),
) -> None:
    """Write `data` to a 0600 file, never through a symbolic link (LinkRefusedError).

    With `atomic`, write beside it and rename, so a reader (or a crash) never sees half of
    it; a new file written in one go does not need that. With `nested`, `path` lies under
    `base` (the working folder by default; made when missing, and links in it are
    followed: it is the job author's), its folders are made (0700) and none of them may be
    a link either (save_to: a link committed in git must not send a backup elsewhere).
    `data` may come in pieces (an iterable of texts): a report of many hosts is written
    as it is made, never held whole; one that fails half-way leaves no temporary file.
    """
    raw = _pieces(data)
    if nested:
        folder = _open_folders(path.parent.relative_to(base), base)
    else:
        folder = _open_folder(path.parent)
    try:
        if atomic:
            _refuse_if_link(path, folder)
            tmp = f".{path.name}.{os.getpid()}.tmp"
            try:
                _write_new(tmp, folder, raw, path, exclusive=True)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=folder)
                raise
            os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        else:
            _write_new(path.name, folder, raw, path, exclusive=False)
    finally:
        os.close(folder)


_CHUNK = 1 << 16  # bytes gathered from the pieces before a write


def _pieces(data: str | bytes | Iterable[str]) -> Iterator[bytes]:
    """`data` as bytes in writes of about _CHUNK (a text or bytes: one write)."""
    if isinstance(data, bytes):
        yield data
        return
    if isinstance(data, str):
        yield data.encode("utf-8")
        return
    gathered: list[str] = []
    size = 0
    for piece in data:
        gathered.append(piece)
        size += len(piece)
        if size >= _CHUNK:
            yield "".join(gathered).encode("utf-8")
            gathered, size = [], 0
    if gathered:
        yield "".join(gathered).encode("utf-8")


def _write_new(
    name: str, folder: int, pieces: Iterator[bytes], path: Path, exclusive: bool
) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(name, flags | (os.O_EXCL if exclusive else 0), 0o600, dir_fd=folder)
    except FileExistsError:  # a leftover temporary file (or a link planted there)
        os.unlink(name, dir_fd=folder)
        fd = os.open(name, flags | os.O_EXCL, 0o600, dir_fd=folder)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LinkRefusedError(errno.ELOOP, refuse_link(path)) from None
        raise
    try:
        for piece in pieces:
            raw = memoryview(piece)
            while raw:  # a write may be partial; finish it
                raw = raw[os.write(fd, raw) :]
    finally:
        os.close(fd)


def _refuse_if_link(path: Path, folder: int) -> None:
    try:
        info = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return
    if (info.st_mode & 0o170000) == 0o120000:
        raise LinkRefusedError(errno.ELOOP, refuse_link(path))


def _open_folder(folder: Path) -> int:
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _open_folders(folder: Path, base: Path) -> int:
    """`folder` under `base`, made and opened part by part without following a link."""
    os.makedirs(base, 0o700, exist_ok=True)
    fd = _open_folder(base)
    try:
        for index, part in enumerate(folder.parts):
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o700, dir_fd=fd)
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                where = base.joinpath(*folder.parts[: index + 1])
                if exc.errno == errno.ELOOP or where.is_symlink():
                    raise LinkRefusedError(errno.ELOOP, refuse_link(where)) from None
                raise
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd
