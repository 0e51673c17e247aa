"""The SCP server side of a lab device (`scp -t flash:/x` to receive, `scp -f flash:/x` to
send), over the device's flash, as netmiko's FileTransfer (the `scp` package) drives it.

Pure: no I/O. The SSH session feeds it the bytes the client sent and it answers through
`write`, and `finish(status)` once the exchange is over. The protocol (OpenSSH's rcp):
each side acknowledges with a zero byte, or refuses with 0x01 and a message; a file is
`C<mode> <size> <name>\\n`, its bytes, then a zero byte.

A file that does not fit in the flash's free space is refused when its header arrives,
before any of its bytes: `received` (on the Flash) counts only bytes of accepted files.
"""

from __future__ import annotations

import hashlib
import logging
import shlex
from collections.abc import Callable

from netjob_lab.flash import KEEP_BYTES, Flash

log = logging.getLogger(__name__)

Write = Callable[[bytes], None]
Finish = Callable[[int], None]
_MAX_HEADER = 4096


class ScpServer:
    def __init__(self, flash: Flash, command: str, write: Write, finish: Finish) -> None:
        self._flash = flash
        self._write = write
        self._finish = finish
        words = shlex.split(command)
        self._path = words[-1] if len(words) > 1 else ""
        self.sink = "-t" in words  # the client puts; else "-f": the client gets
        self._buffer = b""
        self._state = "header" if self.sink else "ready"
        self._name = ""
        self._left = 0
        self._md5 = hashlib.md5()
        self._chunks: list[bytes] | None = None
        self._size = 0
        self.done = False

    def start(self) -> None:
        if self.sink:
            self._write(b"\0")  # ready for a file

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while self._buffer and not self.done:
            if not self._step():
                return

    def eof(self) -> None:
        if not self.done:
            self._end(0 if self._state in ("header", "ready") else 1)

    def _step(self) -> bool:
        """Handle what the buffer holds for the current state; False: wait for more."""
        if self._state == "data":
            return self._data()
        if self._state == "trailer" or not self.sink:
            ack, self._buffer = self._buffer[:1], self._buffer[1:]
            if ack != b"\0":
                self._refuse("protocol error: expected an acknowledgement")
            elif self.sink:
                self._store()
            else:
                self._source()
            return True
        line, newline, rest = self._buffer.partition(b"\n")
        if not newline:
            if len(self._buffer) > _MAX_HEADER:
                self._refuse("protocol error: header too long")
            return False
        self._buffer = rest
        self._header(line.decode("utf-8", "replace"))
        return True

    def _header(self, line: str) -> None:
        if line.startswith("T"):  # times (-p): acknowledged, not kept
            self._write(b"\0")
            return
        parts = line[1:].split(" ", 2)
        if not line.startswith("C") or len(parts) != 3 or not parts[1].isdigit():
            self._refuse(f"protocol error: unexpected {line[:40]!r}")
            return
        size = int(parts[1])
        target = self._flash.name(self._path)
        name = target or parts[2]
        if target is None or "/" in name or not name:
            self._refuse(f"{self._path}: No such file or directory")
            return
        old = self._flash.files.get(name)
        if size > self._flash.free() + (old.size if old else 0):
            log.info("scp: refused %s (%d bytes, %d free)", name, size, self._flash.free())
            self._refuse(f"flash:/{name}: No space left on device")
            return
        self._name, self._left, self._size = name, size, size
        self._md5 = hashlib.md5()
        self._chunks = [] if size <= KEEP_BYTES else None
        self._state = "data" if size else "trailer"
        self._write(b"\0")

    def _data(self) -> bool:
        piece, self._buffer = self._buffer[: self._left], self._buffer[self._left :]
        self._left -= len(piece)
        self._flash.received += len(piece)
        self._md5.update(piece)
        if self._chunks is not None:
            self._chunks.append(piece)
        if not self._left:
            self._state = "trailer"
        return True

    def _store(self) -> None:
        data = b"".join(self._chunks) if self._chunks is not None else None
        self._flash.put(self._name, self._size, self._md5.hexdigest(), data)
        self._chunks, self._state = None, "header"
        self._write(b"\0")

    def _source(self) -> None:
        """The client's acknowledgements, in turn: ready, header taken, file taken."""
        if self._state == "ready":
            name = self._flash.name(self._path)
            found = self._flash.files.get(name or "")
            if found is None or found.data is None:
                why = "No such file or directory" if found is None else "file too large for the lab"
                self._refuse(f"{self._path}: {why}")
                return
            self._name, self._state = found.name, "header_sent"
            self._write(f"C0644 {found.size} {found.name}\n".encode())
        elif self._state == "header_sent":
            found = self._flash.files[self._name]
            assert found.data is not None
            self._write(found.data + b"\0")
            self._state = "sent"
        else:
            self._end(0)

    def _refuse(self, message: str) -> None:
        self._write(b"\x01scp: " + message.encode() + b"\n")
        self._end(1)

    def _end(self, status: int) -> None:
        self.done = True
        self._finish(status)
