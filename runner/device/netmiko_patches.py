"""Every adjustment netjob makes to netmiko's and paramiko's internals, and the signal
exceptions those hooks raise (runner.device.exception_map turns each into its DeviceError):
a wait for data instead of netmiko's 10 ms polling, echo and late-data checks, a quick
config-mode check for VRP and Comware, the pager and unanswered-question watch, and the
SSH client with netjob's algorithms and host-key policy.

The hooks keep the names they had in runner.device.connection: bench/cpu_profile.py sorts profile
samples by function name (`_wait_for_data`, `_verify_echo`, `_quick_mode_check`, `_detach`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import paramiko
from netmiko.exceptions import ReadException, ReadTimeout

from runner.base.models import ConnectionOptions
from runner.device import hostkeys, sshalgs


# What the hooks below raise, for map_exception (netmiko lets them through as they are).
class ClosedDuringAuth(EOFError):
    """The device closed the connection while it checked the password."""


class NoCommonAlgorithms(Exception):
    def __init__(self, said: str, offered: dict[str, Any] | None, where: str) -> None:
        super().__init__(said)
        self.what, self.key, self.names = sshalgs.no_common(said, offered)
        self.where = where


class SessionClosed(EOFError):
    def __init__(self, partial: str) -> None:
        super().__init__("the device closed the session")
        self.partial = partial


class Paged(Exception):
    def __init__(self, more: str, partial: str) -> None:
        super().__init__(f"the output stopped at a pager prompt {more!r}")
        self.more = more
        self.partial = partial


class Unanswered(Exception):
    def __init__(self, question: str, partial: str, waited: float) -> None:
        super().__init__(f"the device asked {question!r}")
        self.question = question
        self.partial = partial
        self.waited = waited  # seconds from the question's arrival to giving up


class ClosedAtLogin(EOFError):
    """The device accepted the login, opened a shell, then closed the session while
    netmiko set it up (its paging or width commands, or the first prompt)."""

    def __init__(self, seen: str) -> None:
        super().__init__("the device closed the session right after the login")
        self.seen = seen


class ClosedInKeyExchange(EOFError):
    """The device sent its offer of algorithms, then closed the connection before the
    key exchange ended: it took none of netjob's (paramiko offers one list; a device may
    advertise an algorithm it then cannot run, such as group exchange without moduli)."""

    def __init__(self, where: str, ours: dict[str, list[str]], offered: dict[str, Any]) -> None:
        super().__init__("the device closed the connection during the key exchange")
        self.where = where
        self.ours = ours
        self.offered = offered


class NoPrompt(Exception):
    def __init__(self, bound: float, seen: str) -> None:
        super().__init__(f"no prompt within {bound:g}s of logging in")
        self.bound = bound
        self.seen = seen


def _detach(driver: Any) -> None:
    """Make netmiko's read loop fail at its next poll instead of sitting out its timeout:
    paramiko never reports a closed channel as readable, so netmiko would not notice."""
    channel = getattr(driver, "channel", None)
    if channel is not None:
        channel.remote_conn = None


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


WAIT_FOR_DATA_S = 0.02  # the shortest wait: a check due sooner is taken a little late


def _wait_for_data(driver: Any) -> None:
    """While netmiko waits for a pattern it polls: read the channel, sleep 10 ms, again.
    With hundreds of sessions waiting on slow devices those wakeups cost more CPU than the
    SSH work, and every answer also waits out the rest of a sleep. Here, when nothing is
    there to read, the thread sleeps until paramiko's transport hands the channel data
    (or its next check is due: _wait_bound), then netmiko reads and matches exactly as
    before.

    The wait is paramiko's own: a zero-byte read of the channel's buffer blocks until
    data is there and consumes nothing. (Not channel.fileno() and poll(): paramiko then
    keeps writing to a pipe it already closed, whose number another session may reuse.)
    """
    read_channel = driver.read_channel
    # Only inside read_until_pattern: clear_buffer's and read_channel_timing's reads mean
    # "whatever is there now" and must not wait.
    waiting = threading.local()
    driver._netjob_received = []  # what the current command got so far (see _heard)
    driver._netjob_seen = ""  # the last characters the device sent
    driver._netjob_heard = time.monotonic()
    driver._netjob_deadline = None  # when the current wait's read timeout ends (see watched)

    send_command = driver.send_command

    def read_or_wait() -> str:
        channel = driver.remote_conn
        if getattr(waiting, "on", False) and channel is not None and not driver._read_buffer:
            with contextlib.suppress(Exception):  # a timeout, or a closed channel: read
                channel.in_buffer.read(0, _wait_bound(driver))
        buffered = str(driver._read_buffer or "")
        data = str(read_channel())
        if getattr(waiting, "watch", False):
            # What netmiko kept back from an earlier read comes again: heard once only.
            _heard(driver, channel, data[len(buffered) :] if data.startswith(buffered) else data)
        return data

    def until_pattern(*args: Any, **kwargs: Any) -> str:
        outer = getattr(waiting, "on", False)
        waiting.on = True
        try:
            return str(watched(functools.partial(_read_until, driver), *args, **kwargs))
        finally:
            waiting.on = outer

    def watched(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """netmiko's waits for a pattern (read_until_pattern, and send_command's own loop)
        with what they read watched by _heard."""
        outer, outer_deadline = getattr(waiting, "watch", False), driver._netjob_deadline
        waiting.watch = True
        driver._netjob_heard = time.monotonic()
        bound = float(kwargs.get("read_timeout", 10.0))  # netmiko's default for both
        driver._netjob_deadline = driver._netjob_heard + bound if bound > 0 else None
        try:
            return read(*args, **kwargs)
        finally:
            waiting.watch, driver._netjob_deadline = outer, outer_deadline

    def command(*args: Any, **kwargs: Any) -> Any:
        """send_command's own loop (a 25 ms sleep, a read, again) waits for data too, when
        it waits for a pattern it was given: without one it finds the prompt first, whose
        reads mean "whatever is there now"."""
        outer = getattr(waiting, "on", False)
        waiting.on = kwargs.get("expect_string") is not None
        try:
            return watched(send_command, *args, **kwargs)
        finally:
            waiting.on = outer

    driver.read_channel = read_or_wait
    driver.read_until_pattern = until_pattern
    driver.send_command = command


def _read_until(
    driver: Any,
    pattern: str = "",
    read_timeout: float = 10.0,
    re_flags: int = 0,
    max_loops: int | None = None,  # netmiko's, deprecated: read_timeout rules
) -> str:
    """netmiko's read_until_pattern (BaseConnection's, which no driver overrides), to the
    same result: what the device sent up to and including the pattern's first match, the
    rest kept in netmiko's read buffer; ReadTimeout past `read_timeout` (0: none). netmiko
    compiled the pattern up to three times (a search, then a split, then a split with it in
    parentheses), and a pattern holds the device's prompt, new to Python's cache for every
    device: 5 compiles a session, 0.3 ms of CPU. Here it is compiled once; the reads, the
    matching and netmiko's pause between them are as netmiko's."""
    if driver.read_timeout_override:
        read_timeout = driver.read_timeout_override
    compiled = re.compile(pattern, re_flags)
    output = ""
    start = time.time()
    while time.time() - start < read_timeout or not read_timeout:
        data = str(driver.read_channel())
        output += data
        found = compiled.search(output)
        if found is None:
            # netmiko's loop delay, after every read that did not match: what arrives in
            # it is matched as one read. Matching each packet as it comes would search a
            # long echo (a config loaded by terminal) once per packet, and test a prompt
            # anchored at the end at every packet's end.
            time.sleep(0.01)
            continue
        # netmiko's split keeps the whole match when the pattern has no group of its own,
        # else its one group; more groups, or a group that matched nothing, are its error.
        groups = compiled.groups
        matched = found.group(groups) if groups < 2 else None
        if matched is None:
            raise ReadException(f"Unable to successfully split output based on pattern: {pattern}")
        if found.end() < len(output):
            driver._read_buffer += output[found.end() :]
        output = output[: found.start()] + matched
        if _NETMIKO_LOG.isEnabledFor(logging.DEBUG):  # netmiko's own debug line
            shown = pattern if groups else f"({pattern})"
            _NETMIKO_LOG.debug(f"Pattern found: {shown} {output}")
        return output
    raise ReadTimeout(
        f"\n\nPattern not detected: {pattern!r} in output.\n\nThings you might try to fix "
        "this:\n1. Adjust the regex pattern to better identify the terminating string. Note, "
        "in\nmany situations the pattern is automatically based on the network device's "
        "prompt.\n2. Increase the read_timeout to a larger value.\n\nYou can also look at "
        "the Netmiko session_log or debug log for more information.\n\n"
    )


_NETMIKO_LOG = logging.getLogger("netmiko")


def _wait_bound(driver: Any) -> float:
    """How long one wait for data may last: until the wait's next check is due (a quiet
    second at a pager or a question, runner.device.enable's stuck prompt), else until
    netmiko's read timeout ends (a second at a time where it is not known). A closed
    channel wakes the wait at once, so this bounds only a silent, live device: a session
    waiting 2 s for a slow answer wakes once, not 200 times (nor once a second)."""
    now = time.monotonic()
    quiet = now - float(driver._netjob_heard)
    deadline = getattr(driver, "_netjob_deadline", None)
    if deadline is not None and _quiet_check(driver) is None:
        return max(WAIT_FOR_DATA_S, float(deadline) - now)
    return max(WAIT_FOR_DATA_S, PAGER_QUIET_S - quiet if quiet < PAGER_QUIET_S else PAGER_QUIET_S)


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
        raise SessionClosed("".join(driver._netjob_received))
    waited = now - driver._netjob_heard
    if waited >= PAGER_QUIET_S:
        check = _quiet_check(driver)
        if check is not None:
            check(waited)


def _quiet_check(driver: Any) -> Callable[[float], None] | None:
    """What a quiet second calls for, by what the device said last (None: nothing; a
    wait then sleeps until netmiko's read timeout, _wait_bound): a pager's prompt or a
    question ends the wait (Paged, Unanswered), and the enable exchange checks its own."""
    seen = str(driver._netjob_seen)
    more = _PAGER.search(seen)
    if more:
        pager = more.group(0).strip()

        def paged(waited: float) -> None:
            raise Paged(pager, "".join(driver._netjob_received))

        return paged
    asked = _QUESTION.search(seen)
    if asked:
        question = asked.group(0).strip()

        def unanswered(waited: float) -> None:
            raise Unanswered(question, "".join(driver._netjob_received), waited)

        return unanswered
    on_quiet = getattr(driver, "_netjob_on_quiet", None)  # runner.device.enable's check
    return None if on_quiet is None else (lambda waited: on_quiet())


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
    """netmiko's SSH client, with the host's algorithms (runner.device.sshalgs) and host-key
    checking (runner.device.hostkeys: before authentication, as paramiko orders it; netmiko's own
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
            raise NoCommonAlgorithms(str(exc), offered, self._where) from exc
        except paramiko.AuthenticationException as exc:
            transport = self.get_transport()
            if transport is None or transport.is_active() or "timeout" in str(exc):
                raise
            self.close()
            raise ClosedDuringAuth() from exc
        except (EOFError, OSError, paramiko.SSHException) as exc:
            # The device may find no algorithm in common first, and close: paramiko then
            # reads an EOF (netmiko: "TCP connection to device failed"). Its offer, read
            # before it closed, says whether that was why (netmiko's Fortinet driver
            # narrows the key exchanges to SHA-1 ones a modern server does not offer).
            transport = self.get_transport()
            offered = getattr(transport, "offered", None)
            if offered is None or (transport is not None and transport.session_id):
                raise  # before the device's offer, or after the key exchange
            said = sshalgs.nothing_in_common(transport)
            ours = sshalgs.ours(transport)
            self.close()
            if said is None:
                raise ClosedInKeyExchange(self._where, ours, offered) from exc
            raise NoCommonAlgorithms(said, offered, self._where) from exc
