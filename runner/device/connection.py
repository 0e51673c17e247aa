"""The Connection protocol (the seam the executor and steps use: everything they call or
read on a session is declared here, so a fake is checked against it by mypy), and
NetmikoConnection, netmiko behind it.

NetmikoConnection only puts the jobs of a session behind the protocol; each job has its
own module:
- opening a session (TCP or a bastion's channel, the login in two bounded parts, enable,
  netmiko's parameters): runner.device.login
- the session's state and what its steps share (prompts, resynchronising, the way back
  to a known state after a refusal, the mapping of a failure): runner.device.session
- exec-mode steps (show, command with answers, save): runner.device.commands
- config-mode steps (lines, commits, revert timers, load replace): runner.device.configure
- put and get over SCP: runner.device.files (the copying itself: runner.device.transfer)

Before, from here: `Lease` (runner.device.lease), the TCP connection (runner.device.dial),
the adjustments of netmiko's and paramiko's internals (runner.device.netmiko_patches), the
mapping of foreign exceptions (runner.device.exception_map).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from runner.base.models import Credentials, Host
from runner.base.revert_timer import TimedChange
from runner.device import commands, configure, files, login, transfer
from runner.device.exception_map import naming
from runner.device.lease import Lease
from runner.device.session import Session


class Connection(Protocol):
    """One open session to one host. Implementations: NetmikoConnection, tests' fakes.

    Every member a caller uses is declared here: callers never probe a connection for an
    attribute (tests/test_connection_protocol.py holds them to it)."""

    @property
    def notes(self) -> Sequence[str]:
        """What the report says once, on the host's first step (a platform outside the
        table, telnet's clear text, an enable secret the platform has no use for)."""
        ...

    @property
    def ended(self) -> bool:
        """The device ended the session, as a step allowed (`allow_disconnect`, `reload`)."""
        ...

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str: ...

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str: ...

    def send_timed_config(
        self, lines: Sequence[str], read_timeout: float, timed: TimedChange | None
    ) -> str:
        """send_config under the device's revert timer (runner.run.confirm)."""
        ...

    def confirm_change(self, timed: TimedChange, read_timeout: float) -> str:
        """Confirm a change pending under the device's revert timer (runner.run.confirm)."""
        ...

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
    the platform table; the modules named above drive netmiko accordingly and check every
    answer.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    @classmethod
    def open(cls, host: Host, credentials: Credentials, lease: Lease) -> NetmikoConnection:
        """Connect and log in; a DeviceError raised on the way names the host (`.host`)."""
        with naming(host):
            return cls(login.open_session(host, credentials, lease))

    @property
    def notes(self) -> Sequence[str]:
        return tuple(self._session.notes)

    @property
    def ended(self) -> bool:
        return self._session.ended

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str:
        return commands.send_show(self._session, command, read_timeout, expect_string)

    def send_command(
        self,
        command: str,
        read_timeout: float,
        answers: Sequence[tuple[str, str]],
        allow_disconnect: bool = False,
    ) -> str:
        return commands.send_command(
            self._session, command, read_timeout, answers, allow_disconnect
        )

    def save(self) -> str:
        return commands.save(self._session)

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str:
        return configure.send_config(self._session, lines, read_timeout)

    def send_timed_config(
        self, lines: Sequence[str], read_timeout: float, timed: TimedChange | None
    ) -> str:
        return configure.send_timed_config(self._session, lines, read_timeout, timed)

    def confirm_change(self, timed: TimedChange, read_timeout: float) -> str:
        return configure.confirm_change(self._session, timed, read_timeout)

    def load_replace(
        self, command: str, text: str, read_timeout: float, timed: TimedChange | None = None
    ) -> str:
        return configure.load_replace(self._session, command, text, read_timeout, timed)

    def put_file(
        self,
        source: Path,
        dest: str,
        read_timeout: float,
        progress: transfer.Progress | None = None,
    ) -> transfer.Copied:
        return files.put_file(self._session, source, dest, read_timeout, progress)

    def get_file(
        self,
        source: str,
        dest: Path,
        read_timeout: float,
        progress: transfer.Progress | None = None,
    ) -> transfer.Copied:
        return files.get_file(self._session, source, dest, read_timeout, progress)

    def close(self) -> None:
        self._session.close()
