"""Session: the state of one netmiko session (the driver, its platform, whether it is
usable, in config mode, enabled) and what every kind of step on it shares: the prompt,
the checks that an answer belongs to its command, the way back to a known state after a
refusal, and the session's own mapping of a failure (which looks at its state).

The steps themselves live by job: runner.device.commands (show, command, save),
runner.device.configure (config lines, commits, revert timers, load replace) and
runner.device.files (put, get); runner.device.connection puts them behind the Connection
protocol.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from runner.base import platforms
from runner.base.errors import (
    CommandTimeoutError,
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    SessionDesyncError,
)
from runner.base.platform_forms import Refusals
from runner.device import drivers, jump, transfer
from runner.device.exception_map import first_line, map_exception
from runner.device.netmiko_patches import Paged, Unanswered, _late_data


class Session:
    """One logged-in netmiko session and its state; steps take it as their first argument."""

    def __init__(self, driver: Any, info: platforms.PlatformInfo) -> None:
        self.driver = driver
        self.info = info
        # A candidate that only commit applies: the table says, or netmiko's class has a
        # commit() of its own (runner.device.drivers).
        self.commits = info.commits or (not info.known and drivers.has_commit(driver))
        self.through: jump.Through | None = None  # the bastions, to blame for a cut session
        self.ended = False  # the device ended the session, as a step allowed (`reload`)
        self.settled = True  # False while a config step may have left config mode open
        self.enabled = False  # True once enable() succeeded
        self.broken: str | None = None  # why the session can no longer be trusted
        self.notes: list[str] = []  # said once in the report, on the host's first step
        self.release: Callable[[], None] = nothing  # a bastion's session slot
        # A fresh socket (or bastion channel) for netmiko's SCP connection; see transfer.py.
        self.scp_socket: transfer.ScpSocket | None = None
        if not info.known:
            self.notes.append(
                f"'{info.name}' is not in netjob's platform table: commands sent as written, "
                "not compared with the running config, refusals judged by common forms"
            )

    def close(self) -> None:
        driver = self.driver
        if self.settled and not self.broken:
            # netmiko's cleanup() asks "still in config mode?" (a round trip) before its
            # `exit`; we know we are not, so only the `exit` is sent.
            driver.cleanup = lambda command="exit": driver.write_channel(command + driver.RETURN)
        # Closing a broken session must never fail a host.
        with contextlib.suppress(Exception):
            driver.disconnect()
        release, self.release = self.release, nothing
        release()

    def recover(self) -> None:
        """Back to a known state after a refusal: the candidate dropped (where there is
        one) and config mode left, so a later step (under ignore_errors) starts clean."""
        driver = self.driver
        try:
            for command in self.info.discard:
                driver.send_command(
                    command, expect_string=r"[>#\]%]\s*$", read_timeout=10, cmd_verify=False
                )
            if driver.check_config_mode():
                driver.exit_config_mode()
            still = driver.check_config_mode()
        except Exception as exc:
            self.broken = f"it could not leave configuration mode after a refusal ({exc})"
            return
        if still:
            self.broken = (
                "it could not leave configuration mode after a refusal "
                "(still in configuration mode)"
            )
        else:
            self.settled = True

    def recovered(self) -> str:
        if self.broken:
            return f"; and {self.broken}"
        if self.info.discard:
            return "; the candidate was discarded, nothing was applied"
        return ""

    def check_usable(self) -> None:
        if self.broken:
            raise SessionDesyncError(f"the session cannot be used: {self.broken}")

    def unexpected(self, text: str, prompt: str | None) -> bool:
        """Whether `text` (read before an echo, or after a prompt) holds anything but
        prompts and blank lines: the rest of an answer that was taken as complete."""
        base = re.escape(str(self.driver.base_prompt))
        shape = re.compile(prompt or rf"(?:^|[\r\n])[<\[]?{base}[^\r\n]{{0,40}}[>#\]$%]\s*$")
        for line in text.replace("\r", "\n").split("\n"):
            if line.strip() and not shape.search(line.strip()):
                return True
        return False

    def probe(self, prompt: str | None, timeout: float) -> str:
        driver = self.driver
        driver.write_channel(driver.RETURN)
        pattern = prompt or re.escape(str(driver.base_prompt))
        return str(driver.read_until_pattern(pattern=pattern, read_timeout=timeout))

    def resync(self) -> None:
        """Find the prompt again after a desynchronisation: drain what the device still
        sends, then ask for a fresh prompt."""
        prompt = self.prompt_pattern()
        try:
            for _ in range(3):  # a fresh prompt, and nothing after it: in step again
                answer = self.probe(prompt, 5.0) + _late_data(self.driver)
                lines = [line for line in answer.splitlines() if line.strip()]
                if len(lines) <= 1 and not _late_data(self.driver):
                    return
        except Exception as exc:
            self.broken = f"the prompt could not be found again ({first_line(str(exc))})"
            return
        self.broken = (
            "the prompt could not be found again (the device kept printing after its prompt)"
        )

    def found_prompt(self, tries: int = 3) -> str | None:
        """A platform outside the table: the prompt as netmiko finds it (a RETURN, then
        the last line read), taken only when it holds the base prompt learnt at login. On
        a busy machine the read may end inside a late answer to an earlier line, and its
        last line (`Unknown command`) would become the pattern the command waits for: a
        timeout. None: netmiko finds it itself, as before."""
        base = str(self.driver.base_prompt or "")
        for _ in range(tries if base else 0):
            found = str(self.driver.find_prompt()).strip()
            if base in found:
                return re.escape(found)
        return None

    def prompt_pattern(self) -> str | None:
        """The prompt netmiko learnt at login (refreshed after config steps), in the
        platform's shape. Finding it again before every command, as netmiko does by
        default, costs a round trip and two sleeps: only done for a platform the table
        does not know."""
        shape = self.info.prompt
        return shape(re.escape(str(self.driver.base_prompt))) if shape else None

    def unprivileged_hint(self) -> str | None:
        """After a refusal, one question (a round trip, on the failure path only): is the
        session unprivileged? Then the command was fine and the enable secret is missing."""
        if self.enabled or not self.info.enable:
            return None
        try:
            privileged = bool(self.driver.check_enable_mode())
        except Exception:
            return None
        if privileged:
            return None
        return (
            "the session is not in enable mode: give this host an enable secret "
            "(secret_env in the inventory; ansible_become_password; Nornir extras.secret)"
        )

    def mapped(self, exc: Exception, connecting: bool = False, during: str = "") -> DeviceError:
        """A timeout on a session the device already closed is a lost connection."""
        error = map_exception(exc, connecting=connecting)
        if isinstance(error, SessionDesyncError) and isinstance(exc, Paged):
            self.broken = f"the device pages its output ({exc.more!r})"
        if isinstance(exc, Unanswered):
            # Ctrl-C cancels the question (IOS's copy, delete, reload); then the prompt.
            with contextlib.suppress(Exception):
                self.driver.write_channel("\x03")
            self.resync()
        # (A session that was open: at enable, paramiko's "Socket is closed" is no
        # connection that could not be made.)
        lost = CommandTimeoutError | ConnectionLostError | ConnectTimeoutError
        if isinstance(error, lost) and not self.alive():
            where = f" during {during}" if during else ""
            partial = error.output or "".join(self.driver._netjob_received)
            kept = f" after {len(partial)} characters of output" if partial else ""
            error = ConnectionLostError(
                f"the device closed the session{where}{kept}", output=partial
            )
        return jump.blamed(error, self.through, during)

    def alive(self) -> bool:
        try:
            transport = self.driver.remote_conn.get_transport()
            return bool(transport and transport.is_active() and not self.driver.remote_conn.closed)
        except Exception:
            return False


def refusal(pattern: re.Pattern[str] | Refusals, output: str, head: int | None = 6) -> str | None:
    """The device's words when `output` holds one of its refusal forms, else None.

    A show's refusal comes first, right after the echo: only its first lines are read, so
    a log line saying "Error: ..." deep inside `show logging` is not a refusal."""
    text = output if head is None else "\n".join(output.lstrip("\r\n").splitlines()[:head])
    found = pattern.search(text)
    return " ".join(found.group(0).split()) if found else None


def sent_until(lines: Sequence[str], refused: str | None) -> tuple[str, ...]:
    """The lines that reached the device: up to the refused one, which was sent too."""
    if refused is None:
        return tuple(lines)
    for index, line in enumerate(lines):
        if line.strip() == refused.strip():
            return tuple(lines[: index + 1])
    return tuple(lines)


def nothing() -> None:
    return None
