"""The TCP connection to a device (`dial`): made here, not by paramiko, so that its
failures are precise (refused, unresolved, silent, not SSH) and the lease can cut it."""

from __future__ import annotations

import contextlib
import socket

import paramiko

from runner.base.errors import (
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    UnreachableError,
)
from runner.base.models import Host
from runner.device.exception_map import quote
from runner.device.lease import Lease

Sock = socket.socket | paramiko.Channel  # a TCP socket, or a channel through a bastion


def close_sock(sock: Sock) -> None:
    if isinstance(sock, paramiko.Channel):
        sock.close()
        return
    # shutdown() wakes a thread blocked in recv() on this socket; close() alone may not.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


def dial(host: Host, lease: Lease) -> socket.socket:
    """The TCP connection, made here so that its failures are precise and the lease can cut
    it. A dead host fails within conn_timeout and is not retried."""
    timeout = host.connection.conn_timeout
    where = f"{host.address}:{host.port}"
    try:
        sock = socket.create_connection((host.address, host.port), timeout=timeout)
    except ConnectionRefusedError as exc:
        raise UnreachableError(f"connection refused by {where}: nothing listens there") from exc
    except socket.gaierror as exc:
        raise UnreachableError(
            f"the address {host.address!r} does not resolve (DNS)",
            hint="check the host's address in the inventory",
        ) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(f"no answer from {where} within {timeout:g}s") from exc
    except OSError as exc:
        raise UnreachableError(f"cannot reach {where}: {exc.strerror}") from exc
    # Interactive traffic: without TCP_NODELAY, Nagle's algorithm and delayed ACKs stall
    # each small write for ~40 ms (OpenSSH sets it too). On loopback this alone took a
    # login from ~85 ms to ~4 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    lease.on_abort(lambda: close_sock(sock))
    try:
        _await_banner(sock, where, timeout)
    except DeviceError:
        close_sock(sock)
        raise
    return sock


def _await_banner(sock: socket.socket, where: str, timeout: float) -> None:
    """Wait for the device's SSH version line (peeked: it stays for paramiko to read), so
    a device that accepts TCP and then says nothing, closes, or speaks another protocol
    fails here, precisely, before it takes a login slot."""
    cause: OSError | None = None
    try:
        first = sock.recv(256, socket.MSG_PEEK)
    except TimeoutError as exc:
        error: DeviceError = ConnectTimeoutError(
            f"{where} accepted the connection but sent no SSH banner within {timeout:g}s",
            hint="its SSH server does not answer (overloaded or wedged, or a firewall holds "
            "the connection): check the device, or raise connection.conn_timeout",
        )
        error.retryable = True
        raise error from exc
    except OSError as exc:  # a reset right after the accept
        first, cause = b"", exc
    if not first:
        error = ConnectionLostError(
            f"{where} closed the connection before sending an SSH banner",
            hint="the device refuses SSH from this address or has no SSH session free "
            "(a vty access-class, MaxStartups): check its SSH settings",
        )
        error.retryable = True
        raise error from cause
    # RFC 4253 lets a server send other lines before its version; network devices do not,
    # and a port that answers anything else runs another service.
    if not first.startswith(b"SSH-"[: len(first)]) and b"SSH-" not in first:
        said = first.decode("utf-8", "replace").splitlines()[0]
        raise UnreachableError(
            f"{where} answered, but not with SSH: it said {quote(said)}",
            hint="check the port in the inventory: another service (HTTP, telnet, a console "
            "server) listens there",
        )
