"""The seam over netmiko: the only module that imports it, and the one place where
foreign exceptions (netmiko, paramiko, sockets) become netjob's DeviceErrors.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
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

from runner import hostkeys, jump, platforms, sshalgs, transfer
from runner.errors import (
    AuthenticationError,
    CommandRejectedError,
    CommandTimeoutError,
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    FailureClass,
    HostTimeoutError,
    LoginTimeoutError,
    NoCommonAlgorithmsError,
    SessionDesyncError,
    SessionLimitError,
    UnansweredPromptError,
    UnreachableError,
)
from runner.models import ConnectionOptions, Credentials, Host

SESSION_LIMIT = re.compile(r"session limit|too many (sessions|connections)|all vty", re.I)


class Lease:
    """A host's hold on its session, so another thread (the watchdog) can cut it at any
    moment: while connecting, logging in or waiting for a prompt.

    `login_slot()` is what a connector holds while it logs in (after the TCP connection and
    the SSH banner, which cost the device's AAA server nothing): the executor makes it its
    run's login gate, and stops the host's clock while the host waits for it."""

    def __init__(self, login_slot: Callable[[], AbstractContextManager[object]] | None = None):
        self._lock = threading.Lock()
        self._cutters: list[Callable[[], None]] = []
        self.expired = False
        self.login_slot = login_slot or contextlib.nullcontext

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


Sock = socket.socket | paramiko.Channel  # a TCP socket, or a channel through a bastion


def _close(sock: Sock) -> None:
    if isinstance(sock, paramiko.Channel):
        sock.close()
        return
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
    try:
        _await_banner(sock, where, timeout)
    except DeviceError:
        _close(sock)
        raise
    return sock


def _await_banner(sock: socket.socket, where: str, timeout: float) -> None:
    """Wait for the device's SSH version line (peeked: it stays for paramiko to read), so
    a device that accepts TCP and then says nothing, closes, or speaks another protocol
    fails here, precisely, before it takes a login slot."""
    cause: OSError | None = None
    try:
        first = sock.recv(256, socket.MSG_PEEK)
    except TimeoutError as exc:
        error: DeviceError = ConnectTimeoutError(
            f"{where} accepted the connection but sent no SSH banner within {timeout:g}s",
            hint="its SSH server does not answer (overloaded or wedged, or a firewall holds "
            "the connection): check the device, or raise connection.conn_timeout",
        )
        error.retryable = True
        raise error from exc
    except OSError as exc:  # a reset right after the accept
        first, cause = b"", exc
    if not first:
        error = ConnectionLostError(
            f"{where} closed the connection before sending an SSH banner",
            hint="the device refuses SSH from this address or has no SSH session free "
            "(a vty access-class, MaxStartups): check its SSH settings",
        )
        error.retryable = True
        raise error from cause
    # RFC 4253 lets a server send other lines before its version; network devices do not,
    # and a port that answers anything else runs another service.
    if not first.startswith(b"SSH-"[: len(first)]) and b"SSH-" not in first:
        said = first.decode("utf-8", "replace").splitlines()[0]
        raise UnreachableError(
            f"{where} answered, but not with SSH: it said {_quote(said)}",
            hint="check the port in the inventory: another service (HTTP, telnet, a console "
            "server) listens there",
        )


class Connection(Protocol):
    """One open session to one host. Implementations: NetmikoConnection, tests' fakes."""

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str: ...

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str: ...

    def save(self) -> str: ...

    def send_command(
        self,
        command: str,
        read_timeout: float,
        answers: Sequence[tuple[str, str]],
        allow_disconnect: bool = False,
    ) -> str: ...

    def put_file(
        self,
        source: Path,
        dest: str,
        read_timeout: float,
        progress: transfer.Progress | None = None,
    ) -> transfer.Copied: ...

    def get_file(
        self,
        source: str,
        dest: Path,
        read_timeout: float,
        progress: transfer.Progress | None = None,
    ) -> transfer.Copied: ...

    def close(self) -> None: ...


Connector = Callable[[Host, Credentials, Lease], Connection]


class NetmikoConnection:
    """netmiko behind the Connection protocol. Construct with `open()`; it connects.

    What to expect of each platform (prompt, enable, commit, save, refusals) comes from
    the platform table; this class only drives netmiko accordingly and checks every answer.
    """

    def __init__(self, driver: Any, info: platforms.PlatformInfo) -> None:
        self._driver = driver
        self._info = info
        self._release: Callable[[], None] = _nothing  # a bastion's session slot
        # A fresh socket (or bastion channel) for netmiko's SCP connection; see transfer.py.
        self._scp_socket: transfer.ScpSocket | None = None
        self.ended = False  # the device ended the session, as a step allowed (`reload`)
        self._settled = True  # False while a config step may have left config mode open
        self._enabled = False  # True once enable() succeeded
        self._broken: str | None = None  # why the session can no longer be trusted
        self.notes: list[str] = []  # said once in the report, on the host's first step
        if not info.known:
            self.notes.append(
                f"'{info.name}' is not in netjob's platform table: commands sent as written, "
                "not compared with the running config, refusals judged by common forms"
            )

    @classmethod
    def open(cls, host: Host, credentials: Credentials, lease: Lease) -> NetmikoConnection:
        if host.connection.transport == "telnet":
            return cls._open_telnet(host, credentials, lease)
        route = jump.route(host)
        release: Callable[[], None] = _nothing
        if route.jumps:
            sock: Sock
            try:
                sock, release = jump.open_channel(route, host.connection)
            except Exception as exc:
                raise map_exception(exc, connecting=True, host=host) from exc
            lease.on_abort(sock.close)
        else:
            sock = dial(dataclasses.replace(host, address=route.address, port=route.port), lease)
        try:
            info = platforms.lookup(host.platform)
            params = _netmiko_params(host, credentials, sock, info)
            params.update(_route_params(route, credentials))
            driver = ConnectHandler(**params)
            driver._get_ssh_client_instance = functools.partial(  # type: ignore[method-assign]
                _Client, host.connection, route.address, route.port
            )
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
            _close(sock)
            release()
            error = map_exception(exc, connecting=True, host=host)
            # The TCP connection worked, so the device is there: worth another try later.
            error.retryable = not isinstance(error, AuthenticationError | HostTimeoutError)
            error.retryable &= error.failure not in _NEVER_RETRIED
            raise error from exc
        if info.config_prompt_end:
            _quick_mode_check(driver, info.config_prompt_end)
        connection = cls(driver, info)
        connection._release = release
        connection._scp_socket = functools.partial(_scp_socket, driver, host, lease)
        if credentials.secret:
            connection._enable()
        return connection

    def _enable(self) -> None:
        info = self._info
        if not info.enable or (not info.known and _netmiko_lacks(self._driver, "enable")):
            self.notes.append(f"enable secret ignored: {info.title} has no enable mode")
            return
        try:
            if info.enable_fast:
                self._enable_known_prompt()
            else:
                self._driver.enable()
                if not self._driver.check_enable_mode():
                    raise ValueError("not in enable mode after enable")
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
        self._check_usable()
        driver = self._driver
        prompt = self._prompt_pattern()
        driver._netjob_received = []
        try:
            driver._netjob_before_echo = ""
            output: str = driver.send_command(
                command, read_timeout=read_timeout, expect_string=expect_string or prompt
            )
            stale = str(getattr(driver, "_netjob_before_echo", ""))
            late = _late_data(driver)
            if not late and not output.strip():
                # An empty answer may be a prompt that came before the output: ask for a
                # fresh prompt and see whether anything else comes first.
                late = self._probe(prompt, min(read_timeout, 10.0))
        except Exception as exc:
            raise self._mapped(exc, during=f"'{command}'") from exc
        finally:
            driver._netjob_received = []  # kept only for a failure's partial output
        if self._unexpected(stale, prompt) or self._unexpected(late, prompt):
            self._resync()
            raise SessionDesyncError(
                f"the output of '{command}' cannot be trusted: the device printed "
                f"{_quote(stale or late)} {'before echoing' if stale else 'after answering'} "
                "it, so the outputs and commands were out of step; the session was "
                "re-synchronised and no output was stored for it"
            )
        refused = _refusal(self._info.rejected, output)
        if refused:
            raise CommandRejectedError(
                f"the device rejected '{command}': {refused}",
                hint=self._unprivileged_hint(),
                output=output,
            )
        return output

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str:
        """Enter config mode, send `lines` stopping at the first the device refuses, commit
        where the platform commits, leave config mode. A refusal of a line or a commit
        drops the candidate (where there is one) and leaves config mode before raising."""
        self._check_usable()
        driver, info = self._driver, self._info
        self._settled = False  # until config mode is left for sure
        driver._netjob_received = []
        try:
            output = str(driver.config_mode())
        except ValueError as exc:  # netmiko: "Failed to enter configuration mode"
            self._recover()
            raise CommandRejectedError(
                f"the device refused config mode: {_first_line(str(exc))}",
                hint=self._unprivileged_hint() or "check the user's privilege on the device",
                sent=(),
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="entering config mode") from exc
        output += self._send_lines(lines, read_timeout)
        if info.commits:
            output += self._commit(tuple(lines), read_timeout)
        try:
            output += str(driver.exit_config_mode())
        except Exception as exc:
            done = "committed" if info.commits else "applied"
            self._broken = "it could not leave configuration mode"
            raise SessionDesyncError(
                f"the lines were {done}, but the session could not leave configuration "
                f"mode: {_first_line(str(exc))}",
                sent=tuple(lines),
                output=output,
            ) from exc
        self._settled = True
        # A config step may have renamed the device: learn the prompt again.
        with contextlib.suppress(Exception):
            driver.set_base_prompt()
        return output

    def _send_lines(self, lines: Sequence[str], read_timeout: float) -> str:
        try:
            output = str(
                self._driver.send_config_set(
                    list(lines),
                    read_timeout=read_timeout,
                    # Inline flags: netmiko compiles the string itself, and devices print
                    # `Unknown command` and `% unknown command` alike.
                    error_pattern="(?i)" + self._info.rejected.pattern,
                    enter_config_mode=False,
                    exit_config_mode=False,
                )
            )
        except ConfigInvalidException as exc:
            self._recover()
            refused = re.search(r"at command: (.*?), matched error:", str(exc), re.S)
            sent = _sent_until(lines, refused.group(1) if refused else None)
            raise CommandRejectedError(
                _rejected_config(str(exc)) + self._recovered(), sent=sent, output=str(exc)
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="config mode") from exc
        refused_text = _refusal(self._info.rejected, output, head=None)
        if refused_text:  # a refusal netmiko's per-line check did not see
            self._recover()
            raise CommandRejectedError(
                f"the device rejected a config line: {refused_text}{self._recovered()}",
                sent=tuple(lines),
                output=output,
            )
        return output

    def _commit(self, lines: tuple[str, ...], read_timeout: float) -> str:
        try:
            output = str(self._driver.commit(read_timeout=read_timeout))
        except ValueError as exc:  # netmiko: "Commit failed with the following errors"
            self._recover()
            said = _refusal(self._info.commit_rejected, str(exc), head=None)
            raise CommandRejectedError(
                f"the device refused the commit: {said or _first_line(str(exc))}"
                + self._recovered(),
                sent=(*lines, "commit"),
                output=str(exc),
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="the commit") from exc
        said = _refusal(self._info.commit_rejected, output, head=None)
        if said:
            self._recover()
            raise CommandRejectedError(
                f"the device refused the commit: {said}{self._recovered()}",
                sent=(*lines, "commit"),
                output=output,
            )
        return output

    def save(self) -> str:
        self._check_usable()
        info = self._info
        if info.save is platforms.Save.COMMIT:
            return "(kept by the commit)"
        try:
            output = str(self._driver.save_config())
        except NotImplementedError as exc:  # caught when the job loads; a safety net
            raise CommandRejectedError(
                f"netmiko has no save for {info.title}: the lines were applied, not saved",
                hint="drop `save: true` from this task",
            ) from exc
        except ValueError as exc:  # some drivers raise when the save's answer is wrong
            raise CommandRejectedError(
                f"the device refused to save the config: {_first_line(str(exc))}",
                hint="the lines were applied but not saved; check the device's storage",
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="saving the config") from exc
        said = _refusal(info.rejected, output, head=None) or _refusal(_SAVE_FAILED, output, None)
        if said:
            raise CommandRejectedError(
                f"the device refused to save the config: {said}",
                hint="the lines were applied but not saved; check the device's storage",
                output=output,
            )
        return output

    def send_command(
        self,
        command: str,
        read_timeout: float,
        answers: Sequence[tuple[str, str]],
        allow_disconnect: bool = False,
    ) -> str:
        """An exec command that may ask questions (Ansible cli_command's prompt/answer):
        each question matching an answer's regex (`answers`, then the platform's built-in
        ones) is answered, until the prompt comes back. A question nothing answers fails
        a second after it is asked (UnansweredPromptError), not at the read timeout. With
        `allow_disconnect` (`reload`), the device closing the session is the success."""
        self._check_usable()
        driver = self._driver
        prompt = self._prompt_pattern() or rf"{re.escape(str(driver.base_prompt))}[^\r\n]*\S\s*$"
        known = [(re.compile(q), a) for q, a in (*answers, *self._info.answers)]
        wait_for = "|".join(f"(?:{p})" for p in (prompt, *(q.pattern for q, _ in known)))
        driver._netjob_received = []
        output, typed = "", command
        try:
            for turn in range(_MAX_ANSWERS + 1):
                driver._netjob_received = []  # a failure keeps this turn's partial output
                output += str(
                    driver.send_command(
                        typed,
                        read_timeout=read_timeout,
                        expect_string=wait_for,
                        strip_prompt=False,
                        strip_command=turn == 0,
                        cmd_verify=turn == 0,
                    )
                )
                last = output.rstrip("\r\n").rsplit("\n", 1)[-1]
                if re.search(prompt, last):
                    break
                typed = next((a for q, a in known if q.search(last)), "")
            else:
                raise UnansweredPromptError(
                    f"'{command}' asked over {_MAX_ANSWERS} questions; the last was {_quote(last)}"
                )
        except _SessionClosed as exc:
            if not allow_disconnect:
                raise self._mapped(exc, during=f"'{command}'") from exc
            self._broken = "the device ended the session, as allowed (allow_disconnect)"
            self.ended = True
            output += exc.partial
        except Exception as exc:
            raise self._mapped(exc, during=f"'{command}'") from exc
        finally:
            driver._netjob_received = []
        refused = _refusal(self._info.rejected, output, head=None)
        if refused:
            raise CommandRejectedError(f"the device rejected '{command}': {refused}", output=output)
        return output

    def put_file(
        self,
        source: Path,
        dest: str,
        read_timeout: float,
        progress: transfer.Progress | None = None,
    ) -> transfer.Copied:
        """`source` to `dest` on the device over SCP (see runner.transfer); `progress`
        hears (bytes done, bytes in all), throttled."""
        return self._transfer(
            f"putting {source.name}", transfer.put, source, dest, read_timeout, progress
        )

    def get_file(
        self,
        source: str,
        dest: Path,
        read_timeout: float,
        progress: transfer.Progress | None = None,
    ) -> transfer.Copied:
        return self._transfer(
            f"getting {source}", transfer.get, source, dest, read_timeout, progress
        )

    def _transfer(
        self, doing: str, move: Callable[..., transfer.Copied], *args: Any
    ) -> transfer.Copied:
        self._check_usable()
        if self._scp_socket is None:
            raise CommandRejectedError(f"{doing}: this session cannot open an SCP connection")
        try:
            return move(self._driver, args[0], args[1], self._scp_socket, args[2], args[3])
        except DeviceError:
            raise
        except (ValueError, OSError, EOFError, paramiko.SSHException) as exc:
            if not self._alive():
                raise self._mapped(exc, during=doing) from exc
            raise CommandRejectedError(
                f"{doing}: {_first_line(str(exc)) or type(exc).__name__}",
                hint="check the file system and the file's name on the device, and that "
                "its SCP server is enabled (IOS: ip scp server enable)",
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during=doing) from exc

    def _recover(self) -> None:
        """Back to a known state after a refusal: the candidate dropped (where there is
        one) and config mode left, so a later step (under ignore_errors) starts clean."""
        driver = self._driver
        try:
            for command in self._info.discard:
                driver.send_command(
                    command, expect_string=r"[>#\]%]\s*$", read_timeout=10, cmd_verify=False
                )
            if driver.check_config_mode():
                driver.exit_config_mode()
            if driver.check_config_mode():
                raise ValueError("still in configuration mode")
            self._settled = True
        except Exception as exc:
            self._broken = f"it could not leave configuration mode after a refusal ({exc})"

    def _recovered(self) -> str:
        if self._broken:
            return f"; and {self._broken}"
        if self._info.discard:
            return "; the candidate was discarded, nothing was applied"
        return ""

    def _check_usable(self) -> None:
        if self._broken:
            raise SessionDesyncError(f"the session cannot be used: {self._broken}")

    def _unexpected(self, text: str, prompt: str | None) -> bool:
        """Whether `text` (read before an echo, or after a prompt) holds anything but
        prompts and blank lines: the rest of an answer that was taken as complete."""
        base = re.escape(str(self._driver.base_prompt))
        shape = re.compile(prompt or rf"(?:^|[\r\n])[<\[]?{base}[^\r\n]{{0,40}}[>#\]$%]\s*$")
        for line in text.replace("\r", "\n").split("\n"):
            if line.strip() and not shape.search(line.strip()):
                return True
        return False

    def _probe(self, prompt: str | None, timeout: float) -> str:
        driver = self._driver
        driver.write_channel(driver.RETURN)
        pattern = prompt or re.escape(str(driver.base_prompt))
        return str(driver.read_until_pattern(pattern=pattern, read_timeout=timeout))

    def _resync(self) -> None:
        """Find the prompt again after a desynchronisation: drain what the device still
        sends, then ask for a fresh prompt."""
        prompt = self._prompt_pattern()
        try:
            for _ in range(3):  # a fresh prompt, and nothing after it: in step again
                answer = self._probe(prompt, 5.0) + _late_data(self._driver)
                lines = [line for line in answer.splitlines() if line.strip()]
                if len(lines) <= 1 and not _late_data(self._driver):
                    return
            raise ValueError("the device kept printing after its prompt")
        except Exception as exc:
            self._broken = f"the prompt could not be found again ({_first_line(str(exc))})"

    def _prompt_pattern(self) -> str | None:
        """The prompt netmiko learnt at login (refreshed after config steps), in the
        platform's shape. Finding it again before every command, as netmiko does by
        default, costs a round trip and two sleeps: only done for a platform the table
        does not know."""
        shape = self._info.prompt
        return shape(re.escape(str(self._driver.base_prompt))) if shape else None

    def close(self) -> None:
        driver = self._driver
        if self._settled and not self._broken:
            # netmiko's cleanup() asks "still in config mode?" (a round trip) before its
            # `exit`; we know we are not, so only the `exit` is sent.
            driver.cleanup = lambda command="exit": driver.write_channel(command + driver.RETURN)
        # Closing a broken session must never fail a host.
        with contextlib.suppress(Exception):
            driver.disconnect()
        release, self._release = self._release, _nothing
        release()

    @classmethod
    def _open_telnet(cls, host: Host, credentials: Credentials, lease: Lease) -> NetmikoConnection:
        """netmiko's `<platform>_telnet` driver: no SSH, so no keys, bastions or host
        keys; the report says the session was unencrypted."""
        info = platforms.lookup(host.platform)
        params = _telnet_params(host, credentials, info)
        try:
            with lease.login_slot():
                driver = ConnectHandler(**params)
        except Exception as exc:
            raise map_exception(exc, connecting=True, host=host) from exc
        lease.on_abort(lambda: _detach(driver))
        connection = cls(driver, info)
        connection.notes.append(
            "unencrypted: telnet sent the password and every command in clear text"
        )
        if credentials.secret:
            connection._enable()
        return connection

    def _unprivileged_hint(self) -> str | None:
        """After a refusal, one question (a round trip, on the failure path only): is the
        session unprivileged? Then the command was fine and the enable secret is missing."""
        if self._enabled or not self._info.enable:
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
        if isinstance(error, SessionDesyncError) and isinstance(exc, _Paged):
            self._broken = f"the device pages its output ({exc.more!r})"
        if isinstance(exc, _Unanswered):
            # Ctrl-C cancels the question (IOS's copy, delete, reload); then the prompt.
            with contextlib.suppress(Exception):
                self._driver.write_channel("\x03")
            self._resync()
        if isinstance(error, CommandTimeoutError | ConnectionLostError) and not self._alive():
            where = f" during {during}" if during else ""
            partial = error.output or "".join(self._driver._netjob_received)
            kept = f" after {len(partial)} characters of output" if partial else ""
            return ConnectionLostError(
                f"the device closed the session{where}{kept}", output=partial
            )
        return error

    def _alive(self) -> bool:
        try:
            transport = self._driver.remote_conn.get_transport()
            return bool(transport and transport.is_active() and not self._driver.remote_conn.closed)
        except Exception:
            return False


# What a save that did not happen looks like, beyond the platform's refusal forms.
_SAVE_FAILED = re.compile(
    r"^[ \t]*(?:.*\b(?:fail(?:ed|ure)?|denied|not saved|aborted)\b).*$",
    re.MULTILINE | re.IGNORECASE,
)


def _refusal(pattern: re.Pattern[str], output: str, head: int | None = 6) -> str | None:
    """The device's words when `output` holds one of its refusal forms, else None.

    A show's refusal comes first, right after the echo: only its first lines are read, so
    a log line saying "Error: ..." deep inside `show logging` is not a refusal."""
    text = output if head is None else "\n".join(output.lstrip("\r\n").splitlines()[:head])
    found = pattern.search(text)
    return " ".join(found.group(0).split()) if found else None


def _sent_until(lines: Sequence[str], refused: str | None) -> tuple[str, ...]:
    """The lines that reached the device: up to the refused one, which was sent too."""
    if refused is None:
        return tuple(lines)
    for index, line in enumerate(lines):
        if line.strip() == refused.strip():
            return tuple(lines[: index + 1])
    return tuple(lines)


def _quote(text: str) -> str:
    shown = " ".join(text.split())
    return f"'{shown[:120]}{'...' if len(shown) > 120 else ''}'"


def _late_data(driver: Any) -> str:
    """Whatever the device already sent after the prompt that ended an answer (read
    without waiting): a second prompt or more output means the prompt matched too early.
    Blank data (a space or a newline after the prompt) is not an answer."""
    channel = getattr(driver, "remote_conn", None)
    try:
        pending = str(getattr(driver, "_read_buffer", "") or "")
        if channel is not None and channel.recv_ready():
            pending += str(driver.read_channel())
        return pending if pending.strip() else ""
    except Exception:
        return ""


def _verify_echo(driver: Any) -> None:
    """netmiko reads up to a command's echo and silently drops what came before it: the
    rest of an earlier answer, when a prompt matched too early. Keep it, so the command
    can fail instead of an earlier output being stored cut short."""
    echo_read = driver.command_echo_read

    def command_echo_read(cmd: str, read_timeout: float) -> str:
        before = str(driver.read_until_pattern(pattern=re.escape(cmd), read_timeout=read_timeout))
        head, found, tail = before.rpartition(cmd)
        driver._netjob_before_echo = head if found else ""
        return f"{cmd}{tail}" if found else str(echo_read(cmd, read_timeout))

    driver.command_echo_read = command_echo_read


def _quick_mode_check(driver: Any, prompt_end: str) -> None:
    """netmiko's check_config_mode on VRP and Comware reads until 2 s of silence (it
    forgets its pattern); netmiko calls it four times per config step. Read up to the
    prompt instead, with the same check."""
    from netmiko.base_connection import BaseConnection

    def check_config_mode(check_string: str = "]", pattern: str = "", **_: Any) -> bool:
        return bool(
            BaseConnection.check_config_mode(driver, check_string=check_string, pattern=prompt_end)
        )

    driver.check_config_mode = check_config_mode


def _netmiko_lacks(driver: Any, method: str) -> bool:
    """Whether netmiko's class for this device has no real `method` (NoEnable, no save)."""
    from netmiko.no_enable import NoEnable

    if method == "enable":
        return isinstance(driver, NoEnable)
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
    driver._netjob_received = []  # what the current command got so far (see _heard)
    driver._netjob_seen = ""  # the last characters the device sent
    driver._netjob_heard = time.monotonic()

    send_command = driver.send_command

    def read_or_wait() -> str:
        channel = driver.remote_conn
        if getattr(waiting, "on", False) and channel is not None and not driver._read_buffer:
            with contextlib.suppress(Exception):  # a timeout, or a closed channel: read
                channel.in_buffer.read(0, WAIT_FOR_DATA_S)
        buffered = str(driver._read_buffer or "")
        data = str(read_channel())
        if getattr(waiting, "watch", False):
            # What netmiko kept back from an earlier read comes again: heard once only.
            _heard(driver, channel, data[len(buffered) :] if data.startswith(buffered) else data)
        return data

    def until_pattern(*args: Any, **kwargs: Any) -> str:
        waiting.on = True
        try:
            return str(watched(read_until_pattern, *args, **kwargs))
        finally:
            waiting.on = False

    def watched(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """netmiko's waits for a pattern (read_until_pattern, and send_command's own loop)
        with what they read watched by _heard."""
        outer = getattr(waiting, "watch", False)
        waiting.watch = True
        driver._netjob_heard = time.monotonic()
        try:
            return read(*args, **kwargs)
        finally:
            waiting.watch = outer

    driver.read_channel = read_or_wait
    driver.read_until_pattern = until_pattern
    driver.send_command = functools.partial(watched, send_command)


# A pager's prompt at the end of what a device sent, and nothing after it for a second:
# IOS/EOS `--More--`, VRP `---- More ----`, Junos `---(more)---`, others' variants.
_PAGER = re.compile(
    r"(?:-+ ?\(?more\b[^\r\n]{0,20}?\)? ?-+|<-+ more -+>|press any key to continue\W*)\s*$", re.I
)
PAGER_QUIET_S = 1.0


def _heard(driver: Any, channel: Any, data: str) -> None:
    """Watch what a wait for a pattern reads: keep it (a failed command keeps its partial
    output), and stop the wait at once when the device closed the session, or after a
    quiet second at a pager's prompt, instead of sitting out the read timeout."""
    now = time.monotonic()
    if data:
        driver._netjob_received.append(data)
        driver._netjob_seen = (driver._netjob_seen + data)[-200:]
        driver._netjob_heard = now
        return
    if _channel_closed(channel):
        raise _SessionClosed("".join(driver._netjob_received))
    if now - driver._netjob_heard >= PAGER_QUIET_S:
        more = _PAGER.search(driver._netjob_seen)
        if more:
            raise _Paged(more.group(0).strip(), "".join(driver._netjob_received))
        asked = _QUESTION.search(driver._netjob_seen)
        if asked:
            waited = now - driver._netjob_heard
            raise _Unanswered(asked.group(0).strip(), "".join(driver._netjob_received), waited)


# A question at the end of what a device sent, and nothing after it for a second (the
# pager's quiet second): its last line ends in `?`, `[confirm]`, `[yes/no]`, `(y/n)`, or a
# `:` after `[...]` (`... [512]: `, `Save? [yes/no]: `). Waiting for a prompt would sit out
# the read timeout: the device waits for its answer.
_QUESTION = re.compile(
    r"[^\r\n]*(?:\?|\[confirm\]|\[y(?:es)?/no?\]|\((?:y/n|yes/no)\)\??(?:\s*\[[yn]\])?"
    r"|\[[^\]\r\n]{0,80}\]\s*:)[ \t]*$",
    re.I,
)


def _channel_closed(channel: Any) -> bool:
    try:
        transport = channel.get_transport()
        return bool(
            channel.closed or channel.eof_received or transport is None or not transport.is_active()
        )
    except Exception:
        return True


class _Client(paramiko.SSHClient):
    """netmiko's SSH client, with the host's algorithms (runner.sshalgs) and host-key
    checking (runner.hostkeys: before authentication, as paramiko orders it; netmiko's own
    host-key settings stay off). paramiko says "Authentication failed." both when the
    device refused the password and when it closed the connection meanwhile; only the
    transport tells them apart."""

    def __init__(self, options: ConnectionOptions, address: str, port: int) -> None:
        super().__init__()
        self._options = options
        self._where = f"{address}:{port}"
        super().set_missing_host_key_policy(hostkeys.Policy(options, address, port))

    def set_missing_host_key_policy(self, policy: Any) -> None:
        pass  # netmiko sets AutoAddPolicy; ours (above) decides

    def connect(self, *args: Any, **kwargs: Any) -> None:
        kwargs["transport_factory"] = functools.partial(
            sshalgs.make_transport, options=self._options
        )
        try:
            super().connect(*args, **kwargs)
        except paramiko.ssh_exception.IncompatiblePeer as exc:
            transport = self.get_transport()
            offered = getattr(transport, "offered", None)
            self.close()
            raise _NoCommonAlgorithms(str(exc), offered, self._where) from exc
        except paramiko.AuthenticationException as exc:
            transport = self.get_transport()
            if transport is None or transport.is_active() or "timeout" in str(exc):
                raise
            self.close()
            raise _ClosedDuringAuth() from exc


# What the hooks above raise, for map_exception (netmiko lets them through as they are).
class _ClosedDuringAuth(EOFError):
    """The device closed the connection while it checked the password."""


class _NoCommonAlgorithms(Exception):
    def __init__(self, said: str, offered: dict[str, Any] | None, where: str) -> None:
        super().__init__(said)
        self.what, self.key, self.names = sshalgs.no_common(said, offered)
        self.where = where


class _SessionClosed(EOFError):
    def __init__(self, partial: str) -> None:
        super().__init__("the device closed the session")
        self.partial = partial


class _Paged(Exception):
    def __init__(self, more: str, partial: str) -> None:
        super().__init__(f"the output stopped at a pager prompt {more!r}")
        self.more = more
        self.partial = partial


class _Unanswered(Exception):
    def __init__(self, question: str, partial: str, waited: float) -> None:
        super().__init__(f"the device asked {question!r}")
        self.question = question
        self.partial = partial
        self.waited = waited  # seconds from the question's arrival to giving up


class _NoPrompt(Exception):
    def __init__(self, bound: float, seen: str) -> None:
        super().__init__(f"no prompt within {bound:g}s of logging in")
        self.bound = bound
        self.seen = seen


def _login(driver: Any, sock: Sock, info: platforms.PlatformInfo, bound: float) -> None:
    """netmiko's own `_open()`, in two bounded parts: the authentication (paramiko bounds
    it by auth_timeout), then the shell's first prompt and the session set-up, which get
    `bound` seconds in all; past it the socket is cut and the login fails `login_timeout`
    (netmiko would wait its read timeout for each set-up command in turn).

    On a platform the table knows, netmiko's fixed 100 ms sleep before the set-up is left
    out: the RETURN it sends is still sent, and every step after it waits for a pattern."""
    driver._modify_connection_params()
    driver.establish_connection()
    cut = threading.Event()

    def cut_login() -> None:
        cut.set()
        _detach(driver)
        _close(sock)

    timer = threading.Timer(bound, cut_login)
    timer.daemon = True
    timer.start()
    try:
        if not info.known:  # netmiko's own delays and buffer clearing: no assumption made
            driver._try_session_preparation()
            return
        driver.write_channel(driver.RETURN)
        driver.session_preparation()
        if driver.global_cmd_verify is False:
            # The driver does not read each command's echo (Comware: no terminal width),
            # so what login left unread would open the first command's output: drain it.
            driver.read_channel_timing(last_read=0.2, read_timeout=5)
    except Exception as exc:
        with contextlib.suppress(Exception):
            driver.disconnect()
        if cut.is_set():
            raise _NoPrompt(bound, str(getattr(driver, "_netjob_seen", ""))) from exc
        raise
    finally:
        timer.cancel()


_MAX_ANSWERS = 10  # questions one command may ask: more is a loop, not a dialogue


def _scp_socket(driver: Any, host: Host, lease: Lease) -> AbstractContextManager[object]:
    """A new connection to the device for netmiko's SCP session, the way the session's own
    was made (through the same bastions); the watchdog cuts it too."""
    route = jump.route(host)
    release: Callable[[], None] = _nothing
    if route.jumps:
        sock: Sock
        sock, release = jump.open_channel(route, host.connection)
        lease.on_abort(sock.close)
    else:
        sock = dial(dataclasses.replace(host, address=route.address, port=route.port), lease)
    return transfer.swapped_socket(driver, sock, release)


def _nothing() -> None:
    return None


# Failures that another attempt would only repeat (and, for a key, never send anything).
_NEVER_RETRIED = {
    FailureClass.HOST_KEY_CHANGED,
    FailureClass.HOST_KEY_UNKNOWN,
    FailureClass.NO_COMMON_ALGORITHMS,
}


def _route_params(route: jump.Route, credentials: Credentials) -> dict[str, Any]:
    """Where (after ssh_config) and as whom. Key, then agent, then password: paramiko's
    own order, given what the host has. (The key was read once already, before anything
    connected: runner.sshkeys.)"""
    from runner.sshkeys import load_key

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
    platform = host.platform.removesuffix("_ssh")
    return {
        **_login_params(host, credentials, info),
        "device_type": platform if platform.endswith("_telnet") else f"{platform}_telnet",
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


def _rejected_config(message: str) -> str:
    """netmiko's "Invalid input detected at command: CMD, matched error: WORDS" as one
    sentence that quotes the device."""
    found = re.search(r"at command: (?P<cmd>.*?), matched error: (?P<said>.*)", message, re.S)
    if found is None:
        return f"the device rejected a config line: {_first_line(message)}"
    said = " ".join(found.group("said").split())
    return f"the device rejected '{found.group('cmd').strip()}': {said}"


def map_exception(
    exc: BaseException, connecting: bool = False, host: Host | None = None
) -> DeviceError:
    """Every foreign exception becomes one DeviceError class. Keep this complete: a test
    checks that every netmiko exception class lands somewhere specific. `host`, when
    given, lets a message name the bound that ran out."""
    if isinstance(exc, DeviceError):
        return exc
    mapped = _mapped_hook(exc)
    if mapped is not None:
        return mapped
    # paramiko glues its cause to its own words ("...protocol banner[Errno 9] Bad ...").
    text = re.sub(r"(protocol banner)(?=\S)", r"\1: ", " ".join(str(exc).split()))
    cause = exc.__context__
    if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
        if "Authentication timeout" in text:  # paramiko's words when auth_timeout ran out
            bound = f"{host.connection.auth_timeout:g}s (auth_timeout)" if host else "time"
            return LoginTimeoutError(f"the device did not answer the login within {bound}")
        return AuthenticationError("authentication failed (wrong username or password)")
    if SESSION_LIMIT.search(text) or isinstance(exc, paramiko.ChannelException):
        # A channel refused after a good login is how SSH servers say "no more sessions".
        return SessionLimitError(f"the device refused a new session: {text[:200]}")
    if isinstance(exc, ConnectionRefusedError) or isinstance(cause, ConnectionRefusedError):
        return UnreachableError("connection refused: nothing listens on that port")
    if "DNS failure" in text or isinstance(cause, socket.gaierror):
        return UnreachableError("the address does not resolve (DNS)")
    if isinstance(exc, ReadTimeout):
        if connecting:  # no command of a task was sent yet: the login's own set-up
            return LoginTimeoutError(f"no prompt after logging in: {_first_line(text)}")
        return CommandTimeoutError(f"no prompt in time: {_first_line(text)}")
    if isinstance(exc, NetmikoTimeoutException | TimeoutError):
        if connecting:
            return ConnectTimeoutError(f"no answer while connecting: {_first_line(text)}")
        return CommandTimeoutError(f"no answer in time: {_first_line(text)}")
    if connecting and _after_login(exc, text):
        return ConnectionLostError(
            "the device accepted the login, then closed the connection before a shell opened",
            hint="the user may lack shell access (AAA exec authorization), or the device is "
            "out of sessions: check its logs, then --retry-failed",
        )
    if isinstance(exc, OSError | EOFError | paramiko.SSHException | ReadException):
        if connecting:
            return ConnectTimeoutError(
                f"the SSH session could not be set up: {_first_line(text) or type(exc).__name__}"
            )
        return ConnectionLostError(f"the session broke: {_first_line(text) or type(exc).__name__}")
    if isinstance(exc, ConfigInvalidException):
        return CommandRejectedError(_rejected_config(str(exc)))
    if isinstance(exc, NetmikoBaseException | ValueError):
        return ConnectionLostError(f"netmiko: {_first_line(text)}")
    return DeviceError(f"internal error: {type(exc).__name__}: {_first_line(text)}")


def _mapped_hook(exc: BaseException) -> DeviceError | None:
    """What this module's own hooks into netmiko and paramiko raised."""
    if isinstance(exc, _NoPrompt):
        said = f"; the last it sent was {_quote(exc.seen)}" if exc.seen.strip() else ""
        return LoginTimeoutError(
            f"logged in, but the device showed no usable prompt within {exc.bound:g}s{said}",
            hint="check the device's shell (exec authorization, a banner that waits for a "
            "key, a busy CPU); raise connection.auth_timeout if it is only slow",
        )
    if isinstance(exc, _NoCommonAlgorithms):
        offered = ", ".join(exc.names) or "(nothing readable)"
        return NoCommonAlgorithmsError(
            f"no {exc.what} algorithm in common with {exc.where}: it offers only {offered}",
            hint=f"if that is an old device, allow them for its group or host: "
            f"ssh: {{{exc.key}: [{exc.names[0] if exc.names else '...'}]}}",
        )
    if isinstance(exc, _ClosedDuringAuth):
        return ConnectionLostError(
            "the device closed the connection while it checked the password",
            hint="its AAA server (TACACS/RADIUS) may be failing, or a login limit was hit: "
            "check the device's logs, then --retry-failed",
        )
    if isinstance(exc, _SessionClosed):
        kept = f" after {len(exc.partial)} characters of output" if exc.partial else ""
        return ConnectionLostError(f"the device closed the session{kept}", output=exc.partial)
    if isinstance(exc, _Unanswered):
        return UnansweredPromptError(
            f"the device asked {_quote(exc.question)} and nothing answered it within "
            f"{exc.waited:.1f}s (not the task's prompts:, nor the platform's built-in answers)",
            output=exc.partial,
        )
    if isinstance(exc, _Paged):
        return SessionDesyncError(
            f"the output stopped at the device's pager prompt {exc.more!r} after "
            f"{len(exc.partial)} characters: the terminal length could not be set to 0",
            hint="allow this user to set the terminal length (or set it in the user's "
            "profile on the device); the partial output is in the host's log",
            output=exc.partial,
        )
    return None


def _after_login(exc: BaseException, text: str) -> bool:
    """A session that could not open after the password was accepted: paramiko's words
    when the transport went away between the login and the shell."""
    return (
        "SSH session not active" in text
        or "Unable to open channel" in text
        or (isinstance(exc, EOFError) and not text)
    )


def _first_line(text: str) -> str:
    return text.strip().split(". ")[0][:200]
