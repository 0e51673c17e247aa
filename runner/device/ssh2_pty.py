"""The terminal's size on libssh2: netmiko asks for 511x1000, as on paramiko; ssh2-python's
`Channel.pty(term)` can only ask for libssh2's default 80x24, and on a terminal that
narrow a shell wraps the echo of a long command (a Linux host's `md5sum ... 2> /dev/null`
before an SCP copy), which netmiko then never finds.

libssh2's own call takes the size (`libssh2_channel_request_pty_ex`): it is made here
through ctypes, on the libssh2 that ssh2-python loaded, with the channel's pointer read
from the Channel object (its first field, after the object header, in ssh2-python's
channel.pxd). The layout is checked first (the object's size); when anything does not
match, the pty is asked for the ssh2-python way, at 80x24, and the log says so.

And a shell the device refuses to open, in paramiko's words (`refused`).
"""

from __future__ import annotations

import ctypes
import functools
import glob
import logging
import os
from typing import Any

import paramiko
import ssh2
import ssh2.channel
import ssh2.exceptions

log = logging.getLogger(__name__)

_HEADER = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)  # PyObject_HEAD
# ssh2-python's Channel: the object header, its LIBSSH2_CHANNEL pointer, its Session.
_CHANNEL_SIZE = _HEADER + 2 * ctypes.sizeof(ctypes.c_void_p)


@functools.cache
def _request() -> Any:
    """libssh2_channel_request_pty_ex of the libssh2 ssh2-python uses, or None."""
    if ssh2.channel.Channel.__basicsize__ != _CHANNEL_SIZE:
        return None
    site = os.path.dirname(os.path.dirname(ssh2.__file__))
    found = sorted(glob.glob(os.path.join(site, "ssh2_python.libs", "libssh2*.so*")))
    try:
        library = ctypes.CDLL(found[0] if found else "libssh2.so.1")
        call = library.libssh2_channel_request_pty_ex
    except (OSError, AttributeError):
        return None
    call.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_uint,
        ctypes.c_char_p,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
    ]
    call.restype = ctypes.c_int
    return call


def request(channel: Any, term: str, width: int, height: int) -> None:
    """Ask for a pty of `width` x `height` on `channel` (a session in blocking mode)."""
    call = _request()
    pointer = ctypes.c_void_p.from_address(id(channel) + _HEADER).value if call else None
    if call is None or not pointer:
        log.debug("libssh2: the pty is 80x24 (its size cannot be asked through ssh2-python)")
        channel.pty(term)
        return
    name = term.encode()
    rc = call(pointer, name, len(name), None, 0, width, height, 0, 0)
    if rc != 0:
        raise ssh2.exceptions.ChannelRequestDenied(f"pty request failed ({rc})")


# RFC 4254's reasons for refusing a channel, as libssh2 words them, and their codes.
_REFUSALS = {
    "administratively prohibited": 1,
    "connect failed": 2,
    "unknown channel type": 3,
    "resource shortage": 4,
}


def refused(said: str) -> paramiko.ChannelException:
    """paramiko's exception for a channel the device refused (how SSH servers say "no
    more sessions"; runner.device.exception_map reads it as a session limit)."""
    reason = said.rpartition("(")[2].rstrip(")") if "(" in said else said
    return paramiko.ChannelException(_REFUSALS.get(reason.lower(), 1), reason.capitalize())
