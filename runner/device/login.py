"""Opening a session: the TCP connection (or a bastion's channel), netmiko's login in two
bounded parts, enable mode, and what netmiko gets to connect (the parameters). A
DeviceError raised on the way leaves closed sockets and free bastion slots behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import paramiko
from netmiko import ConnectHandler

from runner.base import platform_names, platforms
from runner.base.errors import (
    AuthenticationError,
    DeviceError,
    FailureClass,
    HostTimeoutError,
    JumpFailedError,
)
from runner.base.logs import tag_sock
from runner.base.models import Credentials, Host
from runner.base.watchdog import Watchdog
from runner.device import enable, jump, setup, transfer, transports
from runner.device.dial import Sock, close_sock, dial
from runner.device.exception_map import map_exception, mapped
from runner.device.lease import Lease
from runner.device.netmiko_patches import (
    ClosedAtLogin,
    NoPrompt,
    Paged,
    Unanswered,
    _detach,
    _netmiko_lacks,
    _quick_mode_check,
    _verify_echo,
    _wait_for_data,
)
from runner.device.session import Session, nothing


def open_session(host: Host, credentials: Credentials, lease: Lease) -> Session:
    """Connect, log in, and enter enable mode where the host has a secret."""
    if host.connection.transport == "telnet":
        session = _telnet_open(host, credentials, lease)
    else:
        session = _ssh_open(host, credentials, lease)
    if credentials.secret:
        _enable(session)
    return session


def _ssh_open(host: Host, credentials: Credentials, lease: Lease) -> Session:
    route = jump.route(host)
    release: Callable[[], None] = nothing
    through: jump.Through | None = None
    if route.jumps:
        sock: Sock
        with mapped(connecting=True, host=host):
            through = jump.open_channel(route, host.connection, lease)
        sock, release = through.channel, through.release
    else:
        sock = dial(dataclasses.replace(host, address=route.address, port=route.port), lease)
    tag_sock(sock, host.name)  # paramiko's transport thread's -vv lines name the host
    try:
        info = platforms.lookup(host.platform)
        params = _netmiko_params(host, credentials, sock, info)
        params.update(_route_params(route, credentials))
        driver = ConnectHandler(**params)
        _, note = transports.install_client(driver, host, route.address, route.port)
        _wait_for_data(driver)
        _verify_echo(driver)
        lease.on_abort(lambda: _detach(driver))
        options = host.connection
        # A platform outside the table logs in with netmiko's own sleeps and reads,
        # each bounded by its read timeout: give it that on top.
        bound = options.auth_timeout + (0 if info.known else options.read_timeout)
        with lease.login_slot():
            _login(driver, sock, info, bound)
    except Exception as exc:
        close_sock(sock)
        release()
        error = jump.blamed(map_exception(exc, connecting=True, host=host), through)
        # The TCP connection worked, so the device is there: worth another try later
        # (a bastion's failure says itself whether another try may help).
        if not isinstance(error, JumpFailedError):
            error.retryable = not isinstance(error, AuthenticationError | HostTimeoutError)
            error.retryable &= error.failure not in _NEVER_RETRIED
        raise error from exc
    if info.config_prompt_end:
        _quick_mode_check(driver, info.config_prompt_end)
    session = Session(driver, info)
    session.release, session.through = release, through
    session.scp_socket = functools.partial(_scp_socket, driver, host, lease)
    if note is not None:  # a host that could not have libssh2 as asked: its log says why
        session.notes.append(note)
    return session


def _telnet_open(host: Host, credentials: Credentials, lease: Lease) -> Session:
    """netmiko's `<platform>_telnet` driver: no SSH, so no keys, bastions or host
    keys; the report says the session was unencrypted."""
    info = platforms.lookup(host.platform)
    params = _telnet_params(host, credentials, info)
    with mapped(connecting=True, host=host), lease.login_slot():
        driver = ConnectHandler(**params)
    lease.on_abort(lambda: _detach(driver))
    session = Session(driver, info)
    session.notes.append("unencrypted: telnet sent the password and every command in clear text")
    return session


def _enable(session: Session) -> None:
    info, driver = session.info, session.driver
    if not info.enable or (not info.known and _netmiko_lacks(driver, "enable")):
        session.notes.append(f"enable secret ignored: {info.title} has no enable mode")
        return
    try:
        if str(getattr(driver, "_netjob_prompt", "")).endswith("#"):
            # The prompt after the set-up (runner.device.setup) says the session is
            # privileged already, as netmiko's check_enable_mode would have: no `enable`.
            pass
        elif info.enable_fast:
            enable.enable(driver, functools.partial(_enable_known_prompt, driver))
        else:
            enable.enable(driver, functools.partial(_enable_generic, driver))
        session.enabled = True
    except DeviceError:
        session.close()
        raise
    except Exception as exc:
        error = session.mapped(exc, connecting=True, during="enable")
        session.close()
        raise error from exc


def _enable_generic(driver: Any) -> bool:
    driver.enable()
    return bool(driver.check_enable_mode())


def _enable_known_prompt(driver: Any) -> bool:
    """netmiko's enable() asks "am I enabled?" before and after (a round trip each);
    the prompt that ends the exchange already says it: `#` enabled, `>` refused."""
    output = str(driver.enable(check_state=False, enable_pattern=r"[>#]\s*$"))
    return output.rstrip().endswith("#")


def _close_quietly(sock: Sock) -> None:
    with contextlib.suppress(Exception):  # a session already broken: nothing to report
        close_sock(sock)


# One thread bounds every login's set-up in this process: a threading.Timer per login was a
# thread started and torn down per host (issue 16).
_LOGIN_BOUNDS = Watchdog()


def _login(driver: Any, sock: Sock, info: platforms.PlatformInfo, bound: float) -> None:
    """netmiko's own `_open()`, in two bounded parts: the authentication (paramiko bounds
    it by auth_timeout), then the shell's first prompt and the session set-up, which get
    `bound` seconds in all; past it the socket is cut and the login fails `login_timeout`
    (netmiko would wait its read timeout for each set-up command in turn).

    On a platform the table knows, netmiko's fixed 100 ms sleep before the set-up is left
    out: the RETURN it sends is still sent, and every step after it waits for a pattern."""
    driver._modify_connection_params()
    driver.establish_connection()
    _quiet_transport(driver, sock)
    cut = threading.Event()

    def cut_login() -> None:  # on the process's one watchdog thread: never block it
        cut.set()
        with contextlib.suppress(Exception):
            _detach(driver)
        if isinstance(sock, paramiko.Channel):
            # Closing a channel through a bastion sends a message over the bastion's
            # session, which may wait out a key exchange: not on the watchdog's thread.
            threading.Thread(target=_close_quietly, args=(sock,), daemon=True).start()
        else:
            close_sock(sock)

    token = _LOGIN_BOUNDS.watch(time.monotonic() + bound, cut_login)
    try:
        if not info.known:  # netmiko's own delays and buffer clearing: no assumption made
            driver._try_session_preparation()
            return
        if info.setup:
            driver._netjob_prompt = setup.set_up(driver, info.setup, bound)
        else:
            driver.write_channel(driver.RETURN)
            driver.session_preparation()
        if driver.global_cmd_verify is False:
            # The driver does not read each command's echo (Comware: no terminal width),
            # so what login left unread would open the first command's output: drain it.
            driver.read_channel_timing(last_read=0.2, read_timeout=5)
    except Exception as exc:
        with contextlib.suppress(Exception):
            driver.disconnect()
        seen = str(getattr(driver, "_netjob_seen", ""))
        if cut.is_set():
            raise NoPrompt(bound, seen) from exc
        if _closed_by_device(exc):
            raise ClosedAtLogin(seen) from exc
        raise
    finally:
        _LOGIN_BOUNDS.cancel(token)


# paramiko's transport thread reads its socket with a 0.1 s timeout
# (Transport._active_check_timeout) to notice, between reads, that its session was closed:
# ten wake-ups a second per session that waits for a device. At 2 s per command, 100
# sessions in flight, they were a sixth of netjob's CPU per device over paramiko (17.3 ->
# 14.7 ms). Once logged in, it reads with this timeout instead. The handshake and the
# authentication keep paramiko's 0.1 s (its timeouts are checked then).
IDLE_TICK_S = 1.0


def _quiet_transport(driver: Any, sock: Sock) -> None:
    """IDLE_TICK_S for paramiko's transport thread (libssh2's client has no such thread),
    and a close that wakes it. paramiko's close() closes the socket, which does not wake a
    thread waiting in recv() on it: the thread, and the TCP connection with the device's
    session, stayed until its next timeout, unless the device hung up first (most do when
    the channel closes). Shut down after netmiko's `exit`, the device hears the end at once;
    the watchdog's cut always shut it down (runner.device.dial.close_sock)."""
    if not isinstance(getattr(driver, "remote_conn_pre", None), paramiko.SSHClient):
        return
    with contextlib.suppress(OSError):  # a device that hung up already: the close says so
        sock.settimeout(IDLE_TICK_S)
    cleanup = driver.paramiko_cleanup

    def woken_cleanup() -> None:
        channel = driver.remote_conn
        try:
            if channel is not None:
                # First, while the socket still sends: the channel's close message. Shut
                # down before it, paramiko's send failed (EOFError), netmiko's disconnect()
                # swallowed that, and the client itself was never closed.
                channel.close()
        finally:
            if isinstance(sock, socket.socket):  # a bastion's channel: its close wakes it
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        cleanup()  # netmiko's: the channel (closed already), then paramiko's client

    driver.paramiko_cleanup = woken_cleanup


def _closed_by_device(exc: BaseException) -> bool:
    """After the login and the shell's opening, the session broke: the device closed it
    (paramiko's "Socket is closed" when netmiko writes its next set-up command, an EOF,
    netjob's SessionClosed), not a connection that could not be made."""
    if isinstance(exc, TimeoutError | Paged | Unanswered):
        return False
    return isinstance(exc, OSError | EOFError | paramiko.SSHException)


def _scp_socket(driver: Any, host: Host, lease: Lease) -> AbstractContextManager[object]:
    """A new connection to the device for netmiko's SCP session, the way the session's own
    was made (through the same bastions); the watchdog cuts it too."""
    route = jump.route(host)
    release: Callable[[], None] = nothing
    if route.jumps:
        sock: Sock
        through = jump.open_channel(route, host.connection, lease)
        sock, release = through.channel, through.release
    else:
        sock = dial(dataclasses.replace(host, address=route.address, port=route.port), lease)
    return transfer.swapped_socket(driver, sock, release)


# Failures that another attempt would only repeat (and, for a key, never send anything).
_NEVER_RETRIED = {
    FailureClass.HOST_KEY_CHANGED,
    FailureClass.HOST_KEY_UNKNOWN,
    FailureClass.NO_COMMON_ALGORITHMS,
}


def _route_params(route: jump.Route, credentials: Credentials) -> dict[str, Any]:
    """Where (after ssh_config) and as whom. Key, then agent, then password: paramiko's
    own order, given what the host has. (The key was read once already, before anything
    connected: runner.device.sshkeys.)"""
    from runner.device.sshkeys import load_key

    params: dict[str, Any] = {
        "host": route.address,
        "port": route.port,
        "username": route.username or credentials.username or "",
    }
    if route.key_file:
        params["pkey"] = load_key(route.key_file, credentials.passphrase)
    return params


def _telnet_params(
    host: Host, credentials: Credentials, info: platforms.PlatformInfo
) -> dict[str, Any]:
    # Loading refused a platform without a telnet driver; netmiko names one built otherwise.
    device_type = platform_names.telnet_type(host.platform) or f"{host.platform}_telnet"
    return {
        **_login_params(host, credentials, info),
        "device_type": device_type,
        "port": 23 if host.port == 22 else host.port,  # 22 is only the inventory's default
    }


def _login_params(
    host: Host, credentials: Credentials, info: platforms.PlatformInfo
) -> dict[str, Any]:
    """What netmiko gets over SSH and telnet alike: who logs in, and the time bounds."""
    options = host.connection
    return {
        "host": host.address,
        "username": credentials.username or "",
        "password": credentials.password or "",
        "secret": credentials.secret or "",
        "conn_timeout": options.conn_timeout,
        "auth_timeout": options.auth_timeout,
        "fast_cli": options.fast_cli,
        "global_delay_factor": info.delay_factor,
    }


def _netmiko_params(
    host: Host, credentials: Credentials, sock: Sock, info: platforms.PlatformInfo
) -> dict[str, Any]:
    options = host.connection
    return {
        **_login_params(host, credentials, info),
        "sock": sock,
        "device_type": host.platform,
        "port": host.port,
        "banner_timeout": options.conn_timeout,
        # The agent only when asked (use_agent), and never ~/.ssh's keys: tried before the
        # password, they are slow and surprising against thousands of devices (and may
        # lock accounts).
        "allow_agent": options.use_agent,
        "use_keys": False,
        "auto_connect": False,
    }
