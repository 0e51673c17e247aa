"""NetmikoConnection: netmiko behind the Connection protocol (what executor and steps use),
the login in two bounded parts, and what netmiko gets to connect (the parameters).

What was here before and moved (each module has one job):
- `Lease` (the watchdog's hold on a session): runner.device.lease, which needs no netmiko.
- the TCP connection (`dial`, `Sock`, `close_sock`, was `close_sock`): runner.device.dial.
- the adjustments of netmiko's and paramiko's internals (`_wait_for_data`, `_verify_echo`,
  `_late_data`, `_quick_mode_check`, `_detach`, `_Client`, the pager and question watch)
  and the exceptions they raise (`Paged`, `Unanswered`, `SessionClosed`, `NoPrompt`,
  `NoCommonAlgorithms`, `ClosedDuringAuth`, were `Paged`...): runner.device.netmiko_patches.
- the mapping of foreign exceptions to DeviceErrors (`map_exception`, `SESSION_LIMIT`, and
  `mapped`, its context manager): runner.device.exception_map.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException

from runner.base import platform_names, platforms
from runner.base.errors import (
    AuthenticationError,
    CommandRejectedError,
    CommandTimeoutError,
    ConnectionLostError,
    ConnectTimeoutError,
    DeviceError,
    FailureClass,
    HostTimeoutError,
    JumpFailedError,
    SessionDesyncError,
    UnansweredPromptError,
)
from runner.base.logs import tag_sock
from runner.base.models import Credentials, Host
from runner.base.revert_timer import TimedChange
from runner.base.watchdog import Watchdog
from runner.device import drivers, enable, jump, load_text, transfer
from runner.device.dial import Sock, close_sock, dial
from runner.device.exception_map import (
    first_line,
    map_exception,
    mapped,
    naming,
    quote,
    rejected_config,
)
from runner.device.lease import Lease
from runner.device.netmiko_patches import (
    _QUESTION,
    ClosedAtLogin,
    NoPrompt,
    Paged,
    SessionClosed,
    Unanswered,
    _Client,
    _detach,
    _late_data,
    _netmiko_lacks,
    _quick_mode_check,
    _verify_echo,
    _wait_for_data,
)


class Connection(Protocol):
    """One open session to one host. Implementations: NetmikoConnection, tests' fakes.

    A change under the device's revert timer (runner.run.confirm) needs two more methods,
    asked for by name so that a fake without them still is a Connection:
    `send_timed_config(lines, read_timeout, timed)` and `confirm_change(timed,
    read_timeout)` (NetmikoConnection has both)."""

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

    def load_replace(
        self, command: str, text: str, read_timeout: float, timed: TimedChange | None = None
    ) -> str: ...

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
        # A candidate that only commit applies: the table says, or netmiko's class has a
        # commit() of its own (runner.device.drivers).
        self._commits = info.commits or (not info.known and drivers.has_commit(driver))
        self._release: Callable[[], None] = _nothing  # a bastion's session slot
        self._through: jump.Through | None = None  # the bastions, to blame for a cut session
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
        """Connect and log in; a DeviceError raised on the way names the host (`.host`)."""
        with naming(host):
            return cls._open(host, credentials, lease)

    @classmethod
    def _open(cls, host: Host, credentials: Credentials, lease: Lease) -> NetmikoConnection:
        if host.connection.transport == "telnet":
            return cls._open_telnet(host, credentials, lease)
        route = jump.route(host)
        release: Callable[[], None] = _nothing
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
        connection = cls(driver, info)
        connection._release, connection._through = release, through
        connection._scp_socket = functools.partial(_scp_socket, driver, host, lease)
        if credentials.secret:
            connection._enable()
        return connection

    def _enable(self) -> None:
        info = self._info
        if not info.enable or (not info.known and _netmiko_lacks(self._driver, "enable")):
            self.notes.append(f"enable secret ignored: {info.title} has no enable mode")
            return
        driver = self._driver
        try:
            if info.enable_fast:
                enable.enable(driver, self._enable_known_prompt)
            else:
                enable.enable(driver, self._enable_generic)
            self._enabled = True
        except DeviceError:
            self.close()
            raise
        except Exception as exc:
            error = self._mapped(exc, connecting=True, during="enable")
            self.close()
            raise error from exc

    def _enable_generic(self) -> None:
        self._driver.enable()
        if not self._driver.check_enable_mode():
            raise ValueError("not in enable mode after enable")

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
            with mapped(to=lambda exc: self._mapped(exc, during=f"'{command}'")):
                driver._netjob_before_echo = ""
                expect = expect_string or prompt or self._found_prompt()
                output: str = driver.send_command(
                    command, read_timeout=read_timeout, expect_string=expect
                )
                stale = str(getattr(driver, "_netjob_before_echo", ""))
                late = _late_data(driver)
                if not late and not output.strip():
                    # An empty answer may be a prompt that came before the output: ask for
                    # a fresh prompt and see whether anything else comes first.
                    late = self._probe(prompt, min(read_timeout, 10.0))
        finally:
            driver._netjob_received = []  # kept only for a failure's partial output
        if self._unexpected(stale, prompt) or self._unexpected(late, prompt):
            self._resync()
            raise SessionDesyncError(
                f"the output of '{command}' cannot be trusted: the device printed "
                f"{quote(stale or late)} {'before echoing' if stale else 'after answering'} "
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
        return self.send_timed_config(lines, read_timeout, None)

    def send_timed_config(
        self, lines: Sequence[str], read_timeout: float, timed: TimedChange | None
    ) -> str:
        """send_config, the change under the device's revert timer when `timed` is given
        (the platform table's RevertTimer says how: runner.base.revert_timer)."""
        self._check_usable()
        driver, info = self._driver, self._info
        timer = info.revert if timed is not None else None
        self._settled = False  # until config mode is left for sure
        driver._netjob_received = []
        try:
            if timed is not None and timer is not None and timer.enter:
                command = timer.fill(timer.enter, timed.seconds, timed.session)
                output = self._starting_timer(timed, lambda: str(driver.config_mode(command)))
            else:
                output = str(driver.config_mode())
        except ValueError as exc:  # netmiko: "Failed to enter configuration mode"
            # The device's own words, where it gave any (IOS: "% Archive path not
            # configured" to `configure terminal revert timer N`), over netmiko's.
            received = "".join(getattr(driver, "_netjob_received", []))
            said = next(
                (ln.strip() for ln in received.splitlines() if ln.strip().startswith("%")), ""
            )
            entered = (command,) if timed is not None and timer is not None and timer.enter else ()
            self._recover()
            raise CommandRejectedError(
                f"the device refused config mode: {said or first_line(str(exc))}",
                hint=self._unprivileged_hint()
                or (None if said else "check the user's privilege on the device"),
                sent=entered,
                output=received,
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="entering config mode") from exc
        output += self._send_lines(lines, read_timeout)
        if timed is not None and timer is not None and timer.commit:
            commit = timer.fill(timer.commit, timed.seconds, timed.session)
            output += self._starting_timer(
                timed, lambda: self._timed_commit(commit, tuple(lines), read_timeout)
            )
        elif self._commits:
            output += self._commit(tuple(lines), read_timeout)
        try:
            output += str(driver.exit_config_mode())
        except Exception as exc:
            done = "committed" if self._commits else "applied"
            self._broken = "it could not leave configuration mode"
            raise SessionDesyncError(
                f"the lines were {done}, but the session could not leave configuration "
                f"mode: {first_line(str(exc))}",
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
            output = drivers.send_config_set(
                self._driver,
                lines,
                read_timeout=read_timeout,
                # Inline flags: netmiko compiles the string itself, and devices print
                # `Unknown command` and `% unknown command` alike.
                error_pattern="(?i)" + self._info.rejected.pattern,
                enter_config_mode=False,
            )
        except ConfigInvalidException as exc:
            self._recover()
            refused = re.search(r"at command: (.*?), matched error:", str(exc), re.S)
            sent = _sent_until(lines, refused.group(1) if refused else None)
            raise CommandRejectedError(
                rejected_config(str(exc)) + self._recovered(), sent=sent, output=str(exc)
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
            output = drivers.commit(self._driver, read_timeout)
        except ValueError as exc:  # netmiko: "Commit failed with the following errors"
            self._recover()
            said = _refusal(self._info.commit_rejected, str(exc), head=None)
            raise CommandRejectedError(
                f"the device refused the commit: {said or first_line(str(exc))}"
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

    def _starting_timer(self, timed: TimedChange, send: Callable[[], str]) -> str:
        timed.starting()
        try:
            return send()
        except (CommandRejectedError, ValueError):
            timed.refused()  # the device refused the command: its timer never started
            raise

    def _timed_commit(self, command: str, lines: tuple[str, ...], read_timeout: float) -> str:
        """The commit that starts the timer (`commit confirmed N`, EOS `commit timer`),
        checked as any commit is."""
        prompt = self._prompt_pattern() or r"[>#\]%]\s*$"
        try:
            output = str(
                self._driver.send_command(
                    command, expect_string=prompt, read_timeout=read_timeout, cmd_verify=False
                )
            )
        except Exception as exc:
            raise self._mapped(exc, during=f"'{command}'") from exc
        said = _refusal(self._info.commit_rejected, output, head=None)
        if said:
            self._recover()
            raise CommandRejectedError(
                f"the device refused '{command}': {said}{self._recovered()}",
                sent=(*lines, command),
                output=output,
            )
        return output

    def confirm_change(self, timed: TimedChange, read_timeout: float) -> str:
        """Confirm a pending timed change from this session (a fresh login): `commit` in
        config mode (Junos, IOS-XR), or the platform's exec command (EOS, IOS). What the
        device says is returned; whether the change is still there is for the caller to
        read from the running config."""
        timer = self._info.revert
        if timer is None:
            raise CommandRejectedError(f"{self._info.title} has no revert timer to confirm")
        if timer.confirm_in_config:
            return self.send_config([], read_timeout)
        said = []
        for command in timer.confirm:
            filled = timer.fill(command, timed.seconds, timed.session)
            said.append(self.send_show(filled, read_timeout, None))
        return "\n".join(said)

    def load_replace(
        self, command: str, text: str, read_timeout: float, timed: TimedChange | None = None
    ) -> str:
        """A whole config typed after `command` in config mode (Junos `load override
        terminal`, runner.device.load_text), then committed (with `timed`, by the
        platform's timed commit: `commit confirmed N`). A load the device did not take
        whole is dropped (the platform's discard), never committed."""
        self._check_usable()
        driver = self._driver
        self._settled = False
        prompt = self._prompt_pattern() or re.escape(str(driver.base_prompt))
        try:
            output = str(driver.config_mode())
            output += load_text.load_terminal(driver, command, text, prompt, read_timeout)
        except Exception as exc:
            raise self._mapped(exc, during=f"'{command}'") from exc
        failed = load_text.LOAD_FAILED.search(output)
        if failed:
            self._recover()
            raise CommandRejectedError(
                f"the device did not take the whole config ('{command}': "
                f"{output[failed.start() :].splitlines()[0].strip()}){self._recovered()}",
                sent=(command,),
                output=output,
            )
        timer = self._info.revert if timed is not None else None
        if timed is not None and timer is not None and timer.commit:
            commit = timer.fill(timer.commit, timed.seconds, timed.session)
            output += self._starting_timer(
                timed, lambda: self._timed_commit(commit, (command,), read_timeout)
            )
        else:
            output += self._commit((command,), read_timeout)
        try:
            output += str(driver.exit_config_mode())
        except Exception as exc:
            self._broken = "it could not leave configuration mode"
            raise self._mapped(exc, during="leaving config mode after the commit") from exc
        self._settled = True
        return output

    def save(self) -> str:
        self._check_usable()
        info = self._info
        if info.save is platforms.Save.COMMIT:
            return "(kept by the commit)"
        asks = None if info.known else drivers.save_question(self._driver)
        try:
            output = self._save_answering(*asks) if asks else str(self._driver.save_config())
        except NotImplementedError as exc:  # caught when the job loads; a safety net
            raise CommandRejectedError(
                f"netmiko has no save for {info.title}: the lines were applied, not saved",
                hint="drop `save: true` from this task",
            ) from exc
        except ValueError as exc:  # some drivers raise when the save's answer is wrong
            raise CommandRejectedError(
                f"the device refused to save the config: {first_line(str(exc))}",
                hint="the lines were applied but not saved; check the device's storage",
            ) from exc
        except Exception as exc:
            raise self._mapped(exc, during="saving the config") from exc
        if info.config_prompt_end:
            output += self._back_from_save()
        said = _refusal(info.rejected, output, head=None) or _refusal(_SAVE_FAILED, output, None)
        if said:
            raise CommandRejectedError(
                f"the device refused to save the config: {said}",
                hint="the lines were applied but not saved; check the device's storage",
                output=output,
            )
        return output

    def _save_answering(self, command: str, answer: str) -> str:
        """The save's command, its question (if the device asks one) answered."""
        question = f"(?i:{_QUESTION.pattern})"
        try:
            return self.send_command(command, _SAVE_TIMEOUT_S, ((question, answer),))
        except CommandRejectedError as exc:
            raise ValueError(str(exc).removeprefix("the device rejected ")) from exc

    def _back_from_save(self) -> str:
        """netmiko's Comware save_config() calls its enable(), which is `system-view`, and
        leaves the session there: the next show waited for the user view's prompt until
        it timed out. Back to where the save found it (a quick prompt read: VRP, Comware)."""
        try:
            if self._driver.check_config_mode():
                return str(self._driver.exit_config_mode())
        except Exception as exc:
            self._broken = f"it could not leave configuration mode after the save ({exc})"
        return ""

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
                    f"'{command}' asked over {_MAX_ANSWERS} questions; the last was {quote(last)}"
                )
        except SessionClosed as exc:
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
        """`source` to `dest` on the device over SCP (see runner.device.transfer); `progress`
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
                f"{doing}: {first_line(str(exc)) or type(exc).__name__}",
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
            self._broken = f"the prompt could not be found again ({first_line(str(exc))})"

    def _found_prompt(self, tries: int = 3) -> str | None:
        """A platform outside the table: the prompt as netmiko finds it (a RETURN, then
        the last line read), taken only when it holds the base prompt learnt at login. On
        a busy machine the read may end inside a late answer to an earlier line, and its
        last line (`Unknown command`) would become the pattern the command waits for: a
        timeout. None: netmiko finds it itself, as before."""
        base = str(self._driver.base_prompt or "")
        for _ in range(tries if base else 0):
            found = str(self._driver.find_prompt()).strip()
            if base in found:
                return re.escape(found)
        return None

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
        with mapped(connecting=True, host=host), lease.login_slot():
            driver = ConnectHandler(**params)
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
        if isinstance(error, SessionDesyncError) and isinstance(exc, Paged):
            self._broken = f"the device pages its output ({exc.more!r})"
        if isinstance(exc, Unanswered):
            # Ctrl-C cancels the question (IOS's copy, delete, reload); then the prompt.
            with contextlib.suppress(Exception):
                self._driver.write_channel("\x03")
            self._resync()
        # (A session that was open: at enable, paramiko's "Socket is closed" is no
        # connection that could not be made.)
        lost = CommandTimeoutError | ConnectionLostError | ConnectTimeoutError
        if isinstance(error, lost) and not self._alive():
            where = f" during {during}" if during else ""
            partial = error.output or "".join(self._driver._netjob_received)
            kept = f" after {len(partial)} characters of output" if partial else ""
            error = ConnectionLostError(
                f"the device closed the session{where}{kept}", output=partial
            )
        return jump.blamed(error, self._through, during)

    def _alive(self) -> bool:
        try:
            transport = self._driver.remote_conn.get_transport()
            return bool(transport and transport.is_active() and not self._driver.remote_conn.closed)
        except Exception:
            return False


_SAVE_TIMEOUT_S = 120.0  # netmiko's own bound for a save that asks nothing
# What a save that did not happen looks like, beyond the platform's refusal forms.
_SAVE_FAILED = re.compile(
    r"^[ \t]*(?:.*\b(?:fail(?:ed|ure)?|denied|not saved|aborted)\b).*$",
    re.MULTILINE | re.IGNORECASE,
)


def _refusal(
    pattern: re.Pattern[str] | platforms.Refusals, output: str, head: int | None = 6
) -> str | None:
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


def _closed_by_device(exc: BaseException) -> bool:
    """After the login and the shell's opening, the session broke: the device closed it
    (paramiko's "Socket is closed" when netmiko writes its next set-up command, an EOF,
    netjob's SessionClosed), not a connection that could not be made."""
    if isinstance(exc, TimeoutError | Paged | Unanswered):
        return False
    return isinstance(exc, OSError | EOFError | paramiko.SSHException)


_MAX_ANSWERS = 10  # questions one command may ask: more is a loop, not a dialogue


def _scp_socket(driver: Any, host: Host, lease: Lease) -> AbstractContextManager[object]:
    """A new connection to the device for netmiko's SCP session, the way the session's own
    was made (through the same bastions); the watchdog cuts it too."""
    route = jump.route(host)
    release: Callable[[], None] = _nothing
    if route.jumps:
        sock: Sock
        through = jump.open_channel(route, host.connection, lease)
        sock, release = through.channel, through.release
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
