"""The bastions' SSH connections in this process: ONE per bastion (per chain up to it),
shared by every session through it, and what this process knows of each.

A bastion's connection opens with its first session (one host connects, the others behind
it wait for that), serves at most `max_sessions` at once (the others wait for a free one)
and closes LINGER_S after its last.

Known down. A bastion that cannot be reached or does not set up SSH is tried once more,
RETRY_PAUSE_S later, by the host that found it so; one that refuses the login, shows
another host key or shares no algorithm is not (another try would say the same, and a
refused login may count against a lockout). Then it is known down for DOWN_FOR_S: every
host behind it fails at once with that error (naming the bastion and the cause), not
retried (the executor's --retries are for the device's own failures). A bastion that
stops answering on a working connection (no answer to a channel request, nor then to a
keepalive) is known down at once, and its connection is closed, which ends every session
through it. Each process knows this for itself: every worker process finds a bastion down
on its own (one try and one retry each).

Every wait on a bastion is bounded: the connection by conn_timeout and auth_timeout (each
try), a keepalive by conn_timeout, a free session by SLOT_WAIT_S past those; the waits for
another host's connection and for a free session also by the host's own deadline (its
Lease), which asks the bastions it holds a keepalive (runner.device.jump._cut).
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paramiko

from runner.base.errors import DeviceError, HostTimeoutError, JumpFailedError, Remedy
from runner.base.models import ConnectionOptions, JumpHost
from runner.device import hostkeys, sshalgs
from runner.device.lease import Lease

log = logging.getLogger(__name__)

LINGER_S = 10.0
DOWN_FOR_S = 30.0
RETRY_PAUSE_S = 1.0
SLOT_WAIT_S = 60.0
_SLICE = 0.2  # how often a wait looks at the host's deadline
_KEEPALIVE = "keepalive@openssh.com"  # OpenSSH's own; any server answers (a failure is an answer)


class _Probe:
    """One keepalive in flight to a bastion. paramiko's global_request waits without a
    bound (here on its own thread, which ends when the connection is closed), and two at
    once would take each other's answer: one at a time per bastion."""

    def __init__(self, transport: paramiko.Transport) -> None:
        self.done = threading.Event()
        self.answered = False
        threading.Thread(
            target=self._ask, args=(transport,), name="netjob-bastion-probe", daemon=True
        ).start()

    def _ask(self, transport: paramiko.Transport) -> None:
        with contextlib.suppress(Exception):
            transport.global_request(_KEEPALIVE, wait=True)
            self.answered = transport.is_active()  # it returns None on a closed connection
        self.done.set()


@dataclass(eq=False)
class Bastion:
    hop: JumpHost
    # Guards the fields below; never held across anything sent on the network.
    lock: threading.Lock = field(default_factory=threading.Lock)
    transport: paramiko.Transport | None = None
    users: int = 0
    down: DeviceError | None = None
    down_at: float = 0.0
    connecting: threading.Event | None = None  # set once the connection under way is made or not
    probe: _Probe | None = None
    closer: threading.Timer | None = None
    slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.hop.max_sessions)

    @property
    def name(self) -> str:
        return f"bastion {self.hop.label()}"

    def known_down(self) -> DeviceError | None:
        """The error for a host behind it while it is known down (with the lock held)."""
        if self.down is None or time.monotonic() - self.down_at >= DOWN_FOR_S:
            return None
        return _own_copy(self.down)

    def mark_down(self, cause: DeviceError) -> DeviceError:
        """Known down from now (with the lock held); the error its hosts get."""
        cause.args = (f"{cause} (known down: every host behind it fails at once)",)
        self.down, self.down_at = cause, time.monotonic()
        return _own_copy(cause)


def _own_copy(error: DeviceError) -> DeviceError:
    """A copy for one host (never retried): the executor and `naming` add to it.
    (Not copy.copy: once tblib's pickling support is installed it shares __dict__.)"""
    mine = type(error).__new__(type(error), *error.args)
    mine.__dict__.update(error.__dict__)
    mine.retryable = False
    return mine


_bastions: dict[tuple[str, ...], Bastion] = {}
_bastions_lock = threading.Lock()


def for_chain(chain: tuple[str, ...], hop: JumpHost) -> Bastion:
    """The bastion at the end of `chain` (labels, nearest first), made on first use."""
    with _bastions_lock:
        if chain not in _bastions:
            _bastions[chain] = Bastion(hop)
        return _bastions[chain]


def acquire(
    bastion: Bastion,
    before: paramiko.Transport | None,
    options: ConnectionOptions,
    lease: Lease | None,
) -> paramiko.Transport:
    """The bastion's transport, connected if it was not, with one session slot taken."""
    # Another host's connection (a try, the pause, a retry) is what this host waits for.
    bound = 2 * _connect_bound(options) + RETRY_PAUSE_S + 5
    deadline = time.monotonic() + bound
    while True:
        with bastion.lock:
            if bastion.closer is not None:
                bastion.closer.cancel()
                bastion.closer = None
            known = bastion.known_down()
            if known is not None:
                raise known
            if bastion.transport is not None and bastion.transport.is_active():
                bastion.users += 1
                transport = bastion.transport
                break
            pending = bastion.connecting
            if pending is None:
                bastion.connecting = threading.Event()
        if pending is None:
            transport = _connect_for_all(bastion, before, options)
            break
        if not _wait(pending.wait, deadline, lease, f"{bastion.name} to connect"):
            raise JumpFailedError(f"{bastion.name}: no connection to it within {bound:g}s")
    slot_bound = options.conn_timeout + options.auth_timeout + SLOT_WAIT_S
    try:
        got = _wait(
            lambda t: bastion.slots.acquire(timeout=t),
            time.monotonic() + slot_bound,
            lease,
            f"a free session on {bastion.name}",
        )
    except BaseException:
        release(bastion, slot=False)
        raise
    if not got:
        release(bastion, slot=False)
        raise JumpFailedError(
            f"no free session on {bastion.name} within {slot_bound:g}s (max_sessions "
            f"{bastion.hop.max_sessions} in use)",
            hint="raise the bastion's max_sessions",
            remedies=(Remedy.FEWER_WORKERS,),
        )
    return transport


def _connect_for_all(
    bastion: Bastion, before: paramiko.Transport | None, options: ConnectionOptions
) -> paramiko.Transport:
    """Connect on behalf of every host behind the bastion (they wait on `connecting`):
    the transport kept, or the bastion known down."""
    transport: paramiko.Transport | None = None
    error: DeviceError | None = None
    try:
        transport = _connect_retried(bastion.hop, before, options)
    except DeviceError as exc:
        error = exc
    finally:
        with bastion.lock:
            pending, bastion.connecting = bastion.connecting, None
            if transport is not None:
                bastion.transport, bastion.down = transport, None
                bastion.users += 1
            elif error is not None:
                error = bastion.mark_down(error)
        if pending is not None:
            pending.set()
    if error is not None:
        raise error
    assert transport is not None
    return transport


def _connect_retried(
    hop: JumpHost, before: paramiko.Transport | None, options: ConnectionOptions
) -> paramiko.Transport:
    try:
        return _connect(hop, before, options)
    except JumpFailedError as exc:
        if not exc.retryable:
            raise
        first = str(exc)
    time.sleep(RETRY_PAUSE_S)  # one host pauses, once: not a wave of per-host retries
    try:
        return _connect(hop, before, options)
    except JumpFailedError as exc:
        again = "the same" if str(exc) == first else str(exc)
        exc.args = (f"{first}; tried again {RETRY_PAUSE_S:g}s later: {again}",)
        raise


def _wait(wait: Callable[[float], bool], deadline: float, lease: Lease | None, what: str) -> bool:
    """`wait(seconds)` in slices until it is true or `deadline`: False then. The host's
    deadline (its lease) ends it sooner, as a host timeout."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if wait(min(left, _SLICE)):
            return True
        if lease is not None and lease.expired:
            raise HostTimeoutError(f"past the host's deadline while waiting for {what}")


def release(bastion: Bastion, slot: bool = True) -> None:
    """Give back a session's place; the connection closes LINGER_S after its last."""
    if slot:
        with contextlib.suppress(ValueError):
            bastion.slots.release()
    with bastion.lock:
        bastion.users -= 1
        if bastion.users == 0 and bastion.transport is not None:
            bastion.closer = threading.Timer(LINGER_S, _close_idle, (bastion,))
            bastion.closer.daemon = True
            bastion.closer.start()


def _close_idle(bastion: Bastion) -> None:
    with bastion.lock:
        if bastion.users or bastion.transport is None:
            return
        transport, bastion.transport = bastion.transport, None
    # Outside the lock: closing a bastion's connection that runs through another one sends
    # a message over that one, which may wait.
    transport.close()


def close_all() -> None:
    """Close every bastion connection now and forget what is known (tests)."""
    with _bastions_lock:
        every = list(_bastions.values())
        _bastions.clear()
    for one in every:
        with one.lock:
            if one.closer is not None:
                one.closer.cancel()
            transport, one.transport = one.transport, None
        if transport is not None:
            transport.close()


def fault(
    bastion: Bastion, transport: paramiko.Transport, options: ConnectionOptions, ask: bool
) -> DeviceError | None:
    """Why a session through `bastion` (on `transport`) broke or went silent, when it is
    the bastion's doing: known down, its connection ended, or (`ask`) it does not answer a
    keepalive within conn_timeout (then it is known down, and its connection closed)."""
    with bastion.lock:
        known = bastion.known_down()
    if known is not None:
        return known
    if not transport.is_active():
        return JumpFailedError(f"the connection to {bastion.name} ended")
    if not ask:
        return None
    with bastion.lock:
        probe = bastion.probe
        if probe is None or probe.done.is_set():  # an old answer says nothing of now
            probe = bastion.probe = _Probe(transport)
    bound = options.conn_timeout
    if _wait(probe.done.wait, time.monotonic() + bound, None, "a keepalive") and probe.answered:
        return None
    why = f"stopped answering (not even a keepalive within {bound:g}s)"
    return _stopped(bastion, transport, why)


def _stopped(bastion: Bastion, transport: paramiko.Transport, why: str) -> DeviceError:
    """The bastion known down and its connection closed: every session through it ends
    now (off this thread: closing a channel of a bastion before it may wait)."""
    with bastion.lock:
        if bastion.transport is transport:
            bastion.transport = None
        known = bastion.known_down()
        if known is None:
            error = JumpFailedError(f"{bastion.name} {why}")
            error.retryable = False
            known = bastion.mark_down(error)
    log.warning("%s", known)
    threading.Thread(target=transport.close, name="netjob-bastion-close", daemon=True).start()
    return known


def _connect_bound(options: ConnectionOptions) -> float:
    """The longest one try at a bastion takes: TCP, its banner and key exchange, the login."""
    return 2 * options.conn_timeout + options.auth_timeout


def _connect(
    hop: JumpHost, before: paramiko.Transport | None, options: ConnectionOptions
) -> paramiko.Transport:
    """Log in to one bastion: TCP (or a channel of the bastion before it), its own `ssh:`
    algorithms, the host key checked as the device's would be, then key, agent, password."""
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
        raise JumpFailedError(f"{name} cannot be reached: {said(exc)}") from exc
    transport = sshalgs.make_transport(sock, hop)
    transport.banner_timeout = options.conn_timeout
    transport.auth_timeout = options.auth_timeout
    # A send waits this long for a key exchange to finish (paramiko: 30 s) before failing.
    transport.clear_to_send_timeout = options.conn_timeout
    try:
        transport.start_client(timeout=options.conn_timeout)
        hostkeys.verify(options, hop.address, hop.port, transport.get_remote_server_key())
        _authenticate(transport, hop, name)
    except DeviceError as exc:
        transport.close()
        if not isinstance(exc, JumpFailedError):
            exc.args = (f"{name}: {exc}",)
        raise
    except paramiko.ssh_exception.IncompatiblePeer as exc:
        transport.close()
        raise _no_common(hop, name, str(exc), transport.offered) from exc
    except (OSError, EOFError, paramiko.SSHException) as exc:
        transport.close()
        raise JumpFailedError(f"{name} did not set up SSH: {said(exc)}") from exc
    log.debug("connected to %s", name)
    return transport


def _no_common(hop: JumpHost, name: str, message: str, offered: Any) -> JumpFailedError:
    what, key, names = sshalgs.no_common(message, offered)
    shown = ", ".join(names) or "(nothing readable)"
    error = JumpFailedError(
        f"{name}: no {what} algorithm in common with it: it offers only {shown}",
        hint=f"if that is an old bastion, allow them for it in its jump: entry: "
        f"{{address: {hop.address}, ssh: {{{key}: [{names[0] if names else '...'}]}}}}",
    )
    error.retryable = False
    return error


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
        error = JumpFailedError(
            f"{name} refused the login of {user} "
            f"(tried {', '.join(tried) or 'nothing: give the bastion a key_file or password'})"
        )
        error.retryable = False
        raise error


def said(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__)
