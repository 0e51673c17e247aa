"""In-memory fakes for pure logic tests. End-to-end tests use the real lab instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runner.base.errors import CommandRejectedError, DeviceError
from runner.base.models import Credentials, Host
from runner.base.revert_timer import TimedChange
from runner.device.lease import Lease
from runner.device.transfer import Copied, Progress


@dataclass
class FakeConnection:
    host: Host
    outputs: dict[str, str] = field(default_factory=dict)
    fail_on: dict[str, DeviceError] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    closed: bool = False
    notes: tuple[str, ...] = ()
    ended: bool = False

    def send_show(self, command: str, read_timeout: float, expect_string: str | None) -> str:
        self.sent.append(command)
        if command in self.fail_on:
            raise self.fail_on[command]
        return self.outputs.get(command, f"{self.host.name}: {command}")

    def send_config(self, lines: Sequence[str], read_timeout: float) -> str:
        self.sent.extend(lines)
        for line in lines:
            if line in self.fail_on:
                raise self.fail_on[line]
        return "\n".join(lines)

    def save(self) -> str:
        self.sent.append("write memory")
        return "[OK]"

    # The rest of the Connection protocol, which these fakes were never asked for: command,
    # put and get steps are tested against the lab. Saying so beats an AttributeError.
    def send_command(
        self,
        command: str,
        read_timeout: float,
        answers: Sequence[tuple[str, str]],
        allow_disconnect: bool = False,
    ) -> str:
        raise NotImplementedError("FakeConnection has no send_command: test it on the lab")

    def put_file(
        self, source: Path, dest: str, read_timeout: float, progress: Progress | None = None
    ) -> Copied:
        raise NotImplementedError("FakeConnection has no put_file: test it on the lab")

    def get_file(
        self, source: str, dest: Path, read_timeout: float, progress: Progress | None = None
    ) -> Copied:
        raise NotImplementedError("FakeConnection has no get_file: test it on the lab")

    def load_replace(
        self, command: str, text: str, read_timeout: float, timed: TimedChange | None = None
    ) -> str:
        raise NotImplementedError("FakeConnection has no load_replace: test it on the lab")

    # A change under a revert timer is a device's: the fake refuses it as a device
    # without one would (runner.run.confirm), and so the step fails, never a success.
    def send_timed_config(
        self, lines: Sequence[str], read_timeout: float, timed: TimedChange | None
    ) -> str:
        raise CommandRejectedError("FakeConnection has no revert timer: test it on the lab")

    def confirm_change(self, timed: TimedChange, read_timeout: float) -> str:
        raise CommandRejectedError("FakeConnection has no revert timer: test it on the lab")

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeFleet:
    """A Connector: hands out FakeConnections and remembers them."""

    fail_connect: dict[str, DeviceError] = field(default_factory=dict)
    fail_on: dict[str, DeviceError] = field(default_factory=dict)
    opened: dict[str, FakeConnection] = field(default_factory=dict)

    def __call__(self, host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        if host.name in self.fail_connect:
            raise self.fail_connect[host.name]
        connection = FakeConnection(host, fail_on=dict(self.fail_on))
        self.opened[host.name] = connection
        return connection


@dataclass
class StopsItsProcess(FakeFleet):
    """A Connector that stops the worker process it runs in with SIGSTOP (as a debugger or
    a paused container would) when it reaches one of the `stop_on` hosts, which never gets
    further: a process that stops itself may run on for a moment (each of its threads
    stops at its own pace)."""

    stop_on: tuple[str, ...] = ()

    def __call__(self, host: Host, credentials: Credentials, lease: Lease) -> FakeConnection:
        if host.name in self.stop_on:
            import os
            import signal
            import threading

            os.kill(os.getpid(), signal.SIGSTOP)
            threading.Event().wait()
        return super().__call__(host, credentials, lease)


class DiesWhenUnpickled:
    """Kills the worker process that receives it (os._exit while being unpickled): a
    stand-in for a worker process that dies before it has read its work."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        import os

        return (os._exit, (3,))
