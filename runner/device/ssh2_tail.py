"""The last words of a device that drops the connection, kept on libssh2.

libssh2 reads every packet the socket holds before it hands a channel its data, and a
read that meets the end of the session (the device's SSH disconnect, or TCP's end) returns
that error instead of the data packets it has just queued: a device that sends the last
of an output and drops the connection at once would lose those words (paramiko's reader
thread queues them first). So, before each libssh2 call, one `poll` asks whether the
device has shut its side (POLLRDHUP, set while unread data remains). When it has, what
the socket still holds is taken out, and libssh2's descriptor is pointed (`dup2`) at one
end of a socket pair fed from it a few bytes at a time: a packet that completes in one
feed is handed to the channel by that read, before the next feed can complete the
device's disconnect, which is less than one feed long in no SSH cipher. When libssh2 has
read it all and has no data left for the channel, the feed closes, and libssh2 meets the
end as it would have. A session that ends without any of this costs one `poll` per call.

That `poll` waits for nothing (a timeout of 0), so it is made holding the GIL (ctypes'
PyDLL): select.poll lets go of the GIL and takes it back around every call, and with 50
sessions' threads in one process each handover costs futex calls and a context switch,
more than the poll (1,000 lab devices, 50 workers: 170,000 voluntary context switches
in the run -> 116,000).
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import fcntl
import os
import select
import socket
import termios

# A feed: smaller than any SSH packet with its MAC (a disconnect is at least 32 bytes on
# the wire), so no feed completes two packets.
FEED = 16
_SHUT = select.POLLRDHUP | select.POLLHUP | select.POLLERR


class _PollFd(ctypes.Structure):  # struct pollfd, poll(2)
    _fields_ = (("fd", ctypes.c_int), ("events", ctypes.c_short), ("revents", ctypes.c_short))


_LIBC = ctypes.PyDLL(None)  # PyDLL: the GIL is held through the call
_LIBC.poll.argtypes = (ctypes.POINTER(_PollFd), ctypes.c_ulong, ctypes.c_int)
_LIBC.poll.restype = ctypes.c_int


class TailKeeper:
    """Watches libssh2's descriptor (`sock`, its own duplicate of netjob's socket)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._watch = _PollFd(sock.fileno(), select.POLLRDHUP, 0)
        self._tail: bytes | None = None  # None: the device has not shut its side
        self._feed: socket.socket | None = None

    @property
    def draining(self) -> bool:
        return self._tail is not None

    def before_call(self) -> None:
        """Before a libssh2 call that may read: divert the socket once the device shut it."""
        if self._tail is None and _shut(self._watch):
            self._divert()

    def idle(self) -> None:
        """libssh2 has no data for the channel: feed it the next bytes, or the end once it
        has read every byte the device sent."""
        feed = self._feed
        if feed is None:
            return
        if self._tail:
            self._push(feed)
        elif _unread(self._sock) == 0:
            self._feed = None
            feed.close()

    def close(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.close()

    def _divert(self) -> None:
        chunks = []
        with contextlib.suppress(OSError):  # a reset: what was read before it is kept
            while data := self._sock.recv(1 << 16, socket.MSG_DONTWAIT):
                chunks.append(data)
        self._tail = b"".join(chunks)
        ours, feed = socket.socketpair()
        ours.setblocking(False)  # libssh2 keeps its descriptor non-blocking, and waits in poll
        feed.setblocking(False)
        os.dup2(ours.fileno(), self._sock.fileno(), inheritable=False)
        ours.close()
        self._feed = feed
        self._push(feed)

    def _push(self, feed: socket.socket) -> None:
        tail = self._tail or b""
        with contextlib.suppress(BlockingIOError):
            sent = feed.send(tail[:FEED])
            self._tail = tail[sent:]


def _unread(sock: socket.socket) -> int:
    """Bytes waiting on the socket that libssh2 has not read yet."""
    count = array.array("i", [0])
    fcntl.ioctl(sock.fileno(), termios.FIONREAD, count)
    return count[0]


def _shut(watch: _PollFd) -> bool:
    """Whether the device shut its side of the socket, asked without waiting."""
    watch.revents = 0
    return _LIBC.poll(ctypes.byref(watch), 1, 0) > 0 and bool(watch.revents & _SHUT)
