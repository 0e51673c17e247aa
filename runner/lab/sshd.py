"""The asyncssh side of the lab: one SSH server object per connection, one vty per shell.

Everything here runs on the lab's event loop thread. Faults are applied here, where the
SSH protocol is; the IOS behaviour itself is in the pure modules (shell, terminal).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass, field

import asyncssh

from runner.lab.device import Device
from runner.lab.faults import DeviceFaults
from runner.lab.shell import Shell
from runner.lab.terminal import Chunk, Terminal

log = logging.getLogger(__name__)

# A refused session's connection is closed this long after the refusal, so that the
# client reads the refusal message before it sees the connection go.
_REFUSED_CLOSE_DELAY = 1.0


@dataclass(eq=False)
class Runtime:
    """A device with what its server needs: the faults and the live connections."""

    device: Device
    faults: DeviceFaults
    username: str
    password: str = field(repr=False)
    connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)
    shells: int = 0  # open interactive sessions, for the session_limit fault


class DeviceServer(asyncssh.SSHServer):
    """One SSH connection to a device: password login, then IOS shells."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._runtime.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self._runtime.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # authentication is required

    def password_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return False

    async def validate_password(self, username: str, password: str) -> bool:
        faults = self._runtime.faults
        if faults.login_latency_ms:
            await asyncio.sleep(faults.login_latency_ms / 1000)
        right = hmac.compare_digest(username, self._runtime.username) and hmac.compare_digest(
            password, self._runtime.password
        )
        return right and not faults.auth_fail

    def session_requested(self) -> VtySession:
        runtime = self._runtime
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

    def connection_made(self, chan: asyncssh.SSHServerChannel[str]) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: object, term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False  # an IOS vty has no `ssh host command`; netmiko never asks for it

    def session_started(self) -> None:
        self._runtime.shells += 1
        self._counted = True
        if self._runtime.faults.hang:
            return  # logged in, and nothing will ever answer
        self._task = asyncio.ensure_future(self._serve(Terminal(Shell(self._runtime.device))))

    def data_received(self, data: str, datatype: int | None) -> None:
        self._inbox.put_nowait(data)

    def eof_received(self) -> bool:
        return False  # close the channel

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted:
            self._runtime.shells -= 1
            self._counted = False
        if self._task is not None:
            self._task.cancel()

    async def _serve(self, terminal: Terminal) -> None:
        assert self._chan is not None
        self._chan.write(terminal.greeting())
        try:
            while True:
                for chunk in terminal.feed(await self._inbox.get()):
                    if not await self._write(chunk):
                        return
        except Exception:
            # A bug in the simulation must show, not leave a session silently dead.
            log.exception("%s: the simulated shell failed", self._runtime.device.hostname)
            self._chan.close()

    async def _write(self, chunk: Chunk) -> bool:
        """Write one chunk, faults applied; False once the session is over."""
        assert self._chan is not None
        faults = self._runtime.faults
        if chunk.words and faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.drop and chunk.words[:2] == ("show", "running-config"):
            log.info("%s: dropping the connection mid-output", self._runtime.device.hostname)
            self._chan.write(chunk.text[: len(chunk.text) // 2])
            self._chan.get_connection().close()
            return False
        self._chan.write(chunk.text)
        if chunk.close:
            # Close without an exit status, as IOS does: the client (netmiko's disconnect)
            # may already be gone, and each write to a lost socket costs a warning.
            self._chan.close()
            return False
        return True
