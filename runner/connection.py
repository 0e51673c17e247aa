"""The seam over netmiko: the only module that imports it, and the one place where
foreign exceptions (netmiko, paramiko, sockets) become netjob's DeviceErrors.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoBaseException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)

from runner.errors import (
    AuthenticationError,
    CommandRejectedError,
    CommandTimeoutError,
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    HostTimeoutError,
    SessionLimitError,
    UnreachableError,
)
from runner.models import Credentials, Host

# What devices print when they refuse a command (IOS, NX-OS, EOS; Junos' forms too).
REJECTED = re.compile(
    r"^\s*(% ?(Invalid input|Incomplete command|Ambiguous command|Unknown command|"
    r"Unrecognized command|Invalid command|Error:).*|syntax error.*|unknown command.*)$",
    re.MULTILINE | re.IGNORECASE,
)
SESSION_LIMIT = re.compile(r"session limit|too many (sessions|connections)|all vty", re.I)


class Lease:
    """A host's hold on its session, so another thread (the watchdog) can cut it at any
    moment: while connecting, logging in or waiting for a prompt."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cutters: list[Callable[[], None]] = []
        self.expired = False

    def on_abort(self, cut: Callable[[], None]) -> None:
        """Register how to cut this session; runs at once if the deadline already passed."""
        with self._lock:
            self._cutters.append(cut)
            if not self.expired:
                return
        cut()
        raise HostTimeoutError("past the host's deadline before it logged in")

    def abort(self) -> None:
        with self._lock:
            self.expired = True
            cutters = list(self._cutters)
        for cut in cutters:
            with contextlib.suppress(Exception):
                cut()


def _close(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv() on this socket; close() alone may not.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


def _detach(driver: Any) -> None:
    """Make netmiko's read loop fail at its next poll instead of sitting out its timeout:
    paramiko never reports a closed channel as readable, so netmiko would not notice."""
    channel = getattr(driver, "channel", None)
    if channel is not None:
        channel.remote_conn = None


def dial(host: Host, lease: Lease) -> socket.socket:
    """The TCP connection, made here so that its failures are precise and the lease can cut
    it. A dead host fails within conn_timeout and is not retried."""
    timeout = host.connection.conn_timeout
    where = f"{host.address}:{host.port}"
    try:
        sock = socket.create_connection((host.address, host.port), timeout=timeout)
    except ConnectionRefusedError as exc:
        raise UnreachableError(f"connection refused by {where}: nothing listens there") from exc
    except socket.gaierror as exc:
        raise UnreachableError(
            f"the address {host.address!r} does not resolve (DNS)",
            hint="check the host's address in the inventory",
        ) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(f"no answer from {where} within {timeout:g}s") from exc
    except OSError as exc:
        raise UnreachableError(f"cannot reach {where}: {exc.strerror}") from exc
    # Interactive traffic: without TCP_NODELAY, Nagle's algorithm and delayed ACKs stall
    # each small write for ~40 ms (OpenSSH sets it too). On loopback this alone took a
    # login from ~85 ms to ~4 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    lease.on_abort(lambda: _close(sock))
    return sock


class Connection(Protocol):
    """One open session to one host. Implementations: NetmikoConnection, tests' fakes."""

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str: ...

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str: ...

    def save(self) -> str: ...

    def close(self) -> None: ...


Connector = Callable[[Host, Credentials, Lease], Connection]


class NetmikoConnection:
    """netmiko behind the Connection protocol. Construct with `open()`; it connects."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self._settled = True  # False while a config step may have left config mode open
        self._enabled = False  # True once enable() succeeded

    @classmethod
    def open(cls, host: Host, credentials: Credentials, lease: Lease) -> NetmikoConnection:
        sock = dial(host, lease)
        try:
            driver = ConnectHandler(**_netmiko_params(host, credentials, sock))
            _wait_for_data(driver)
            lease.on_abort(lambda: _detach(driver))
            _login(driver)
        except Exception as exc:
            _close(sock)
            error = map_exception(exc, connecting=True)
            # The TCP connection worked, so the device is there: worth another try later.
            error.retryable = not isinstance(error, AuthenticationError | HostTimeoutError)
            raise error from exc
        connection = cls(driver)
        if credentials.secret:
            connection._enable()
        return connection

    def _enable(self) -> None:
        try:
            if str(getattr(self._driver, "device_type", "")).startswith(("cisco", "arista")):
                self._enable_known_prompt()
            else:
                self._driver.enable()
            self._enabled = True
        except ValueError as exc:  # netmiko's way of saying the prompt never showed '#'
            self.close()
            raise AuthenticationError(
                "enable failed: the device did not accept the enable secret",
                hint="check the secret (or secret_env) for this host",
            ) from exc
        except Exception as exc:
            self.close()
            raise self._mapped(exc, connecting=True) from exc

    def _enable_known_prompt(self) -> None:
        """netmiko's enable() asks "am I enabled?" before and after (a round trip each);
        the prompt that ends the exchange already says it: `#` enabled, `>` refused."""
        output = str(self._driver.enable(check_state=False, enable_pattern=r"[>#]\s*$"))
        if not output.rstrip().endswith("#"):
            raise ValueError("the prompt after enable does not end in #")

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str:
        try:
            output: str = self._driver.send_command(
                command,
                read_timeout=read_timeout,
                expect_string=expect_string or self._prompt_pattern(),
            )
        except Exception as exc:
            raise self._mapped(exc, during=f"'{command}'") from exc
        rejected = REJECTED.search(output)
        if rejected:
            raise CommandRejectedError(
                f"the device rejected '{command}': {rejected.group(0).strip()}",
                hint=self._unprivileged_hint(),
            )
        return output

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str:
        # Junos edits a candidate: only `commit` applies it (and saves it), so the session
        # stays in configuration mode for the commit and leaves afterwards.
        commits = self._commits()
        self._settled = False  # until config mode is left for sure
        try:
            output: str = self._driver.send_config_set(
                list(lines),
                read_timeout=read_timeout,
                error_pattern=REJECTED.pattern,
                exit_config_mode=not commits,
            )
            if commits:
                output += self._driver.commit(and_quit=True)
            self._settled = True
            # A config step may have renamed the device: learn the prompt again.
            self._driver.set_base_prompt()
        except ConfigInvalidException as exc:
            raise CommandRejectedError(_rejected_config(str(exc))) from exc
        except ValueError as exc:  # netmiko: "Failed to enter configuration mode"
            raise CommandRejectedError(
                f"the device refused config mode: {_first_line(str(exc))}",
                hint=self._unprivileged_hint() or "check the user's privilege on the device",
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="config mode") from exc
        return output

    def _commits(self) -> bool:
        return str(getattr(self._driver, "device_type", "")).startswith("juniper")

    def save(self) -> str:
        if self._commits():
            return "(saved by commit)"  # netmiko has no save_config on Junos: commit saves
        try:
            return str(self._driver.save_config())
        except Exception as exc:
            raise self._mapped(exc, during="saving the config") from exc

    def _prompt_pattern(self) -> str:
        """The prompt netmiko learnt at login (refreshed after config steps), as the last line
        of the output. Finding it again before every command, as netmiko does by default,
        costs a round trip and two sleeps; the bare base prompt would match `hostname r1`
        inside a running config and cut the output short."""
        base = re.escape(str(self._driver.base_prompt))
        return rf"(?:^|[\r\n]){base}[>#]\s*$"

    def close(self) -> None:
        driver = self._driver
        if self._settled:
            # netmiko's cleanup() asks "still in config mode?" (a round trip) before its
            # `exit`; we know we are not, so only the `exit` is sent.
            driver.cleanup = lambda command="exit": driver.write_channel(command + driver.RETURN)
        # Closing a broken session must never fail a host.
        with contextlib.suppress(Exception):
            driver.disconnect()

    def _unprivileged_hint(self) -> str | None:
        """After a refusal, one question (a round trip, on the failure path only): is the
        session unprivileged? Then the command was fine and the enable secret is missing."""
        if self._enabled:
            return None
        try:
            privileged = bool(self._driver.check_enable_mode())
        except Exception:
            return None
        if privileged:
            return None
        return (
            "the session is not in enable mode: give this host an enable secret "
            "(secret_env in the inventory; ansible_become_password; Nornir extras.secret)"
        )

    def _mapped(self, exc: Exception, connecting: bool = False, during: str = "") -> DeviceError:
        """A timeout on a session the device already closed is a lost connection."""
        error = map_exception(exc, connecting=connecting)
        if isinstance(error, CommandTimeoutError | ConnectionLostError) and not self._alive():
            where = f" during {during}" if during else ""
            return ConnectionLostError(f"the device closed the session{where}")
        return error

    def _alive(self) -> bool:
        try:
            transport = self._driver.remote_conn.get_transport()
            return bool(transport and transport.is_active() and not self._driver.remote_conn.closed)
        except Exception:
            return False


WAIT_FOR_DATA_S = 0.1


def _wait_for_data(driver: Any) -> None:
    """While netmiko waits for a pattern it polls: read the channel, sleep 10 ms, again.
    With hundreds of sessions waiting on slow devices those wakeups cost more CPU than the
    SSH work, and every answer also waits out the rest of a sleep. Here, when nothing is
    there to read, the thread sleeps until paramiko's transport hands the channel data
    (or 100 ms passed, so netmiko still checks its timeouts and a cut session), then
    netmiko reads and matches exactly as before.

    The wait is paramiko's own: a zero-byte read of the channel's buffer blocks until
    data is there and consumes nothing. (Not channel.fileno() and poll(): paramiko then
    keeps writing to a pipe it already closed, whose number another session may reuse.)
    """
    read_channel = driver.read_channel
    read_until_pattern = driver.read_until_pattern
    # Only inside read_until_pattern: clear_buffer's and read_channel_timing's reads mean
    # "whatever is there now" and must not wait.
    waiting = threading.local()

    def read_or_wait() -> str:
        channel = driver.remote_conn
        if getattr(waiting, "on", False) and channel is not None and not driver._read_buffer:
            with contextlib.suppress(Exception):  # a timeout, or a closed channel: read
                channel.in_buffer.read(0, WAIT_FOR_DATA_S)
        return str(read_channel())

    def until_pattern(*args: Any, **kwargs: Any) -> str:
        waiting.on = True
        try:
            return str(read_until_pattern(*args, **kwargs))
        finally:
            waiting.on = False

    driver.read_channel = read_or_wait
    driver.read_until_pattern = until_pattern


def _login(driver: Any) -> None:
    """netmiko's own `_open()`, less its fixed 100 ms sleep before session preparation:
    the RETURN it sends is still sent, and every step after it waits for a pattern."""
    driver._modify_connection_params()
    driver.establish_connection()
    try:
        driver.write_channel(driver.RETURN)
        driver.session_preparation()
    except Exception:
        driver.disconnect()
        raise


def _netmiko_params(host: Host, credentials: Credentials, sock: socket.socket) -> dict[str, Any]:
    options = host.connection
    return {
        "sock": sock,
        "device_type": host.platform,
        "host": host.address,
        "port": host.port,
        "username": credentials.username or "",
        "password": credentials.password or "",
        "secret": credentials.secret or "",
        "conn_timeout": options.conn_timeout,
        "auth_timeout": options.auth_timeout,
        "banner_timeout": options.conn_timeout,
        "fast_cli": options.fast_cli,
        "global_delay_factor": 0.02,
        # Agent and ~/.ssh keys would be tried before the password: slow and surprising
        # against thousands of devices (and they may lock accounts).
        "allow_agent": False,
        "use_keys": False,
        "auto_connect": False,
    }


def _rejected_config(message: str) -> str:
    command = re.search(r"at command: (.*)", message)
    device = REJECTED.search(message)
    said = device.group(0).strip() if device else "an error"
    what = f"'{command.group(1).strip()}'" if command else "a config line"
    return f"the device rejected {what}: {said}"


def map_exception(exc: BaseException, connecting: bool = False) -> DeviceError:
    """Every foreign exception becomes one DeviceError class. Keep this complete: a test
    checks that every netmiko exception class lands somewhere specific."""
    if isinstance(exc, DeviceError):
        return exc
    text = " ".join(str(exc).split())
    cause = exc.__context__
    if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
        return AuthenticationError("authentication failed (wrong username or password)")
    if SESSION_LIMIT.search(text) or isinstance(exc, paramiko.ChannelException):
        # A channel refused after a good login is how SSH servers say "no more sessions".
        return SessionLimitError(f"the device refused a new session: {text[:200]}")
    if isinstance(exc, ConnectionRefusedError) or isinstance(cause, ConnectionRefusedError):
        return UnreachableError("connection refused: nothing listens on that port")
    if "DNS failure" in text or isinstance(cause, socket.gaierror):
        return UnreachableError("the address does not resolve (DNS)")
    if isinstance(exc, ReadTimeout):
        return CommandTimeoutError(f"no prompt in time: {_first_line(text)}")
    if isinstance(exc, NetmikoTimeoutException | TimeoutError):
        if connecting:
            return ConnectTimeoutError(f"no answer while connecting: {_first_line(text)}")
        return CommandTimeoutError(f"no answer in time: {_first_line(text)}")
    if isinstance(exc, OSError | EOFError | paramiko.SSHException | ReadException):
        if connecting:
            return ConnectTimeoutError(f"the SSH session could not be set up: {_first_line(text)}")
        return ConnectionLostError(f"the session broke: {_first_line(text) or type(exc).__name__}")
    if isinstance(exc, ConfigInvalidException):
        return CommandRejectedError(_rejected_config(str(exc)))
    if isinstance(exc, NetmikoBaseException | ValueError):
        return ConnectionLostError(f"netmiko: {_first_line(text)}")
    return DeviceError(f"internal error: {type(exc).__name__}: {_first_line(text)}")


def _first_line(text: str) -> str:
    return text.strip().split(". ")[0][:200]
