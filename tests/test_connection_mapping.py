"""Every foreign exception lands in one specific DeviceError class (httpx's rule)."""

from __future__ import annotations

import functools
import inspect
import socket
from collections.abc import Callable, Iterator

import netmiko.exceptions
import paramiko
import paramiko.auth_strategy
import pytest

from runner.base import platforms
from runner.base.errors import DeviceError, FailureClass
from runner.device import login
from runner.device.exception_map import map_exception


def _netmiko_exceptions() -> list[type[BaseException]]:
    return [
        obj
        for _, obj in inspect.getmembers(netmiko.exceptions, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == "netmiko.exceptions"
    ]


@pytest.mark.parametrize("cls", _netmiko_exceptions(), ids=lambda c: c.__name__)
def test_every_netmiko_exception_is_mapped_to_a_specific_class(cls: type[BaseException]) -> None:
    error = map_exception(cls("something went wrong"), connecting=False)
    assert type(error) is not DeviceError, f"{cls.__name__} falls through to internal error"
    assert error.failure is not FailureClass.INTERNAL_ERROR
    assert "; " in error.describe()  # a hint of what to try follows


def _paramiko_exceptions() -> list[type[BaseException]]:
    """Every exception class paramiko exports (its package and its ssh_exception module),
    found by looking, so a class a new paramiko adds is checked too."""
    found = {
        obj
        for module in (paramiko, paramiko.ssh_exception)
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__.startswith("paramiko.")
    }
    return sorted(found, key=lambda c: c.__name__)


@functools.cache
def _key() -> paramiko.PKey:
    return paramiko.RSAKey.generate(1024)


class _NoSources(paramiko.auth_strategy.AuthStrategy):
    """The strategy an AuthFailure's result names (never asked for its sources here)."""

    def get_sources(self) -> Iterator[paramiko.auth_strategy.AuthSource]:
        return iter(())


# What to pass for each parameter name paramiko's exceptions take; a class with a
# parameter not listed here fails the test by name, to be added.
_ARGUMENTS: dict[str, Callable[[], object]] = {
    "explanation": lambda: "Bad authentication type",
    "types": lambda: ["publickey"],
    "hostname": lambda: "r1",
    "got_key": _key,
    "expected_key": _key,
    "code": lambda: 2,
    "text": lambda: "Connect failed",
    "errors": lambda: {("192.0.2.1", 22): ConnectionRefusedError(111, "refused")},
    "command": lambda: "ssh -W %h:%p bastion",
    "error": lambda: "broken pipe",
    "result": lambda: paramiko.auth_strategy.AuthResult(strategy=_NoSources(paramiko.SSHConfig())),
    "key_type": lambda: "ssh-unknown",
    "key_bytes": lambda: b"x",
}


def _instance(cls: type[BaseException]) -> BaseException:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    if all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        return cls("something went wrong")  # BaseException's own (*args)
    named = [p for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [p.name for p in named if p.name not in _ARGUMENTS]
    assert not missing, f"{cls.__name__}: add a sample for {missing} to _ARGUMENTS"
    return cls(**{p.name: _ARGUMENTS[p.name]() for p in named})


def test_paramikos_exceptions_are_found() -> None:
    names = {c.__name__ for c in _paramiko_exceptions()}
    assert {"SSHException", "BadHostKeyException", "NoValidConnectionsError"} <= names
    assert len(names) >= 15  # 17 in paramiko 5.1


@pytest.mark.parametrize("connecting", [True, False], ids=["connecting", "in_session"])
@pytest.mark.parametrize("cls", _paramiko_exceptions(), ids=lambda c: c.__name__)
def test_every_paramiko_exception_is_mapped_to_a_specific_class(
    cls: type[BaseException], connecting: bool
) -> None:
    error = map_exception(_instance(cls), connecting=connecting)
    assert type(error) is not DeviceError, f"{cls.__name__} falls through to internal error"
    assert error.failure is not FailureClass.INTERNAL_ERROR
    assert "; " in error.describe()  # a hint of what to try follows


@pytest.mark.parametrize(
    ("name", "failure"),
    [
        ("BadHostKeyException", "host_key_changed"),
        ("NoValidConnectionsError", "unreachable"),
        ("ProxyCommandFailure", "jump_failed"),
        ("IncompatiblePeer", "no_common_algorithms"),
        ("UnknownKeyType", "no_common_algorithms"),
        ("CouldNotCanonicalize", "unreachable"),
        ("ConfigParseError", "unreachable"),
        ("SFTPError", "command_rejected"),
        ("BadAuthenticationType", "auth_failed"),
        ("PasswordRequiredException", "auth_failed"),
        ("ChannelException", "session_limit"),
        ("MessageOrderError", "connect_timeout"),
    ],
)
def test_paramikos_specific_exceptions_say_what_happened(name: str, failure: str) -> None:
    (cls,) = [c for c in _paramiko_exceptions() if c.__name__ == name]
    assert map_exception(_instance(cls), connecting=True).failure.value == failure


def _raised_from(outer: BaseException, inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 - netmiko raises like this, we read __context__
    except BaseException as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "connecting", "failure"),
    [
        (netmiko.exceptions.NetmikoAuthenticationException("x"), True, "auth_failed"),
        (paramiko.AuthenticationException("x"), True, "auth_failed"),
        (
            _raised_from(
                netmiko.exceptions.NetmikoTimeoutException("TCP connection to device failed."),
                ConnectionRefusedError(111, "refused"),
            ),
            True,
            "unreachable",
        ),
        (
            _raised_from(
                netmiko.exceptions.NetmikoTimeoutException("TCP connection to device failed."),
                TimeoutError("timed out"),
            ),
            True,
            "connect_timeout",
        ),
        (
            netmiko.exceptions.NetmikoTimeoutException("DNS failure--the hostname"),
            True,
            "unreachable",
        ),
        (netmiko.exceptions.ReadTimeout("Pattern not detected"), False, "command_timeout"),
        (OSError("Socket is closed"), False, "connection_lost"),
        (EOFError(), False, "connection_lost"),
        (paramiko.SSHException("Error reading SSH protocol banner"), True, "connect_timeout"),
        (paramiko.SSHException("session limit reached"), True, "session_limit"),
        (RuntimeError("surprise"), False, "internal_error"),
    ],
)
def test_failure_classes(exc: BaseException, connecting: bool, failure: str) -> None:
    assert map_exception(exc, connecting=connecting).failure.value == failure


class _ClosedWhenTheShellOpened:
    """A netmiko driver whose device accepted the login, opened the shell and closed the
    session at once: the login's first write (or its first read of the prompt, on a
    platform set up by runner.device.setup) finds paramiko's socket closed."""

    RETURN = "\n"
    global_cmd_verify = None
    _netjob_seen = "r1>"

    def _modify_connection_params(self) -> None:
        return None

    def establish_connection(self) -> None:
        return None

    def write_channel(self, data: str) -> None:
        raise OSError("Socket is closed")

    def read_until_pattern(self, pattern: str, read_timeout: float) -> str:
        raise OSError("Socket is closed")

    def disconnect(self) -> None:
        return None


def test_a_session_closed_right_after_login_is_connection_lost() -> None:
    # Before: connect_timeout, "the SSH session could not be set up: Socket is closed",
    # with a hint to check that the device is up and reachable (it had just logged in).
    with socket.socket() as sock, pytest.raises(Exception) as caught:
        login._login(_ClosedWhenTheShellOpened(), sock, platforms.lookup("cisco_ios"), 5.0)
    error = map_exception(caught.value, connecting=True)
    assert error.failure is FailureClass.CONNECTION_LOST, error.describe()
    assert "accepted the login, then closed the session" in str(error)


def test_netmikos_not_implemented_is_a_refusal_not_an_internal_error() -> None:
    error = map_exception(NotImplementedError(), connecting=False)
    assert error.failure is FailureClass.COMMAND_REJECTED, error.describe()


@pytest.mark.parametrize(
    "said",
    [
        "% Invalid input detected at '^' marker.",
        "% Incomplete command.",
        '% Ambiguous command:  "sh i"',
        "syntax error, expecting <command>.",
    ],
)
def test_device_rejections_are_recognised(said: str) -> None:
    assert platforms.generic("x").rejected.search(f"r1#show x\n     ^\n{said}\nr1#")


def test_ordinary_output_is_not_a_rejection() -> None:
    assert not platforms.lookup("cisco_ios").rejected.search(
        "Interface  IP-Address  OK? Method Status  Protocol\nInvalid 0\n"
    )


def test_the_wait_for_data_returns_when_data_arrives_and_consumes_none_of_it() -> None:
    """netmiko_patches._wait_for_data relies on this: a zero-byte read of paramiko's channel
    buffer blocks until data is there, then leaves every byte for netmiko to read."""
    import threading

    from paramiko.buffered_pipe import BufferedPipe, PipeTimeout

    pipe: BufferedPipe[bytes] = BufferedPipe()
    with pytest.raises(PipeTimeout):
        pipe.read(0, 0.01)  # nothing there: it waits, then gives up
    woke = threading.Event()

    def wait() -> None:
        pipe.read(0, 30)
        woke.set()

    waiter = threading.Thread(target=wait)
    waiter.start()
    pipe.feed(b"r1#")
    assert woke.wait(10)
    waiter.join(10)
    assert pipe.read(100, 0) == b"r1#"
