"""Helpers for tests that need simulated devices: `start_lab`, `connect`, `RawShell`, and
`run_cli`/`load_report` for runs through the real CLI.

    from lab_fixture import connect, start_lab

    def test_something():
        with start_lab(devices=2) as lab:
            with connect(lab, "r001") as conn:
                assert "r001" in conn.send_command("show version")

The lab listens on ports the OS picks (port=0), so tests never collide on a port.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paramiko
from netmiko import BaseConnection, ConnectHandler

from netjob_lab import Lab, LabConfig
from netjob_lab.device import Device
from netjob_lab.flash import Flash
from runner.cli import main

# Short timeouts: a lab device on loopback answers in milliseconds, and a test that
# waits for a fault should fail fast rather than sit out netmiko's defaults.
FAST = {"conn_timeout": 3, "banner_timeout": 3, "auth_timeout": 3}


@contextmanager
def start_lab(**overrides: Any) -> Iterator[Lab]:
    """A started Lab of 3 devices on free ports, stopped on exit; `overrides` go to LabConfig."""
    settings: dict[str, Any] = {"devices": 3, "port": 0, **overrides}
    with Lab(LabConfig(**settings)) as lab:
        yield lab


def connection_params(lab: Lab, hostname: str, **overrides: Any) -> dict[str, Any]:
    endpoint = next(e for e in lab.endpoints if e.hostname == hostname)
    config = lab.config
    number = dict(zip(config.hostnames(), config.numbers(), strict=True))[hostname]
    return {
        "device_type": config.platform_of(number),  # netmiko's name for the device's platform
        "host": endpoint.host,
        "port": endpoint.port,
        "username": config.username,
        "password": config.password,
        "secret": config.secret,
        **FAST,
        **overrides,
    }


def connect(lab: Lab, hostname: str, **overrides: Any) -> BaseConnection:
    """A netmiko connection to one lab device (the driver of its platform), with no special
    settings but short timeouts."""
    return ConnectHandler(**connection_params(lab, hostname, **overrides))


def device_of(lab: Lab, hostname: str) -> Device:
    """lab.device() as the Device it is on every platform but Junos: its running config is
    RunningConfig data (`.config`) a test can change."""
    device = lab.device(hostname)
    assert isinstance(device, Device), device
    return device


def flash_of(lab: Lab, hostname: str) -> Flash:
    """The flash file system of a lab device (those of every platform but Junos have one)."""
    flash = lab.device(hostname).flash
    assert flash is not None, f"{hostname} has no flash"
    return flash


# netmiko's send_command() is typed `str | list[Any] | dict[str, Any]`: the text as it came,
# or what TextFSM made of it (use_textfsm=True). These say which one a test expects.
def as_text(output: str | list[Any] | dict[str, Any]) -> str:
    """send_command()'s output read as text (no use_textfsm)."""
    assert isinstance(output, str), f"not text: {output!r}"
    return output


def as_rows(output: str | list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    """send_command(..., use_textfsm=True)'s output read as TextFSM's rows (netmiko gives
    the text back instead when no template parsed it)."""
    assert isinstance(output, list), f"not parsed: {output!r}"
    return output


class RawShell:
    """An interactive shell over plain paramiko, for what netmiko hides (the pager)."""

    def __init__(self, lab: Lab, hostname: str, timeout: float = 5.0) -> None:
        endpoint = next(e for e in lab.endpoints if e.hostname == hostname)
        self._client = paramiko.SSHClient()
        self._client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self._client.connect(
            endpoint.host,
            endpoint.port,
            username=lab.config.username,
            password=lab.config.password,
            look_for_keys=False,
            allow_agent=False,
            timeout=timeout,
        )
        self._channel = self._client.invoke_shell()
        self._timeout = timeout
        self._buffer = ""
        self._secret = lab.config.secret

    def send(self, text: str) -> None:
        self._channel.sendall(text.encode())

    def enable(self) -> None:
        self.send("enable\r")
        self.read_until("Password: ")
        self.send(self._secret + "\r")
        self.read_until("#")

    def read_until(self, pattern: str) -> str:
        """Everything up to and including the first match; TimeoutError past the bound."""
        deadline = time.monotonic() + self._timeout
        while (found := re.search(pattern, self._buffer)) is None:
            self._buffer += self._receive(pattern, deadline)
        received, self._buffer = self._buffer[: found.end()], self._buffer[found.end() :]
        return received

    def _receive(self, pattern: str, deadline: float) -> str:
        self._channel.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self._channel.recv(65536)
        except TimeoutError:
            raise TimeoutError(f"no {pattern!r} in {self._timeout} s: {self._buffer!r}") from None
        if not data:
            raise EOFError(f"the device closed the session before {pattern!r}")
        return data.decode()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RawShell:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def run_cli(job: Path, inventory: Path, reports: Path, *extra: str) -> int:
    """`netjob run JOB -i INVENTORY --reports REPORTS ...` through the real CLI."""
    return main(["run", str(job), "-i", str(inventory), "--reports", str(reports), *extra])


def load_report(reports: Path, job: str) -> dict[str, Any]:
    return dict(json.loads((reports / job / "latest" / "report.json").read_text()))
