"""A lab device over telnet (a console server, an old switch): `Username:`, `Password:`,
then the same platform shell as its SSH sessions, so commands answer identically.

Enough of RFC 854 for netmiko's `*_telnet` drivers (Python's telnetlib): the server
negotiates nothing, and drops whatever IAC commands the client sends (IAC NOP keepalives,
answers to options). A wrong password is answered `% Login invalid` and the connection
closed, as a device does after its last try. Runs on the lab's event loop thread.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable

from netjob_lab.platforms import new_cli
from netjob_lab.sshd import Runtime
from netjob_lab.terminal import Terminal

log = logging.getLogger(__name__)

IAC, SB, SE = 255, 250, 240
_OPTION = frozenset({251, 252, 253, 254})  # WILL, WONT, DO, DONT: one option byte follows


class TelnetFilter:
    """Bytes as the client sent them, less telnet's commands; keeps state across reads."""

    def __init__(self) -> None:
        self._state = "data"  # data | iac | option | sub | sub_iac

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            state = self._state
            if state == "data":
                if byte == IAC:
                    self._state = "iac"
                else:
                    out.append(byte)
            elif state == "iac":
                if byte == IAC:  # an escaped 0xff data byte
                    out.append(byte)
                self._state = "option" if byte in _OPTION else "sub" if byte == SB else "data"
            elif state == "option":
                self._state = "data"
            elif state == "sub":
                self._state = "sub_iac" if byte == IAC else "sub"
            else:  # sub_iac
                self._state = "data" if byte == SE else "sub"
        return bytes(out)


class TelnetSession(asyncio.Protocol):
    """One telnet connection: a login dialogue, then the device's vty."""

    def __init__(self, runtime: Runtime, transports: set[asyncio.BaseTransport]) -> None:
        self._runtime = runtime
        self._transports = transports
        self._transport: asyncio.Transport | None = None
        self._filter = TelnetFilter()
        self._inbox: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._transports.add(transport)
        self._task = asyncio.ensure_future(self._serve())

    def data_received(self, data: bytes) -> None:
        text = self._filter.feed(data).decode("utf-8", errors="replace")
        if text:
            self._inbox.put_nowait(text)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._transports.discard(self._transport)
        if self._task is not None:
            self._task.cancel()

    def _write(self, text: str) -> None:
        assert self._transport is not None
        if not self._transport.is_closing():
            # 0xff in data is doubled (IAC IAC); the lab's text never has it, but be right.
            self._transport.write(text.encode().replace(b"\xff", b"\xff\xff"))

    async def _line(self, echo: Callable[[str], str]) -> str:
        """One line the client typed (up to CR or LF), echoed through `echo`."""
        typed: list[str] = []
        while True:
            text = await self._inbox.get()
            for index, char in enumerate(text):
                if char in "\r\n":
                    rest = text[index + 1 :].lstrip("\n\x00")
                    if rest:  # typed ahead: for the next read
                        self._inbox.put_nowait(rest)
                    self._write("\r\n")
                    return "".join(typed)
                if char >= " ":
                    typed.append(char)
                    self._write(echo(char))

    async def _login(self) -> bool:
        runtime = self._runtime
        self._write("\r\nUser Access Verification\r\n\r\nUsername: ")
        username = await self._line(lambda char: char)
        self._write("Password: ")
        password = await self._line(lambda char: "")
        runtime.auth_attempts.append(("password", username))
        faults = runtime.faults
        if faults.login_latency_ms:
            await asyncio.sleep(faults.login_latency_ms / 1000)
        right = hmac.compare_digest(username, runtime.username) and hmac.compare_digest(
            password, runtime.password
        )
        if right and not faults.auth_fail:
            runtime.device.logins += 1
            return True
        log.info("%s: telnet login refused for %r", runtime.device.hostname, username)
        self._write("% Login invalid\r\n\r\n")
        return False

    async def _serve(self) -> None:
        assert self._transport is not None
        runtime = self._runtime
        try:
            if not await self._login():
                self._transport.close()
                return
            runtime.shells += 1
            try:
                await self._shell(Terminal(new_cli(runtime.device, runtime.username)))
            finally:
                runtime.shells -= 1
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug in the simulation must show, not leave a session silently dead.
            log.exception("%s: the simulated telnet shell failed", runtime.device.hostname)
            self._transport.close()

    async def _shell(self, terminal: Terminal) -> None:
        assert self._transport is not None
        latency = self._runtime.faults.latency_ms
        self._write(terminal.greeting())
        while True:
            typed = await self._inbox.get()
            for chunk in terminal.feed(typed):
                if chunk.words and latency:
                    await asyncio.sleep(latency / 1000)
                self._write(chunk.text)
                if chunk.close:
                    self._transport.close()
                    return


async def listen_telnet(
    runtime: Runtime, host: str, port: int, transports: set[asyncio.BaseTransport]
) -> asyncio.Server:
    """A telnet server for one device; its connections' transports go in `transports`
    (the lab closes them when it stops)."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: TelnetSession(runtime, transports), host, port)
