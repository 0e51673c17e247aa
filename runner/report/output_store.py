"""Outputs stored once by content (sha256), so a thousand identical outputs across runs
take the space of one; the run folders refer to them by digest.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
import zlib
from pathlib import Path

from runner.base.errors import StoreError
from runner.base.safe_files import refuse_link

_DIGEST = re.compile(r"[0-9a-f]{64}")
# zlib's own default, not gzip.compress's 9: for a device's usual answer (~500 bytes) level
# 9 took 93 us a put against 15, for a 370 kB config 27 ms against 21, and its files were
# 0.3 % smaller (bench/README.md, "What changed"). Any level reads back the same.
_LEVEL = 6


class OutputStore:
    """Outputs stored once by content: root/ab/cdef….gz (sha256 of the UTF-8 text).

    Outputs may hold secrets a device printed, so files are 0600 and folders 0700. Writes
    are atomic (a temporary file, then a rename), so readers and concurrent writers of the
    same output never see half a file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        # What this store made or found already: a run of 1,000 hosts asked the file system
        # twice per output whether a folder it had just made was there (issue 16).
        self._folders: set[Path] = set()
        self._present: set[str] = set()

    def path(self, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):  # never a path outside root
            raise StoreError(f"{digest!r} is not a sha256 hex digest")
        return self.root / digest[:2] / f"{digest[2:]}.gz"

    def put(self, text: str) -> str:
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        if digest in self._present:
            return digest
        path = self.path(digest)
        if path.exists():
            self._present.add(digest)
            return digest
        if path.parent not in self._folders:
            self._make(path.parent)
        try:
            fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # mode 0600
        except FileNotFoundError:  # its folder was removed since this run made it
            self._make(path.parent)
            fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                # mtime=0: the same text, the same bytes.
                file.write(gzip.compress(data, compresslevel=_LEVEL, mtime=0))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._present.add(digest)
        return digest

    def _make(self, folder: Path) -> None:
        for each in (self.root, folder):
            each.mkdir(mode=0o700, parents=True, exist_ok=True)
            if each.is_symlink():  # never write through a link planted in the store
                raise StoreError(refuse_link(each))
        self._folders.add(folder)

    def get(self, digest: str) -> str:
        path = self.path(digest)
        try:
            data = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise StoreError(f"output {digest[:12]} is not in {self.root}") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise StoreError(f"output {digest[:12]} in {self.root} is damaged: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise StoreError(f"output {digest[:12]} in {self.root} is damaged: wrong digest")
        return data.decode("utf-8")

    def __contains__(self, digest: object) -> bool:
        return (
            isinstance(digest, str)
            and _DIGEST.fullmatch(digest) is not None
            and (self.path(digest).exists())
        )
