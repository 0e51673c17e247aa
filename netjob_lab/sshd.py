"""The asyncssh side of the lab: one SSH server object per connection, one vty per shell.

Everything here runs on the lab's event loop thread. Faults are applied here, where the
SSH protocol is; the devices' behaviour is in the pure modules (shells, terminal).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from netjob_lab.device import BaseDevice, RoundTrips
from netjob_lab.faults import DeviceFaults
from netjob_lab.platforms import new_cli
from netjob_lab.scp import ScpServer
from netjob_lab.terminal import Chunk, Terminal

log = logging.getLogger(__name__)
# Each shell session's client software, over every lab of this process, in order: what
# tests/transport_guard.py reads to tell which SSH library a test's sessions used.
CLIENTS: list[str] = []

# A refused session's connection is closed this long after the refusal, so that the
# client reads the refusal message before it sees the connection go.
_REFUSED_CLOSE_DELAY = 1.0
# Output is written in slices of this size, each once the channel has room for it: a
# 64 MB running config is not buffered whole, and a client that leaves mid-output is
# noticed after one slice instead of after megabytes written to a dead socket.
_SLICE = 65536
# What writing to a session the client has closed raises: normal, never a lab bug.
_CLOSED = (ConnectionError, asyncssh.DisconnectError)
# The commands the drop fault cuts short: IOS's and EOS's, and Junos'.
_FULL_CONFIG = (("show", "running-config"), ("show", "configuration"))
# The commands the stale_prompt fault counts: every platform's show commands.
_SHOWS = (("show",), ("display",))
# What the link_up_after fault answers with links down, and how: a line's last column
# (the protocol) read `up` becomes `down`.
_LINKS = ("show", "ip", "interface", "brief")
_PROTOCOL_UP = re.compile(r"\bup(\r?)$", re.MULTILINE)


@dataclass(eq=False)
class Runtime:
    """A device with what its server needs: the faults and the live connections."""

    device: BaseDevice
    faults: DeviceFaults
    username: str
    password: str = field(repr=False)
    clients: frozenset[str] = frozenset()  # the client addresses accepted; empty: any
    connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)
    shells: int = 0  # open interactive sessions, for the session_limit fault
    # Public keys that log in as `username` (OpenSSH's authorized_keys lines).
    authorized_keys: tuple[str, ...] = ()
    # Every authentication attempt, ("password" | "publickey", username): a test can
    # prove that a refused host key meant no password was sent.
    auth_attempts: list[tuple[str, str]] = field(default_factory=list)
    # Whom the device accepts a connection from (peer (address, port) → bool): a device
    # reachable only through a bastion. None: anyone.
    gate: Callable[[tuple[str, int]], bool] | None = None
    # cut_after_commit: no connection is accepted before this time (time.monotonic()).
    cut_until: float = 0.0

    def cut(self, seconds: float) -> None:
        """Drop every session of the device now (once the answer being written is out)
        and refuse new connections for `seconds`: the commit cut the management path."""
        self.cut_until = time.monotonic() + seconds
        loop = asyncio.get_running_loop()
        for conn in list(self.connections):
            loop.call_soon(conn.abort)
        log.info("%s: cut after the commit for %.1fs", self.device.hostname, seconds)

    link_looks: int = 0  # `show ip interface brief` answered, for the link_up_after fault


def _merged(chunks: list[Chunk]) -> list[Chunk]:
    """The echo and the answer in one write: one SSH packet for both sides to encrypt and
    parse instead of two. Only without faults, which act on a command's own answer."""
    merged: list[Chunk] = []
    for chunk in chunks:
        if merged and not merged[-1].close:
            last = merged[-1]
            merged[-1] = Chunk(last.text + chunk.text, last.words or chunk.words, chunk.close)
        else:
            merged.append(chunk)
    return merged


async def _nothing_to_reload() -> None:
    return None


class DeviceServer(asyncssh.SSHServer):
    """One SSH connection to a device: password login, then its platform's shells."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        gate, peer = self._runtime.gate, conn.get_extra_info("peername")
        if gate is not None and not gate((str(peer[0]), int(peer[1]))):
            log.info("%s: only reachable through a bastion; closing", self._runtime.device.hostname)
            conn.abort()
            return
        if time.monotonic() < self._runtime.cut_until:
            log.info("%s: cut after a commit; refusing a connection", self._runtime.device.hostname)
            conn.abort()
            return
        peer = conn.get_extra_info("peername")
        if self._runtime.clients and (not peer or peer[0] not in self._runtime.clients):
            log.info("%s: refusing a client from %s", self._runtime.device.hostname, peer)
            conn.close()
            return
        self._runtime.connections.add(conn)
        # asyncssh rebuilds the server's options in a thread at every login, to apply
        # sshd_config `Match` blocks; the lab has no config file, so there is nothing to
        # re-read, and that rebuild was a fifth of the lab's CPU per login.
        conn.reload_config = _nothing_to_reload  # type: ignore[method-assign]

    def connection_lost(self, exc: Exception | None) -> None:
        self._runtime.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # authentication is required

    def password_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return bool(self._runtime.authorized_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        self._runtime.auth_attempts.append(("publickey", username))
        mine = key.export_public_key("openssh").decode().split()[:2]
        allowed = (line.split()[:2] for line in self._runtime.authorized_keys)
        return username == self._runtime.username and any(mine == k for k in allowed)

    async def validate_password(self, username: str, password: str) -> bool:
        self._runtime.auth_attempts.append(("password", username))
        faults = self._runtime.faults
        if faults.login_latency_ms:
            await asyncio.sleep(faults.login_latency_ms / 1000)
        if faults.close_auth and self._conn is not None:
            log.info("%s: closing the connection during login", self._runtime.device.hostname)
            self._conn.close()
            return False
        right = hmac.compare_digest(username, self._runtime.username) and hmac.compare_digest(
            password, self._runtime.password
        )
        if right and not faults.auth_fail:
            self._runtime.device.logins += 1  # a test tells one attempt from two
        return right and not faults.auth_fail

    def session_requested(self) -> VtySession:
        runtime = self._runtime
        if runtime.faults.close_after_auth and self._conn is not None:
            # Logged in; the shell the client asks for next is never opened.
            log.info("%s: closing the connection after login", runtime.device.hostname)
            self._conn.close()
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_CONNECT_FAILED, "closed")
        limit = runtime.faults.session_limit
        if limit is not None and runtime.shells >= limit:
            log.info("%s: session refused, limit %d reached", runtime.device.hostname, limit)
            conn = self._conn
            if conn is not None:
                asyncio.get_running_loop().call_later(_REFUSED_CLOSE_DELAY, conn.close)
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                f"% session limit of {limit} reached on {runtime.device.hostname}; try later",
            )
        return VtySession(runtime)


class VtySession(asyncssh.SSHServerSession[str]):
    """One interactive shell. Input is queued and answered in order by one task, so that
    the latency fault can delay an answer without reordering anything."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._chan: asyncssh.SSHServerChannel[str] | None = None
        self._inbox: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._counted = False
        self._writable = asyncio.Event()  # cleared while asyncssh's send buffer is full
        self._writable.set()
        self._shows = 0  # show commands answered, for the stale_prompt fault
        self._held = ""  # stale_prompt: an answer held back until the client types again
        self._scp: ScpServer | None = None  # set when the session runs `scp` instead
        self._trips = RoundTrips()  # what this session's client wrote, and the answers

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # An IOS vty has no `ssh host command`: only SCP runs one, on a device with a flash.
        flash = self._runtime.device.flash
        if flash is None or not command.startswith("scp ") or self._chan is None:
            return False
        chan: Any = self._chan
        chan.set_encoding(None)  # file bytes, not text
        self._scp = ScpServer(flash, command, chan.write, chan.exit)
        return True

    def session_started(self) -> None:
        if self._scp is not None:
            self._scp.start()
            return
        self._runtime.shells += 1
        self._counted = True
        if self._chan is not None:
            client = self._chan.get_connection().get_extra_info("client_version", "")
            self._trips.client = str(client)
            CLIENTS.append(self._trips.client)
        self._runtime.device.sessions.append(self._trips)
        if self._runtime.faults.hang:
            return  # logged in, and nothing will ever answer
        self._task = asyncio.ensure_future(
            self._serve(Terminal(new_cli(self._runtime.device, self._runtime.username)))
        )

    def data_received(self, data: str, datatype: int | None) -> None:
        if self._scp is not None:
            self._scp.feed(data)  # type: ignore[arg-type]  # bytes: see exec_requested
            return
        self._trips.writes += 1
        self._inbox.put_nowait(data)

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    def eof_received(self) -> bool:
        if self._scp is not None:
            self._scp.eof()  # the client sent its file: the exit status closes the channel
            return True
        return False  # close the channel

    def connection_lost(self, exc: Exception | None) -> None:
        self._trips.closed.set()
        if self._counted:
            self._runtime.shells -= 1
            self._counted = False
        if self._task is not None:
            self._task.cancel()

    async def _serve(self, terminal: Terminal) -> None:
        assert self._chan is not None
        name = self._runtime.device.hostname
        try:
            await self._send(terminal.greeting())
            while True:
                typed = await self._inbox.get()
                if self._runtime.faults.pager:  # `terminal length 0` never takes
                    terminal.shell.terminal_length = 24
                if self._held:  # the late answer comes before the echo of what was typed
                    held, self._held = self._held, ""
                    await self._send(held)
                chunks = terminal.feed(typed)
                faults = self._runtime.faults
                if not (
                    faults.latency_ms or faults.drop or faults.stale_prompt or faults.link_up_after
                ):
                    chunks = _merged(chunks)
                for chunk in chunks:
                    if self._is_stale(chunk):
                        log.info("%s: answering with a stale prompt", name)
                        self._held = chunk.text
                        await self._send("\r\n" + terminal.shell.prompt)
                    elif not await self._write(chunk):
                        return
        except _CLOSED as exc:
            # The client left mid-output (netmiko's disconnect, a killed run): normal.
            log.debug("%s: the client closed the session: %r", name, exc)
        except Exception:
            # A bug in the simulation must show, not leave a session silently dead.
            log.exception("%s: the simulated shell failed", name)
            self._chan.close()

    async def _write(self, chunk: Chunk) -> bool:
        """Write one chunk, faults applied; False once the session is over."""
        assert self._chan is not None
        faults = self._runtime.faults
        if chunk.words and faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.drop and chunk.words[:2] in _FULL_CONFIG:
            log.info("%s: dropping the connection mid-output", self._runtime.device.hostname)
            await self._send(chunk.text[: len(chunk.text) // 2])
            self._chan.get_connection().close()
            return False
        await self._send(self._links(chunk))
        if chunk.close:
            # Close without an exit status, as IOS does: the client (netmiko's disconnect)
            # may already be gone, and each write to a lost socket costs a warning.
            self._chan.close()
            return False
        return True

    def _links(self, chunk: Chunk) -> str:
        """The chunk's text, its links shown down while the link_up_after fault holds."""
        runtime = self._runtime
        if tuple(chunk.words[:4]) != _LINKS or runtime.link_looks >= runtime.faults.link_up_after:
            return chunk.text
        runtime.link_looks += 1
        return _PROTOCOL_UP.sub(r"down\1", chunk.text)

    def _is_stale(self, chunk: Chunk) -> bool:
        """Whether this is the answer to the show command that the stale_prompt fault
        answers with a bare prompt first (see netjob_lab.faults)."""
        if not self._runtime.faults.stale_prompt or chunk.words[:1] not in _SHOWS:
            return False
        self._shows += 1
        return self._shows == self._runtime.faults.stale_prompt

    async def _send(self, text: str) -> None:
        """Write `text` slice by slice as the client takes it; BrokenPipeError once closed."""
        assert self._chan is not None
        if text:
            self._trips.answers += 1
        for start in range(0, len(text), _SLICE):
            await self._writable.wait()
            if self._chan.is_closing():
                raise BrokenPipeError("the session is closed")
            self._chan.write(text[start : start + _SLICE])
            await asyncio.sleep(0)  # let a lost connection be noticed before the next slice
