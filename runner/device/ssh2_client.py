"""netmiko's SSH client on libssh2 (the `netjob[fast]` extra, `ssh2-python`): the part of
paramiko's SSHClient and Channel that netmiko and netjob's hooks use, over the socket
netjob dialled.

Same policy as the paramiko client (runner.device.netmiko_patches._Client): the host's
algorithms preferred first (runner.device.ssh2_algs), the host key checked against the same
known-hosts file by runner.device.hostkeys after the key exchange and before any
authentication, then key, agent, password in that order; and the same failures raised
(paramiko's AuthenticationException, ClosedDuringAuth, NoCommonAlgorithms,
ClosedInKeyExchange, paramiko's SSHException), so runner.device.exception_map is unchanged.

After the login the session is non-blocking: a read with nothing to read waits in
poll() on the socket (the directions libssh2 asks for) for the time left, so a session
waiting on a slow device costs no CPU. libssh2 is given a duplicate of netjob's socket:
when another thread (the lease, the login watchdog) shuts netjob's socket down, libssh2
reads the end on its own descriptor, whose number is released only here, by the session's
own thread, never reused under it. A device that drops the connection right after its
last output keeps those words, as on paramiko (runner.device.ssh2_tail).
"""

from __future__ import annotations

import contextlib
import math
import select
import socket
import struct
import time
from typing import Any

import paramiko
from ssh2 import exceptions as ssh2_errors
from ssh2.error_codes import LIBSSH2_ERROR_EAGAIN
from ssh2.session import (
    LIBSSH2_SESSION_BLOCK_INBOUND,
    LIBSSH2_SESSION_BLOCK_OUTBOUND,
    Session,
)

from runner.base.models import ConnectionOptions
from runner.device import hostkeys, ssh2_algs, ssh2_pty, sshkeys
from runner.device.netmiko_patches import (
    ClosedDuringAuth,
    ClosedInKeyExchange,
    NoCommonAlgorithms,
)
from runner.device.ssh2_tail import TailKeeper

_MAX_READ = 65535
# libssh2's own words (exceptions of these classes) for a connection that went away.
_GONE = (
    ssh2_errors.SocketDisconnectError,
    ssh2_errors.SocketRecvError,
    ssh2_errors.SocketSendError,
    ssh2_errors.BannerRecvError,
    ssh2_errors.BadSocketError,
)


class Ssh2Transport:
    """paramiko's Transport as netmiko and netjob read it (is_active, set_keepalive)."""

    def __init__(self, client: Ssh2Client) -> None:
        self._client = client
        self.remote_version = ""
        self.keepalive = 0  # seconds; 0: none (netmiko's default)

    def is_active(self) -> bool:
        return self._client.session is not None and not self._client.broken

    def set_keepalive(self, interval: int) -> None:
        """Sent from the read and write waits when due (libssh2 sends none on its own)."""
        self.keepalive = int(interval)
        if self._client.session is not None:
            self._client.session.keepalive_config(False, self.keepalive)


class _Waiting:
    """The channel's `in_buffer`: runner.device.netmiko_patches._wait_for_data waits with
    `in_buffer.read(0, timeout)` until data is there, consuming nothing."""

    def __init__(self, channel: Ssh2Channel) -> None:
        self._channel = channel

    def read(self, nbytes: int, timeout: float | None = None) -> bytes:
        channel = self._channel
        limit = None if timeout is None else time.monotonic() + timeout
        if not channel._buffer and not channel._fill(limit):
            raise TimeoutError("no data yet")
        return b""


class Ssh2Channel:
    """paramiko.Channel as netmiko uses it: sendall, recv_ready, recv, settimeout, close,
    closed, eof_received, get_transport/transport, and in_buffer for netjob's wait."""

    def __init__(self, client: Ssh2Client, channel: Any) -> None:
        self._client = client
        self._channel = channel
        self._buffer = b""
        self._drained = False  # the last read took all libssh2 had (see recv_ready)
        self._timeout: float | None = None
        self.eof_received = False
        self._closed = False
        self.transport = client.get_transport()
        self.in_buffer = _Waiting(self)

    @property
    def closed(self) -> bool:
        """paramiko's meaning: closed here, the session broken, or the device ended the
        shell (its EOF: a device's shell sends no more once it has said so)."""
        return self._closed or self._client.broken or self.eof_received

    def get_transport(self) -> Ssh2Transport:
        return self.transport

    def settimeout(self, timeout: float | None) -> None:
        self._timeout = timeout

    def gettimeout(self) -> float | None:
        return self._timeout

    def recv_ready(self) -> bool:
        """Data buffered, after one read that does not wait (paramiko's meaning: a broken
        session has nothing ready, and `closed` says why)."""
        if not self._buffer and self._drained:
            # netmiko asks again as soon as it took the buffer: the read that filled it
            # was short, so it took all libssh2 had, the socket drained first (channel
            # read); another read now would only say EAGAIN. The next ask reads.
            self._drained = False
            return False
        if not self._buffer and not self.closed and not self.eof_received:
            with contextlib.suppress(EOFError, OSError):
                self._fill(time.monotonic())
        return bool(self._buffer)

    def recv(self, nbytes: int) -> bytes:
        """Up to `nbytes`, waiting (in poll) up to the channel's timeout; b"" at the
        end of the session; TimeoutError past the timeout, as paramiko."""
        if not self._buffer and not self.eof_received and not self.closed:
            limit = None if self._timeout is None else time.monotonic() + self._timeout
            try:
                filled = self._fill(limit)
            except (EOFError, OSError):
                return b""  # the session broke: paramiko's end of stream
            if not filled:
                raise TimeoutError("no data within the channel's timeout")
        data, self._buffer = self._buffer[:nbytes], self._buffer[nbytes:]
        return data

    def sendall(self, data: bytes) -> None:
        if self.closed:
            raise OSError("Socket is closed")  # paramiko's words
        if self._client.draining:  # the device shut its side: as TCP takes a write to a
            return  # half-closed peer, and the next read meets the end (ssh2_tail)
        limit = None if self._timeout is None else time.monotonic() + self._timeout
        view = memoryview(data)
        while view:
            rc, written = self._client.call(self._channel.write, bytes(view))
            if rc == LIBSSH2_ERROR_EAGAIN and not written:
                if not self._client.wait(limit):
                    raise TimeoutError("the device took no data within the channel's timeout")
                continue
            view = view[written:]

    def send(self, data: bytes) -> int:
        self.sendall(data)
        return len(data)

    def _fill(self, limit: float | None) -> bool:
        """Read what the device sent into the buffer, waiting in poll() until `limit`
        (None: no limit) when nothing came; True once data or the end of the session came."""
        client = self._client
        while True:
            if client.broken or self._closed:
                return True
            rc, data = client.call(self._channel.read, _MAX_READ)
            if rc > 0:
                self._buffer += data
                self._drained = rc < _MAX_READ
                return True
            if rc == 0 or rc == LIBSSH2_ERROR_EAGAIN:
                # Only a 0 may be the device's EOF (libssh2 says EAGAIN only for a channel
                # not at its end), and each call costs a GIL handover. eof(): 1, the EOF;
                # 0, not yet; below 0, an error code (a short packet queued): not an EOF.
                if rc == 0 and self._channel.eof() == 1:
                    self.eof_received = True
                    return True
                client.idle()
                if not client.wait(limit):
                    return False
                continue
            client.broken = True  # an error code libssh2 did not raise: the session is over
            return True

    def close(self) -> None:
        """Close and free the libssh2 channel now, while its session's descriptor is
        still open (see Ssh2Client.close)."""
        if self._closed:
            return
        self._closed = True
        channel, self._channel = self._channel, None
        with contextlib.suppress(Exception):
            channel.close()  # non-blocking: a close libssh2 cannot send now is dropped
        del channel  # libssh2_channel_free, here and now


class Ssh2Client:
    """paramiko.SSHClient as netmiko uses it: connect, invoke_shell, get_transport, close
    (and the host-key settings netmiko makes, ignored: runner.device.hostkeys decides)."""

    def __init__(self, options: ConnectionOptions, address: str, port: int) -> None:
        self._options = options
        self._address = address
        self._port = port
        self._where = f"{address}:{port}"
        self._sock: socket.socket | None = None
        self._given: Any = None
        self.session: Any = None
        self.broken = False
        self._transport = Ssh2Transport(self)
        self._keepalive_due = 0.0
        self._shell: Ssh2Channel | None = None
        self._tail: TailKeeper | None = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()  # a client netmiko dropped unclosed: still free before closing

    def set_missing_host_key_policy(self, policy: Any) -> None:
        pass

    def load_system_host_keys(self, filename: str | None = None) -> None:
        pass

    def load_host_keys(self, filename: str) -> None:
        pass

    def get_transport(self) -> Ssh2Transport:
        return self._transport

    def connect(
        self,
        hostname: str,
        port: int = 22,
        username: str | None = None,
        password: str | None = None,
        pkey: paramiko.PKey | None = None,
        key_filename: str | None = None,
        timeout: float | None = None,
        allow_agent: bool = True,
        look_for_keys: bool = True,
        passphrase: str | None = None,
        disabled_algorithms: dict[str, Any] | None = None,
        auth_timeout: float | None = None,
        banner_timeout: float | None = None,
        sock: Any = None,
        **_: Any,
    ) -> None:
        if sock is None:  # netjob always dials; kept for a caller that does not
            sock = socket.create_connection((hostname, port), timeout=timeout)
        self._given = sock  # closed with the session, as paramiko's Transport closes it
        self._sock = sock.dup()
        session = self.session = Session()
        prefs = ssh2_algs.preferences(self._options, disabled_algorithms)
        ssh2_algs.apply(session, prefs)
        try:
            self._handshake(session, banner_timeout or timeout, prefs)
            self._check_host_key(session)
            self._authenticate(session, username or "", password, pkey, allow_agent, auth_timeout)
        except BaseException:
            self.close()
            raise

    def _handshake(self, session: Any, bound: float | None, prefs: dict[str, list[str]]) -> None:
        session.set_timeout(int((bound or 0) * 1000))
        try:
            session.handshake(self._sock)
        except ssh2_errors.Timeout as exc:
            raise paramiko.SSHException(
                f"the SSH key exchange did not finish within {bound:g}s"
            ) from exc
        except ssh2_errors.SSH2Error as exc:
            # libssh2 says only that the key exchange failed: the device's offer, read
            # on a connection of its own, says whether no algorithm was in common.
            offered = ssh2_algs.probe_offer(self._address, self._port, bound or 10.0)
            said = ssh2_algs.nothing_in_common(offered, prefs)
            if said is not None:
                raise NoCommonAlgorithms(said, offered, self._where) from exc
            if offered is not None:  # as paramiko's client reads an end after the offer
                raise ClosedInKeyExchange(self._where, ssh2_algs.ours(prefs), offered) from exc
            raise paramiko.SSHException(f"the SSH key exchange failed: {_said(exc)}") from exc
        self._transport.remote_version = ""

    def _check_host_key(self, session: Any) -> None:
        blob, _ = session.hostkey()
        (size,) = struct.unpack(">I", blob[:4])
        name = blob[4 : 4 + size].decode()
        key = paramiko.PKey.from_type_string(name, blob)
        hostkeys.verify(self._options, self._address, self._port, key)

    def _authenticate(
        self,
        session: Any,
        username: str,
        password: str | None,
        pkey: paramiko.PKey | None,
        allow_agent: bool,
        bound: float | None,
    ) -> None:
        """Key, agent, password, as paramiko tries them; paramiko's exceptions when all
        fail (its words: "Authentication failed.", "Authentication timeout.")."""
        session.set_timeout(int((bound or 0) * 1000))
        attempts: list[Any] = []
        if pkey is not None:
            data = sshkeys.private_bytes(pkey)
            attempts.append(lambda: session.userauth_publickey_frommemory(username, data))
        if allow_agent:
            attempts.append(lambda: session.agent_auth(username))
        if password is not None:
            attempts.append(lambda: session.userauth_password(username, password))
        try:
            for attempt in attempts:
                with contextlib.suppress(
                    ssh2_errors.AuthenticationError,
                    ssh2_errors.PublicKeyError,
                    ssh2_errors.KeyfileAuthFailedError,
                    ssh2_errors.AgentError,
                ):
                    attempt()
                if session.userauth_authenticated():
                    return
        except ssh2_errors.Timeout as exc:
            raise paramiko.AuthenticationException("Authentication timeout.") from exc
        except _GONE as exc:
            raise ClosedDuringAuth() from exc
        raise paramiko.AuthenticationException("Authentication failed.")

    def invoke_shell(
        self, term: str = "vt100", width: int = 80, height: int = 24, **_: Any
    ) -> Ssh2Channel:
        """A shell on a pty of netmiko's size (runner.device.ssh2_pty)."""
        session = self.session
        try:
            channel = session.open_session()
            ssh2_pty.request(channel, term, width, height)
            channel.shell()
        except ssh2_errors.Timeout as exc:
            raise paramiko.SSHException("Timeout opening channel.") from exc
        except _GONE as exc:
            self.broken = True
            raise EOFError() from exc
        except ssh2_errors.ChannelFailure as exc:
            raise ssh2_pty.refused(session.last_error()) from exc
        except ssh2_errors.SSH2Error as exc:
            raise paramiko.SSHException(f"Unable to open channel. ({_said(exc)})") from exc
        session.set_blocking(False)
        assert self._sock is not None  # connect() made it
        self._tail = TailKeeper(self._sock)
        if self._transport.keepalive:
            session.keepalive_config(False, self._transport.keepalive)
        self._shell = Ssh2Channel(self, channel)
        return self._shell

    def call(self, method: Any, *args: Any) -> Any:
        """A libssh2 call of the channel; its exceptions as paramiko's channel shows them
        (OSError/EOFError: the session broke)."""
        if self.broken or self._sock is None:
            raise OSError("Socket is closed")
        if self._tail is not None:
            self._tail.before_call()
        try:
            return method(*args)
        except _GONE as exc:
            self.broken = True
            raise EOFError(_said(exc)) from exc
        except ssh2_errors.SSH2Error as exc:
            self.broken = True
            raise OSError(f"the SSH session broke: {_said(exc)}") from exc

    @property
    def draining(self) -> bool:
        return self._tail is not None and self._tail.draining

    def idle(self) -> None:
        """The channel has nothing to read: the device's last bytes, if it dropped the
        connection, are fed on (runner.device.ssh2_tail)."""
        if self._tail is not None:
            self._tail.idle()

    def wait(self, limit: float | None) -> bool:
        """Wait in poll() on the socket, in the directions libssh2 blocked in, until
        `limit`; False when it passed. Sends a keepalive when one is due."""
        now = time.monotonic()
        if limit is not None and now >= limit:
            return False
        left = None if limit is None else limit - now
        interval = self._transport.keepalive
        if interval:
            if now >= self._keepalive_due:
                self.call(self.session.keepalive_send)
                self._keepalive_due = now + interval
            left = min(left or interval, self._keepalive_due - now)
        sock = self._sock
        if sock is None:
            raise OSError("Socket is closed")
        directions = self.session.block_directions()
        inbound = directions & LIBSSH2_SESSION_BLOCK_INBOUND or not directions
        events = (select.POLLIN if inbound else 0) | (
            select.POLLOUT if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND else 0
        )
        # poll, not select: select() refuses a descriptor past 1023, which a process with
        # many sessions and files open has (the lab's 1,000 devices in a test's process).
        try:
            waiter = select.poll()
            waiter.register(sock.fileno(), events)
            waiter.poll(None if left is None else math.ceil(left * 1000))
        except (OSError, ValueError) as exc:  # the socket closed under us
            self.broken = True
            raise EOFError("the connection was closed") from exc
        return True

    def close(self) -> None:
        """Free libssh2's channel and session, then close the descriptors: libssh2 writes
        to its descriptor number when it frees a channel not yet closed, and a number
        closed first may be another session's already (a session left to the garbage
        collector corrupted another device's stream that way)."""
        shell, self._shell = self._shell, None
        if shell is not None:
            shell.close()
        session, self.session = self.session, None
        sock, self._sock = self._sock, None
        if session is not None and sock is not None and not self.broken:
            with contextlib.suppress(Exception):
                session.set_blocking(False)
                session.disconnect()
        del session  # libssh2_session_free, while the descriptor is still this session's
        tail, self._tail, given, self._given = self._tail, None, self._given, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for done in (tail, sock, given):  # libssh2's descriptor, then netjob's socket
            if done is not None:
                with contextlib.suppress(OSError):
                    done.close()


def _said(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
