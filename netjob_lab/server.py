"""The lab: many simulated devices in one process, each on its own port on 127.0.0.1.

    with Lab(LabConfig(devices=3, port=0)) as lab:     # port=0: the OS picks free ports
        for hostname, host, port in lab.endpoints:
            ...                                          # netmiko cisco_ios, netjob / lab-password

Platforms (netmiko device types) go round by device number: with
`platforms=("cisco_ios", "arista_eos", "juniper_junos")`, r001 is IOS, r002 EOS, r003
Junos, r004 IOS again (the others: `cisco_xr`, `cisco_nxos`, `huawei`). `first` shards a
big lab over processes: `first=501, devices=500` serves r501..r1000, with the same
platforms and defaults as one process serving all.

`start()` runs an asyncio loop in a daemon thread and returns once every device listens;
`stop()` closes everything. Constructing a Lab opens nothing (house rule 4).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

import asyncssh

from netjob_lab.device import BaseDevice
from netjob_lab.faults import DeviceFaults
from netjob_lab.platforms import PLATFORMS, Settings, make_device
from netjob_lab.sshd import DeviceServer, Runtime
from netjob_lab.telnetd import listen_telnet
from runner.base.errors import LabError

KEX_ALGS = ("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256")

__all__ = ["Endpoint", "Lab", "LabConfig", "LabError"]  # LabError: netjob's, re-exported

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabConfig:
    devices: int = 6
    port: int = 10022  # the first device's port, the others follow; 0: the OS picks each
    host: str = "127.0.0.1"
    username: str = "netjob"
    password: str = field(default="lab-password", repr=False)
    secret: str = field(default="lab-enable", repr=False)
    name_format: str = "r{i:03d}"  # i counts from `first`
    faults: Mapping[str, DeviceFaults] = field(default_factory=dict)
    latency_ms: int = 0  # added to every command on every device
    login_latency_ms: int = 0  # added to every login on every device
    first: int = 1  # the first device's number i
    platforms: Sequence[str] = ("cisco_ios",)  # netmiko device types, round by number
    # Client addresses the devices accept (empty: any): a site's devices reachable only
    # from its own pollers, as behind a site's firewall.
    clients: Sequence[str] = ()
    # OpenSSH public key lines that log in as `username` (public-key authentication).
    authorized_keys: Sequence[str] = ()
    # Devices reachable only through a bastion: they accept a connection only from a
    # peer that Lab.gate admits (netjob_lab.bastion adds what it forwards).
    hidden: Sequence[str] = ()
    # The devices' SSH host key, kept here across restarts as a device keeps its own (so a
    # known_hosts entry stays right); None: a new key each start (tests).
    host_key_file: str | None = None
    # Devices served over telnet instead of SSH (netjob_lab.telnetd): a console server, a
    # switch too old for SSH. The same shell, after `Username:` and `Password:` prompts.
    telnet: Sequence[str] = ()
    # TEST-ONLY: how many times faster than real time the devices' revert timers (and the
    # cut_after_commit fault's outage) run, so that a "1 minute" IOS timer fires in a
    # second in a test. Clients are not told: they still ask for, and wait for, a minute.
    clock_speed: float = 1.0

    def numbers(self) -> range:
        return range(self.first, self.first + self.devices)

    def hostnames(self) -> list[str]:
        return [self.name_format.format(i=i) for i in self.numbers()]

    def platform_of(self, i: int) -> str:
        """The platform of device number `i`: the same in every shard of a lab."""
        return self.platforms[(i - 1) % len(self.platforms)]

    def faults_for(self, hostname: str) -> DeviceFaults:
        shared = DeviceFaults(latency_ms=self.latency_ms, login_latency_ms=self.login_latency_ms)
        return shared.merge(self.faults.get(hostname, DeviceFaults()))


@functools.cache
def _process_key() -> asyncssh.SSHKey:
    """One key for every lab this process starts without a key file (tests): a port the
    OS hands out again to another lab then still has the key a known_hosts learnt for it,
    as a device keeps its key (rotate_host_key changes it on purpose)."""
    return asyncssh.generate_private_key("ssh-ed25519")


def _host_key(path: str | None) -> asyncssh.SSHKey:
    """The lab's host key: read from `path`, or made once and written there (0600)."""
    if path is None:
        return _process_key()
    file = Path(path).expanduser()
    try:
        return asyncssh.read_private_key(str(file))
    except FileNotFoundError:
        pass
    except (OSError, asyncssh.KeyImportError) as exc:
        raise LabError(f"cannot read the lab's host key {file}: {exc}; delete it") from exc
    key = asyncssh.generate_private_key("ssh-ed25519")
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.export_private_key())
    return key


class Endpoint(NamedTuple):
    hostname: str
    host: str
    port: int


class Lab:
    def __init__(self, config: LabConfig | None = None) -> None:
        self.config = config or LabConfig()
        _check(self.config)
        started = datetime.now(timezone.utc)
        self._runtimes = {
            name: _runtime(self.config, i, name, started)
            for i, name in zip(self.config.numbers(), self.config.hostnames(), strict=True)
        }
        self._endpoints: list[Endpoint] = []
        self._closers: list[asyncssh.SSHAcceptor | asyncio.Server | socket.socket] = []
        self._silent: set[asyncio.BaseTransport] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._acceptors: dict[str, asyncssh.SSHAcceptor] = {}
        # Peers (address, port) a hidden device admits; bastions add to `admitted`.
        self.admitted: set[tuple[str, int]] = set()
        self.gates: list[Callable[[tuple[str, int]], bool]] = [self.admitted.__contains__]
        for name in self.config.hidden:
            self._runtimes[name].gate = self._admits
        for runtime in self._runtimes.values():
            runtime.authorized_keys = tuple(self.config.authorized_keys)

    def _admits(self, peer: tuple[str, int]) -> bool:
        return any(gate(peer) for gate in self.gates)

    def auth_attempts(self, hostname: str) -> list[tuple[str, str]]:
        """Every login attempt on the device: ("password" | "publickey", username)."""
        return list(self._runtimes[hostname].auth_attempts)

    def cut_after_commit(self, hostname: str, seconds: float) -> None:
        """The fault `cut_after_commit:S` on a started lab, from now on (test-only: a
        change made first without it, then one the device cuts): after each commit every
        session of the device is dropped and logins refused for `seconds` (lab clock)."""
        runtime = self._runtimes[hostname]
        cut = functools.partial(runtime.cut, seconds / self.config.clock_speed)
        runtime.device.revert.on_commit = cut

    def rotate_host_key(self, hostname: str) -> None:
        """Give the device a new host key (as a replaced device, or an impostor, has):
        connections from now on see it."""
        loop, acceptor = self._loop, self._acceptors[hostname]
        if loop is None:
            raise LabError("start the lab before changing a host key")
        key = asyncssh.generate_private_key("ssh-ed25519")
        done = threading.Event()

        def change() -> None:
            acceptor.update(server_host_keys=[key])
            done.set()

        loop.call_soon_threadsafe(change)
        done.wait(10)

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def endpoints(self) -> list[Endpoint]:
        return list(self._endpoints)

    def device(self, hostname: str) -> BaseDevice:
        """The live device first started as `hostname` (it keeps that key if renamed)."""
        try:
            return self._runtimes[hostname].device
        except KeyError:
            raise KeyError(f"the lab has no device {hostname!r}") from None

    def start(self, timeout: float = 60.0) -> Lab:
        if self._thread is not None:
            raise LabError("this lab is already started; make a new Lab to start again")
        self._thread = threading.Thread(target=self._run, name="netjob-lab", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise LabError(f"the lab did not start within {timeout:g} s; try fewer --devices")
        if self._error is not None:
            self.stop()
            raise self._error
        log.info("lab started: %d devices from %s", len(self._endpoints), self.config.host)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: all done
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(timeout)

    def serve_forever(self, stop: threading.Event | None = None) -> None:
        """Start if needed, block until SIGINT or SIGTERM (or `stop` is set), then stop.

        For the CLI: signal handlers can only be set from the main thread."""
        if self._thread is None:
            self.start()
        stop = stop or threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _SIGNALS}
        try:
            while not stop.wait(0.5):  # a bounded wait lets the signal handler run
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        try:
            await self._open_all()
        except BaseException as exc:  # handed to start() in the caller's thread
            self._error = exc
        self._ready.set()
        if self._error is None:
            await self._stopping.wait()
        await self._close_all()

    async def _open_all(self) -> None:
        key = _host_key(self.config.host_key_file)
        options = asyncssh.SSHServerConnectionOptions(
            server_host_keys=[key],
            line_editor=False,
            login_timeout=30,
            # What network devices offer: classic curve25519/ECDH key exchange, no
            # post-quantum hybrid (it doubled the lab's key-exchange CPU per login).
            kex_algs=list(KEX_ALGS),
            gss_host=None,  # no GSSAPI: spares a getfqdn() DNS lookup per login
        )
        for i, (name, runtime) in enumerate(self._runtimes.items()):
            port = self.config.port + i if self.config.port else 0
            try:
                bound = await self._open(runtime, port, options)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise LabError(f"port {port} is in use; pick another --port") from exc
                raise LabError(f"cannot listen on {self.config.host}:{port}: {exc}") from exc
            self._endpoints.append(Endpoint(name, self.config.host, bound))

    async def _open(
        self, runtime: Runtime, port: int, options: asyncssh.SSHServerConnectionOptions
    ) -> int:
        """Listen for one device as its faults say; the port it got."""
        host, faults = self.config.host, runtime.faults
        if faults.refuse:
            # Bound but never listening: connecting gets a reset, the port stays ours.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._closers.append(sock)
            sock.bind((host, port))
            return int(sock.getsockname()[1])
        if faults.silent or faults.garbage_banner:
            loop = asyncio.get_running_loop()
            speaks = _NOT_SSH if faults.garbage_banner else b""
            server = await loop.create_server(lambda: _Silent(self._silent, speaks), host, port)
            self._closers.append(server)
            return int(server.sockets[0].getsockname()[1])
        if runtime.device.hostname in self.config.telnet:
            server = await listen_telnet(runtime, host, port, self._silent)
            self._closers.append(server)
            return int(server.sockets[0].getsockname()[1])
        # Each device its own options: a host key that changes, legacy algorithms.
        options = asyncssh.SSHServerConnectionOptions(
            options=options, **(_LEGACY if faults.legacy else {})
        )
        acceptor = await asyncssh.listen(
            host, port, options=options, server_factory=lambda: DeviceServer(runtime)
        )
        self._acceptors[runtime.device.hostname] = acceptor
        self._closers.append(acceptor)
        return int(acceptor.get_port())

    async def _close_all(self) -> None:
        for closer in self._closers:
            closer.close()
        for runtime in self._runtimes.values():
            for conn in list(runtime.connections):
                conn.close()
        for runtime in self._runtimes.values():
            for conn in list(runtime.connections):
                await conn.wait_closed()
        for transport in list(self._silent):
            transport.close()


# What the legacy fault offers: an old switch's SSH (no curve25519, ECDH, CTR or SHA-2).
_LEGACY: dict[str, object] = {
    "kex_algs": ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1"],
    "encryption_algs": ["aes128-cbc", "3des-cbc"],
    "mac_algs": ["hmac-sha1"],
}

# What the garbage_banner fault answers: an HTTP server where SSH was expected.
_NOT_SSH = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Silent(asyncio.Protocol):
    """Accepts TCP and says nothing: a device whose SSH daemon is wedged. With `speaks`,
    says that instead of an SSH banner and closes: another service on the port."""

    def __init__(self, transports: set[asyncio.BaseTransport], speaks: bytes = b"") -> None:
        self._transports = transports
        self._speaks = speaks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transports.add(transport)
        if self._speaks and isinstance(transport, asyncio.WriteTransport):
            transport.write(self._speaks)
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        pass


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _check(config: LabConfig) -> None:
    if not config.clock_speed > 0:
        raise LabError(f"the lab's clock speed must be above 0, not {config.clock_speed}")
    if config.devices < 1:
        raise LabError(f"a lab needs at least 1 device, not {config.devices}")
    if config.first < 0:
        raise LabError(f"device numbers start at 0 or more, not {config.first}")
    unknown_platforms = sorted(set(config.platforms) - set(PLATFORMS))
    if not config.platforms or unknown_platforms:
        raise LabError(
            f"unknown lab platforms {unknown_platforms or '(none given)'}; "
            f"known: {', '.join(PLATFORMS)}"
        )
    if config.port and not 1 <= config.port <= 65535 - config.devices + 1:
        raise LabError(f"ports {config.port}.. do not fit below 65536; pick a lower --port")
    names = config.hostnames()
    if len(set(names)) != len(names):
        raise LabError(f"name format {config.name_format!r} gives duplicate hostnames")
    strangers = sorted(set(config.telnet) - set(names))
    if strangers:
        raise LabError(f"telnet for unknown devices {strangers}; the lab has {names[0]}..")
    unknown = sorted(set(config.faults) - set(names))
    if unknown:
        raise LabError(f"faults for unknown devices {unknown}; the lab has {names[0]}..{names[-1]}")


def _runtime(config: LabConfig, index: int, name: str, started: datetime) -> Runtime:
    faults = config.faults_for(name)
    settings = Settings(
        index, name, config.secret, started, faults.reject, faults.big_config_mb, faults.flash_free
    )
    device = make_device(config.platform_of(index), settings)
    device.revert.speed = config.clock_speed
    runtime = Runtime(device, faults, config.username, config.password, frozenset(config.clients))
    if faults.cut_after_commit:
        device.revert.on_commit = functools.partial(
            runtime.cut, faults.cut_after_commit / config.clock_speed
        )
    return runtime
