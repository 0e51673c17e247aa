"""Jump hosts: the route to a device (its `jump:` chain, or OpenSSH's ssh_config) and one
SSH connection per bastion, shared by every session through it.

A session through a bastion is a `direct-tcpip` channel over the bastion's paramiko
Transport, handed to netmiko as its socket; a chain opens each bastion's Transport over a
channel of the one before. A bastion's connection opens with its first session, serves at
most `max_sessions` at once (the others wait for a free one), and closes LINGER_S after
its last. A bastion that cannot be reached or refuses the login fails its hosts with
`jump_failed`, naming it; the hosts behind it that ask within FAILED_FOR_S get the same
answer at once, without trying again.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from runner.base.errors import DeviceError, InputError, JumpFailedError, UnreachableError
from runner.base.models import ConnectionOptions, Host, JumpHost
from runner.device import hostkeys
from runner.load import ssh_options

log = logging.getLogger(__name__)

LINGER_S = 10.0
FAILED_FOR_S = 30.0


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
        return paramiko.SSHConfig.from_path(path)
    except OSError as exc:
        raise InputError(f"cannot read the ssh_config {path}: {exc.strerror}") from None


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
        port=int(found["port"]) if host.port == 22 and "port" in found else host.port,
        username=host.username or found.get("user"),
        key_file=options.key_file or _first(found.get("identityfile")),
        jumps=jumps,
    )


def _hop(spec: str, config: paramiko.SSHConfig) -> JumpHost:
    try:
        user, alias, port = ssh_options.parse_spec(spec)
    except ValueError as exc:
        raise InputError(f"ssh_config ProxyJump: {exc}") from None
    found = config.lookup(alias)
    return JumpHost(
        address=found.get("hostname", alias),
        port=port or int(found.get("port", 22)),
        username=user or found.get("user"),
        key_file=_first(found.get("identityfile")),
    )


def _first(files: Any) -> str | None:
    """paramiko gives IdentityFile as a list (several may be given): the first."""
    if isinstance(files, list):
        return str(files[0]) if files else None
    return str(files) if files else None


@dataclass(eq=False)
class _Bastion:
    hop: JumpHost
    lock: threading.Lock = field(default_factory=threading.Lock)
    transport: paramiko.Transport | None = None
    users: int = 0
    failed: DeviceError | None = None
    failed_at: float = 0.0
    closer: threading.Timer | None = None
    slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.hop.max_sessions)


_bastions: dict[tuple[str, ...], _Bastion] = {}
_bastions_lock = threading.Lock()
Opened = tuple[paramiko.Channel, Callable[[], None]]


def open_channel(route: Route, options: ConnectionOptions) -> Opened:
    """A channel to the route's device through its bastions, and the function that gives
    back its place (call it once the session is closed)."""
    taken: list[_Bastion] = []

    def release() -> None:
        for bastion in taken:
            _release(bastion)

    try:
        transport: paramiko.Transport | None = None
        chain: tuple[str, ...] = ()
        for hop in route.jumps:
            chain = (*chain, hop.label())
            bastion = _bastion(chain, hop)
            transport = _acquire(bastion, transport, options)
            taken.append(bastion)
        assert transport is not None
        channel = _direct(transport, route, options)
    except BaseException:
        release()
        raise
    return channel, release


def _bastion(chain: tuple[str, ...], hop: JumpHost) -> _Bastion:
    with _bastions_lock:
        if chain not in _bastions:
            _bastions[chain] = _Bastion(hop)
        return _bastions[chain]


def _acquire(
    bastion: _Bastion, before: paramiko.Transport | None, options: ConnectionOptions
) -> paramiko.Transport:
    """The bastion's transport, connected if it was not, with one session slot taken."""
    with bastion.lock:
        if bastion.closer is not None:
            bastion.closer.cancel()
            bastion.closer = None
        if bastion.failed and time.monotonic() - bastion.failed_at < FAILED_FOR_S:
            raise bastion.failed
        if bastion.transport is None or not bastion.transport.is_active():
            try:
                bastion.transport = _connect(bastion.hop, before, options)
                bastion.failed = None
            except DeviceError as exc:
                bastion.failed, bastion.failed_at = exc, time.monotonic()
                raise
        bastion.users += 1
        transport = bastion.transport
    if not bastion.slots.acquire(timeout=options.conn_timeout + options.auth_timeout + 60):
        _release(bastion, slot=False)
        raise JumpFailedError(
            f"no free session on bastion {bastion.hop.label()} (max_sessions "
            f"{bastion.hop.max_sessions} in use)",
            hint="raise the bastion's max_sessions, or lower --workers",
        )
    return transport


def _release(bastion: _Bastion, slot: bool = True) -> None:
    if slot:
        with contextlib.suppress(ValueError):
            bastion.slots.release()
    with bastion.lock:
        bastion.users -= 1
        if bastion.users == 0 and bastion.transport is not None:
            bastion.closer = threading.Timer(LINGER_S, _close_idle, (bastion,))
            bastion.closer.daemon = True
            bastion.closer.start()


def _close_idle(bastion: _Bastion) -> None:
    with bastion.lock:
        if bastion.users == 0 and bastion.transport is not None:
            bastion.transport.close()
            bastion.transport = None


def close_all() -> None:
    """Close every bastion connection now (the end of a run, tests)."""
    with _bastions_lock:
        bastions = list(_bastions.values())
        _bastions.clear()
    for bastion in bastions:
        with bastion.lock:
            if bastion.closer is not None:
                bastion.closer.cancel()
            if bastion.transport is not None:
                bastion.transport.close()
                bastion.transport = None


def _connect(
    hop: JumpHost, before: paramiko.Transport | None, options: ConnectionOptions
) -> paramiko.Transport:
    """Log in to one bastion: TCP (or a channel of the bastion before it), the host key
    checked as the device's would be, then key, agent, password in that order."""
    name = f"bastion {hop.label()}"
    try:
        if before is None:
            sock: Any = socket.create_connection((hop.address, hop.port), options.conn_timeout)
        else:
            sock = before.open_channel(
                "direct-tcpip",
                (hop.address, hop.port),
                ("127.0.0.1", 0),
                int(options.conn_timeout) or 1,
            )
    except (OSError, paramiko.SSHException) as exc:
        raise JumpFailedError(f"{name} cannot be reached: {_said(exc)}") from exc
    transport = paramiko.Transport(sock)
    transport.banner_timeout = options.conn_timeout
    transport.auth_timeout = options.auth_timeout
    try:
        transport.start_client(timeout=options.conn_timeout)
        hostkeys.verify(options, hop.address, hop.port, transport.get_remote_server_key())
        _authenticate(transport, hop, name)
    except DeviceError as exc:
        transport.close()
        if isinstance(exc, JumpFailedError):
            raise
        exc.args = (f"{name}: {exc}",)
        raise
    except (OSError, EOFError, paramiko.SSHException) as exc:
        transport.close()
        raise JumpFailedError(f"{name} did not set up SSH: {_said(exc)}") from exc
    log.debug("connected to %s", name)
    return transport


def _authenticate(transport: paramiko.Transport, hop: JumpHost, name: str) -> None:
    from runner.device.sshkeys import load_key, passphrase

    user = hop.username or getpass.getuser()
    tried: list[str] = []
    if hop.key_file:
        key = load_key(hop.key_file, passphrase(hop.passphrase_env, name, os.environ))
        tried.append(f"key {hop.key_file}")
        with contextlib.suppress(paramiko.AuthenticationException):
            transport.auth_publickey(user, key)
    if not transport.is_authenticated() and hop.use_agent:
        for agent_key in paramiko.Agent().get_keys():
            tried.append("an agent key")
            with contextlib.suppress(paramiko.AuthenticationException):
                transport.auth_publickey(user, agent_key)
            if transport.is_authenticated():
                break
    if not transport.is_authenticated() and hop.password_env:
        tried.append(f"the password in ${hop.password_env}")
        with contextlib.suppress(paramiko.AuthenticationException):
            transport.auth_password(user, os.environ.get(hop.password_env, ""))
    if not transport.is_authenticated():
        raise JumpFailedError(
            f"{name} refused the login of {user} "
            f"(tried {', '.join(tried) or 'nothing: give the bastion a key_file or password'})"
        )


def _direct(transport: paramiko.Transport, route: Route, options: ConnectionOptions) -> Any:
    try:
        return transport.open_channel(
            "direct-tcpip",
            (route.address, route.port),
            ("127.0.0.1", 0),
            int(options.conn_timeout) or 1,
        )
    except paramiko.ChannelException as exc:
        raise UnreachableError(
            f"the bastion could not open a connection to {route.address}:{route.port}: "
            f"{exc.text or exc}",
            hint="check the device's address as the bastion sees it, and that the bastion "
            "may forward there (PermitOpen)",
        ) from exc
    except (OSError, EOFError, paramiko.SSHException) as exc:
        raise JumpFailedError(f"the bastion's connection broke: {_said(exc)}") from exc


def _said(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__)
