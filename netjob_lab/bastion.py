"""A lab bastion: an SSH server on 127.0.0.1 that logs in a user (password or key) and
forwards `direct-tcpip` channels to the lab's devices only, counting what it served.

    with start_lab(hidden=["r001"]) as lab, LabBastion(lab) as bastion:
        ...  # r001 answers only connections the bastion forwards; bastion.connections == 1

It runs its own event loop thread, like the Lab. Each connection it forwards is made from
a local port it tells the lab (Lab.admitted) before the device sees it, so a hidden device
can tell a forwarded connection from a direct one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import socket
import threading
from types import TracebackType
from typing import Any

import asyncssh

from netjob_lab.server import Lab
from runner.base.errors import LabError


class LabBastion:
    def __init__(
        self,
        lab: Lab,
        username: str = "jump",
        password: str = "jump-password",
        authorized_keys: tuple[str, ...] = (),
        gate: Any = None,
    ) -> None:
        self.lab = lab
        self.username = username
        self.password = password
        self.authorized_keys = authorized_keys
        self.gate = gate  # peer → bool: whom the bastion itself accepts (None: anyone)
        self.port = 0
        self.connections = 0  # SSH connections accepted, ever
        self.channels = 0  # direct-tcpip channels forwarded, ever
        self.refused: list[tuple[str, int]] = []  # destinations it would not forward to
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def targets(self) -> set[tuple[str, int]]:
        return {(e.host, e.port) for e in self.lab.endpoints}

    def start(self) -> LabBastion:
        self._thread = threading.Thread(target=self._run, name="netjob-bastion", daemon=True)
        self._thread.start()
        if not self._ready.wait(30) or self._error is not None:
            raise LabError(f"the lab bastion did not start: {self._error}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> LabBastion:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            acceptor = await asyncssh.listen(
                "127.0.0.1",
                0,
                server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")],
                server_factory=lambda: _BastionServer(self),
                gss_host=None,
            )
            self.port = int(acceptor.get_port())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        acceptor.close()
        await acceptor.wait_closed()

    async def forward(
        self, host: str, port: int, reader: asyncssh.SSHReader[bytes], writer: Any
    ) -> None:
        """Connect to the device, tell the lab the port it comes from, then pipe."""
        # The port is bound and admitted before connecting: the device checks it the
        # moment it accepts, possibly before this coroutine runs again.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.lab.admitted.add(("127.0.0.1", int(sock.getsockname()[1])))
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
        sock_reader, sock_writer = await asyncio.open_connection(sock=sock)

        async def pump(source: Any, sink: Any) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            with contextlib.suppress(Exception):
                sink.write_eof()

        await asyncio.gather(pump(reader, sock_writer), pump(sock_reader, writer))
        sock_writer.close()
        writer.close()


class _BastionServer(asyncssh.SSHServer):
    def __init__(self, bastion: LabBastion) -> None:
        self._bastion = bastion

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        peer = conn.get_extra_info("peername")
        gate = self._bastion.gate
        if gate is not None and not gate((str(peer[0]), int(peer[1]))):
            conn.abort()
            return
        self._bastion.connections += 1

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        bastion = self._bastion
        return username == bastion.username and hmac.compare_digest(password, bastion.password)

    def public_key_auth_supported(self) -> bool:
        return bool(self._bastion.authorized_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        mine = key.export_public_key("openssh").decode().split()[:2]
        allowed = [line.split()[:2] for line in self._bastion.authorized_keys]
        return username == self._bastion.username and mine in allowed

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> Any:
        bastion = self._bastion
        if (dest_host, dest_port) not in bastion.targets:
            bastion.refused.append((dest_host, dest_port))
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "forwarding only to lab devices"
            )
        bastion.channels += 1

        async def handler(reader: Any, writer: Any) -> None:
            await bastion.forward(dest_host, dest_port, reader, writer)

        return handler
