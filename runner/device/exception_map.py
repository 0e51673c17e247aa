"""The one place where foreign exceptions (netmiko, paramiko, sockets) become netjob's
DeviceErrors: `map_exception`, and `mapped`, the same as a `with` block; `naming`, the
block whose DeviceErrors name their host (`.host`). The device's words in their messages
are shown by `quote` and `first_line`.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import paramiko
from netmiko.exceptions import (
    ConfigInvalidException,
    NetmikoAuthenticationException,
    NetmikoBaseException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)

from runner.base.errors import (
    AuthenticationError,
    CommandRejectedError,
    CommandTimeoutError,
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    HostKeyChangedError,
    JumpFailedError,
    LoginTimeoutError,
    NoCommonAlgorithmsError,
    Remedy,
    SessionDesyncError,
    SessionLimitError,
    UnansweredPromptError,
    UnreachableError,
)
from runner.base.models import Host
from runner.device.netmiko_patches import (
    ClosedAtLogin,
    ClosedDuringAuth,
    ClosedInKeyExchange,
    NoCommonAlgorithms,
    NoPrompt,
    Paged,
    SessionClosed,
    Unanswered,
)

SESSION_LIMIT = re.compile(r"session limit|too many (sessions|connections)|all vty", re.I)


@contextmanager
def mapped(
    connecting: bool = False,
    host: Host | None = None,
    to: Callable[[Exception], DeviceError] | None = None,
) -> Iterator[None]:
    """Whatever the block raises leaves it as a DeviceError, chained from the original
    (`raise ... from exc`): map_exception's, or that of `to` when given (a session's own
    mapping, which also looks at the session's state)."""
    try:
        yield
    except Exception as exc:
        raise (to(exc) if to else map_exception(exc, connecting=connecting, host=host)) from exc


@contextmanager
def naming(host: Host) -> Iterator[None]:
    """A DeviceError leaving the block names `host` (`.host`, see DeviceError.about);
    anything else leaves it untouched."""
    try:
        yield
    except DeviceError as exc:
        named = exc.about(host=host.name)
        if named is exc:
            raise
        raise named from exc


def rejected_config(message: str) -> str:
    """netmiko's "Invalid input detected at command: CMD, matched error: WORDS" as one
    sentence that quotes the device."""
    found = re.search(r"at command: (?P<cmd>.*?), matched error: (?P<said>.*)", message, re.S)
    if found is None:
        return f"the device rejected a config line: {first_line(message)}"
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
    hooked = _mapped_hook(exc)
    if hooked is not None:
        return hooked
    # paramiko glues its cause to its own words ("...protocol banner[Errno 9] Bad ...").
    text = re.sub(r"(protocol banner)(?=\S)", r"\1: ", " ".join(str(exc).split()))
    cause = exc.__context__
    if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
        if "Authentication timeout" in text:  # paramiko's words when auth_timeout ran out
            bound = f"{host.connection.auth_timeout:g}s (auth_timeout)" if host else "time"
            return LoginTimeoutError(f"the device did not answer the login within {bound}")
        return AuthenticationError("authentication failed (wrong username or password)")
    foreign = _paramiko_specific(exc, text)
    if foreign is not None:
        return foreign
    if SESSION_LIMIT.search(text) or isinstance(exc, paramiko.ChannelException):
        # A channel refused after a good login is how SSH servers say "no more sessions".
        return SessionLimitError(f"the device refused a new session: {text[:200]}")
    if isinstance(exc, ConnectionRefusedError) or isinstance(cause, ConnectionRefusedError):
        return UnreachableError("connection refused: nothing listens on that port")
    if "DNS failure" in text or isinstance(cause, socket.gaierror):
        return UnreachableError("the address does not resolve (DNS)")
    if isinstance(exc, ReadTimeout):
        if connecting:  # no command of a task was sent yet: the login's own set-up
            return LoginTimeoutError(f"no prompt after logging in: {first_line(text)}")
        return CommandTimeoutError(f"no prompt in time: {first_line(text)}")
    if isinstance(exc, NetmikoTimeoutException | TimeoutError):
        if connecting:
            return ConnectTimeoutError(f"no answer while connecting: {first_line(text)}")
        return CommandTimeoutError(f"no answer in time: {first_line(text)}")
    if connecting and _after_login(exc, text):
        return ConnectionLostError(
            "the device accepted the login, then closed the connection before a shell opened",
            hint="the user may lack shell access (AAA exec authorization), or the device is "
            "out of sessions: check its logs",
            remedies=(Remedy.RETRY_FAILED,),
        )
    if isinstance(exc, OSError | EOFError | paramiko.SSHException | ReadException):
        if connecting:
            return ConnectTimeoutError(
                f"the SSH session could not be set up: {first_line(text) or type(exc).__name__}"
            )
        return ConnectionLostError(f"the session broke: {first_line(text) or type(exc).__name__}")
    if isinstance(exc, ConfigInvalidException):
        return CommandRejectedError(rejected_config(str(exc)))
    if isinstance(exc, NotImplementedError):  # netmiko's "not on this platform"
        return CommandRejectedError(
            f"netmiko cannot do this on this platform{': ' + first_line(text) if text else ''}",
            hint="leave this task out for this platform",
        )
    if isinstance(exc, NetmikoBaseException | ValueError):
        return ConnectionLostError(f"netmiko: {first_line(text)}")
    return DeviceError(f"internal error: {type(exc).__name__}: {first_line(text)}")


def _paramiko_specific(exc: BaseException, text: str) -> DeviceError | None:
    """paramiko's exceptions that say more than "the SSH session failed" (its others are
    SSHExceptions, read with netmiko's below). A test checks every class paramiko exports."""
    said = first_line(text) or type(exc).__name__
    if isinstance(exc, paramiko.BadHostKeyException):
        offered = getattr(getattr(exc, "key", None), "get_name", lambda: "a key")()
        return HostKeyChangedError(
            f"the host key of {getattr(exc, 'hostname', 'the device')} is not the one "
            f"expected (it offers {offered}); nothing was sent"
        )
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        # paramiko's own TCP connection: every address refused it or had no route.
        return UnreachableError(f"cannot connect: {exc.strerror or said}")
    if isinstance(exc, paramiko.ProxyCommandFailure):
        return JumpFailedError(
            f"the ProxyCommand on the way failed: {said}",
            hint="run the ProxyCommand by hand to see why it fails",
        )
    if isinstance(exc, paramiko.ssh_exception.IncompatiblePeer):
        # Seen when it escapes netmiko_patches._Client (which says which algorithms).
        return NoCommonAlgorithmsError(f"no SSH algorithm in common with the device: {said}")
    if isinstance(exc, paramiko.pkey.UnknownKeyType):
        kind = getattr(exc, "key_type", None) or "unknown"
        return NoCommonAlgorithmsError(
            f"a key of a type paramiko cannot read ({kind})",
            hint="if that is the device's host key, allow another type for its group or "
            "host: ssh: {host_key_types: [...]}",
        )
    if isinstance(exc, paramiko.ssh_exception.CouldNotCanonicalize):
        return UnreachableError(
            f"the ssh_config's CanonicalizeHostname found no address: {said}",
            hint="check the name, or CanonicalizeDomains in the ssh_config",
        )
    if isinstance(exc, paramiko.ssh_exception.ConfigParseError):
        return UnreachableError(
            f"the ssh_config cannot be read: {said}",
            hint="fix the ssh_config file (connection.ssh_config), then run again",
        )
    if isinstance(exc, paramiko.SFTPError):
        return CommandRejectedError(
            f"the device refused the file operation: {said}",
            hint="check the file system and the file's name on the device",
        )
    return None


def _mapped_hook(exc: BaseException) -> DeviceError | None:
    """What netjob's own hooks into netmiko and paramiko (runner.device.netmiko_patches) raised."""
    if isinstance(exc, NoPrompt):
        return LoginTimeoutError(
            f"logged in, but the device showed no usable prompt within {exc.bound:g}s"
            + _last_sent(exc.seen),
            hint="check the device's shell (exec authorization, a banner that waits for a "
            "key, a busy CPU); raise connection.auth_timeout if it is only slow",
        )
    if isinstance(exc, NoCommonAlgorithms):
        offered = ", ".join(exc.names) or "(nothing readable)"
        return NoCommonAlgorithmsError(
            f"no {exc.what} algorithm in common with {exc.where}: it offers only {offered}",
            hint=f"if that is an old device, allow them for its group or host: "
            f"ssh: {{{exc.key}: [{exc.names[0] if exc.names else '...'}]}}",
        )
    if isinstance(exc, ClosedInKeyExchange):
        kex = ", ".join(exc.ours.get("kex", [])) or "(none)"
        offered = ", ".join(str(n) for n in exc.offered.get("kex_algo_list", [])) or "(none)"
        return NoCommonAlgorithmsError(
            f"{exc.where} closed the connection during the SSH key exchange: it took none of "
            f"the key exchanges netjob offered ({kex}); it offers {offered}",
            hint="a netmiko driver may narrow the offer (Fortinet's: SHA-1 ones); name one "
            "both speak for its group or host: ssh: {kex: [...]}",
        )
    if isinstance(exc, ClosedDuringAuth):
        return ConnectionLostError(
            "the device closed the connection while it checked the password",
            hint="its AAA server (TACACS/RADIUS) may be failing, or a login limit was hit: "
            "check the device's logs",
            remedies=(Remedy.RETRY_FAILED,),
        )
    if isinstance(exc, ClosedAtLogin):
        return ConnectionLostError(
            "the device accepted the login, then closed the session while it was set up"
            + _last_sent(exc.seen),
            hint="the device may end sessions on a command netmiko sends at login (paging, "
            "terminal width), or be out of sessions: check its logs",
            remedies=(Remedy.RETRY_FAILED,),
        )
    if isinstance(exc, SessionClosed):
        kept = f" after {len(exc.partial)} characters of output" if exc.partial else ""
        return ConnectionLostError(f"the device closed the session{kept}", output=exc.partial)
    if isinstance(exc, Unanswered):
        return UnansweredPromptError(
            f"the device asked {quote(exc.question)} and nothing answered it within "
            f"{exc.waited:.1f}s (not the task's prompts:, nor the platform's built-in answers)",
            output=exc.partial,
        )
    if isinstance(exc, Paged):
        return SessionDesyncError(
            f"the output stopped at the device's pager prompt {exc.more!r} after "
            f"{len(exc.partial)} characters: the terminal length could not be set to 0",
            hint="allow this user to set the terminal length (or set it in the user's "
            "profile on the device); the partial output is in the host's log",
            output=exc.partial,
        )
    return None


def _last_sent(seen: str) -> str:
    """What the device sent last at login, quoted, for a message that ends there."""
    return f"; the last it sent was {quote(seen)}" if seen.strip() else ""


def _after_login(exc: BaseException, text: str) -> bool:
    """A session that could not open after the password was accepted: paramiko's words
    when the transport went away between the login and the shell."""
    return (
        "SSH session not active" in text
        or "Unable to open channel" in text
        or (isinstance(exc, EOFError) and not text)
    )


def first_line(text: str) -> str:
    return text.strip().split(". ")[0][:200]


def quote(text: str) -> str:
    shown = " ".join(text.split())
    return f"'{shown[:120]}{'...' if len(shown) > 120 else ''}'"
