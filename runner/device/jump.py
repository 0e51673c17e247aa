"""Jump hosts: the route to a device (its `jump:` chain, or OpenSSH's ssh_config) and one
SSH connection per bastion, shared by every session through it.

A session through a bastion is a `direct-tcpip` channel over the bastion's paramiko
Transport, handed to netmiko as its socket; a chain opens each bastion's Transport over a
channel of the one before. The connections, and what is known of each bastion (up, or
known down so that its hosts fail at once), are runner.device.bastions'. A session broken
or gone silent asks its Through whom to blame: a bastion known down, whose connection
ended or that no longer answers, before the device.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from runner.base import user_files
from runner.base.errors import (
    CommandTimeoutError,
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    InputError,
    JumpFailedError,
    LoginTimeoutError,
    NoCommonAlgorithmsError,
    UnreachableError,
)
from runner.base.models import ConnectionOptions, Host, JumpHost
from runner.device import bastions
from runner.device.lease import Lease
from runner.load import ssh_options


@dataclass(frozen=True)
class Route:
    """Where and how to log in to a host, after ssh_config: the address as the last
    bastion (or this machine) sees it, and the bastions in between, nearest first."""

    address: str
    port: int
    username: str | None
    key_file: str | None
    jumps: tuple[JumpHost, ...] = ()


@functools.lru_cache(maxsize=8)
def _ssh_config(path: str, _stamp: float) -> paramiko.SSHConfig:
    try:
        return paramiko.SSHConfig.from_text(user_files.read_text(Path(path), 1 << 20))
    except user_files.FileRefused as exc:
        raise InputError(f"the ssh_config {path}: {exc}") from None
    except Exception as exc:  # paramiko's parser: a line it cannot read
        raise InputError(f"the ssh_config {path}: cannot read it: {exc}") from None


def read_ssh_config(path: str) -> paramiko.SSHConfig:
    """Parsed once per process (per change of the file)."""
    full = Path(path).expanduser()
    try:
        stamp = full.stat().st_mtime
    except OSError as exc:
        raise InputError(f"cannot read the ssh_config {full}: {exc.strerror}") from None
    return _ssh_config(str(full), stamp)


def route(host: Host) -> Route:
    """The inventory's values win; ssh_config fills what it leaves unset (Hostname, Port
    when the inventory's is the default 22, User, IdentityFile, ProxyJump)."""
    options = host.connection
    if not options.ssh_config:
        return Route(host.address, host.port, host.username, options.key_file, options.jump)
    config = read_ssh_config(options.ssh_config)
    found = config.lookup(host.address)
    jumps = options.jump
    if not jumps and found.get("proxyjump", "none").lower() != "none":
        jumps = tuple(_hop(spec, config) for spec in found["proxyjump"].split(","))
    return Route(
        address=found.get("hostname", host.address),
        port=_port(found, options.ssh_config, host.address) if host.port == 22 else host.port,
        username=host.username or found.get("user"),
        key_file=options.key_file or _first(found.get("identityfile")),
        jumps=jumps,
    )


def _hop(spec: str, config: paramiko.SSHConfig) -> JumpHost:
    try:
        user, alias, port = ssh_options.parse_spec(spec)
    except InputError as exc:
        raise InputError(f"ssh_config ProxyJump: {exc}") from None
    found = config.lookup(alias)
    return JumpHost(
        address=found.get("hostname", alias),
        port=port or _port(found, "ssh_config", alias),
        username=user or found.get("user"),
        key_file=_first(found.get("identityfile")),
    )


def _port(found: Any, path: str, alias: str) -> int:
    """ssh_config's Port for `alias` (22 when it gives none); a word there is bad input."""
    text = str(found.get("port", 22))
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InputError(f"{path}: Port {text!r} for host {alias} is not a port number (1-65535)")
    return int(text)


def _first(files: Any) -> str | None:
    """paramiko gives IdentityFile as a list (several may be given): the first."""
    if isinstance(files, list):
        return str(files[0]) if files else None
    return str(files) if files else None


@dataclass(frozen=True)
class Through:
    """A session's way through its bastions: the channel netmiko gets as its socket, and
    what the session asks of the bastions later."""

    channel: paramiko.Channel
    options: ConnectionOptions
    taken: tuple[tuple[bastions.Bastion, paramiko.Transport], ...]  # nearest first
    _released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        """Give back the session's places on its bastions (once the session is closed)."""
        if self._released.is_set():
            return
        self._released.set()
        for bastion, _ in self.taken:
            bastions.release(bastion)

    def blame(self, ask: bool) -> DeviceError | None:
        """The nearest bastion at fault when the session broke (`ask`: or went silent):
        known down, its connection ended, or it no longer answers; None: not theirs."""
        return _blame(self.taken, self.options, ask)


def open_channel(route: Route, options: ConnectionOptions, lease: Lease | None = None) -> Through:
    """A channel to the route's device through its bastions. The host's deadline (`lease`)
    ends every wait on a bastion, here and in the session after: see _cut."""
    taken: list[tuple[bastions.Bastion, paramiko.Transport]] = []
    opened: list[paramiko.Channel] = []
    if lease is not None:
        lease.on_abort(lambda: _cut(taken, opened, options))
    try:
        transport: paramiko.Transport | None = None
        chain: tuple[str, ...] = ()
        for hop in route.jumps:
            chain = (*chain, hop.label())
            bastion = bastions.for_chain(chain, hop)
            transport = bastions.acquire(bastion, transport, options, lease)
            taken.append((bastion, transport))
        assert transport is not None
        opened.append(_direct(transport, route, options, taken))
    except BaseException:
        for bastion, _ in taken:
            bastions.release(bastion)
        raise
    return Through(opened[0], options, tuple(taken))


def _cut(
    taken: Sequence[tuple[bastions.Bastion, paramiko.Transport]],
    opened: Sequence[paramiko.Channel],
    options: ConnectionOptions,
) -> None:
    """The host's deadline passed: ask the bastions taken so far whether they still answer
    (one that does not is closed, which frees every thread blocked on its connection, even
    in a write), then close the channel. On a thread of its own: the watchdog's (which
    calls this) must never wait on a bastion."""

    def cut_now() -> None:
        with contextlib.suppress(Exception):
            _blame(list(taken), options, ask=True)
        for channel in list(opened):
            with contextlib.suppress(Exception):
                channel.close()

    threading.Thread(target=cut_now, name="netjob-bastion-cut", daemon=True).start()


def _direct(
    transport: paramiko.Transport,
    route: Route,
    options: ConnectionOptions,
    taken: list[tuple[bastions.Bastion, paramiko.Transport]],
) -> paramiko.Channel:
    """The last bastion's channel to the device. No answer to the request: the bastion is
    asked a keepalive, which tells a silent device (the bastion still waits for its TCP
    connection) from a bastion that stopped answering (known down)."""
    where = f"{route.address}:{route.port}"
    try:
        return transport.open_channel(
            "direct-tcpip",
            (route.address, route.port),
            ("127.0.0.1", 0),
            int(options.conn_timeout) or 1,
        )
    except paramiko.ChannelException as exc:
        raise UnreachableError(
            f"the bastion could not open a connection to {where}: {exc.text or exc}",
            hint="check the device's address as the bastion sees it, and that the bastion "
            "may forward there (PermitOpen)",
        ) from exc
    except (OSError, EOFError, paramiko.SSHException) as exc:
        blamed = _blame(taken, options, ask=True)
        if blamed is not None:
            raise blamed from exc
        error = ConnectTimeoutError(
            f"the bastion opened no connection to {where} within {options.conn_timeout:g}s "
            "(the bastion still answers: the device is silent)"
        )
        error.retryable = True
        raise error from exc


# What a session through bastions may suffer by their doing.
# What a bastion's death or silence looks like from the session through it. A key exchange
# cut short reads as no algorithm in common (the device "closed" mid-exchange): through a
# bastion that is down or silent, it is the bastion's (seen with 450 hosts behind a
# SIGSTOPped sshd); through a healthy one, blame() says so and the error stands.
_CUT = (
    ConnectionLostError,
    CommandTimeoutError,
    ConnectTimeoutError,
    LoginTimeoutError,
    NoCommonAlgorithmsError,
)


def blamed(error: DeviceError, through: Through | None, during: str = "") -> DeviceError:
    """`error` of a session, or the bastion's when the fault is theirs: a session lost
    through a bastion known down or whose connection ended; a silent one, also through a
    bastion that no longer answers a keepalive."""
    if through is None or not isinstance(error, _CUT):
        return error
    fault = through.blame(ask=not isinstance(error, ConnectionLostError))
    if fault is None:
        return error
    where = f" during {during}" if during else ""
    cut = JumpFailedError(
        f"{fault}; it cut the session to the device{where} ({error.failure.value}: {error})",
        sent=error.sent,
        output=error.output,
        host=error.host,
        task=error.task,
    )
    cut.retryable = fault.retryable
    return cut


def _blame(
    taken: Sequence[tuple[bastions.Bastion, paramiko.Transport]],
    options: ConnectionOptions,
    ask: bool,
) -> DeviceError | None:
    for bastion, transport in taken:
        found = bastions.fault(bastion, transport, options, ask)
        if found is not None:
            return found
    return None


def close_all() -> None:
    """Close every bastion connection now (the end of a run, tests)."""
    bastions.close_all()
