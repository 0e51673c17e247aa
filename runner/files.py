"""Files netjob writes that may hold device output or credentials: owner-only, always."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: str | bytes, atomic: bool = False) -> None:
    """Write `data` to a 0600 file. With `atomic`, write beside it and rename, so a reader
    (or a crash) never sees half of it; a new file written in one go does not need that."""
    raw = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
    target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if atomic else path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while raw:  # a write may be partial; finish it
            raw = raw[os.write(fd, raw) :]
    finally:
        os.close(fd)
    if atomic:
        os.replace(target, path)
