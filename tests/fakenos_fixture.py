"""FakeNOS, a third-party SSH network device simulator, as a separate process for tests.

FakeNOS (PyPI `fakenos`) pins its own paramiko, so it lives in its own virtual environment,
named by `NETJOB_FAKENOS_VENV` (`.ci/run` makes one in ~/.cache/netjob-ci and sets it),
else `.venv-fakenos` beside the project's `.venv`. `start_fakenos()` serves one host per
platform on 127.0.0.1, each on a free port, from one process, and stops it on exit:

    with start_fakenos(["cisco_ios", "huawei_vrp"], tmp_path) as lab:
        host = lab.hosts["huawei_vrp"]
        ConnectHandler(device_type=host.platform, host=lab.address, port=host.port,
                       username=lab.username, password=lab.password)

There is no skip: a test that needs FakeNOS and cannot find its venv fails and says to
run `.ci/run`.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FAKENOS_VERSION = "1.2.1"  # the version .ci/run installs
VENV_VARIABLE = "NETJOB_FAKENOS_VENV"
DEFAULT_VENV = ROOT / ".venv-fakenos"
LAUNCHER = Path(__file__).resolve().parent / "fakenos" / "launcher.py"
ADDRESS = "127.0.0.1"
# Test credentials of the simulated devices (FakeNOS asks for no enable secret, but the
# drivers are given one, as they would be for real devices).
USERNAME = "netjob"
PASSWORD = "fakenos-pw-q7Zx"
SECRET = "fakenos-en-w3Kv"
# Bounds: starting 41 paramiko servers takes ~2 s on an idle machine.
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class FakeNOSUnavailable(RuntimeError):
    """The FakeNOS venv is missing or broken, or FakeNOS did not start."""


@dataclass(frozen=True)
class FakeHost:
    name: str  # also the device's hostname, hence its prompt: `name>` / `name#`
    platform: str  # FakeNOS's platform name, which is netmiko's device_type
    port: int


@dataclass(frozen=True)
class FakeNOSLab:
    hosts: dict[str, FakeHost]  # by platform
    catalogue: dict[str, Any]  # per platform: commands and canned outputs (launcher.py)
    log: Path  # FakeNOS's stderr
    address: str = ADDRESS
    username: str = USERNAME
    password: str = PASSWORD
    secret: str = SECRET

    @property
    def known_hosts(self) -> str:
        """A known-hosts file of this FakeNOS run alone: its keys never meet those the test
        session learnt from a lab that had the same port before (the OS reuses ports)."""
        return str(self.log.parent / "known_hosts")

    def known_commands(self, platform: str) -> dict[str, str | None]:
        commands: dict[str, str | None] = self.catalogue["platforms"][platform]["commands"]
        return commands

    def unknown_command_answer(self, platform: str) -> str:
        """What FakeNOS prints for a command it does not know on that platform."""
        return str(self.catalogue["platforms"][platform]["unknown_command"])


def fakenos_python() -> Path:
    """The FakeNOS venv's python; FakeNOSUnavailable says how to get one."""
    configured = os.environ.get(VENV_VARIABLE)
    venv = Path(configured) if configured else DEFAULT_VENV
    python = venv / "bin" / "python"
    if not python.exists():
        origin = f"{VENV_VARIABLE}={configured}" if configured else "the default location"
        raise FakeNOSUnavailable(
            f"no FakeNOS venv at {venv} ({origin}): run `bash .ci/run`, which creates it "
            f"with fakenos=={FAKENOS_VERSION}, or point {VENV_VARIABLE} at a venv that has it"
        )
    return python


def hostname(platform: str) -> str:
    """A device name per platform: FakeNOS makes it the prompt, so no underscores."""
    return platform.replace("_", "-")


def free_ports(count: int) -> list[int]:
    """Ports the OS has free now: all held at once (so they differ), then released."""
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((ADDRESS, 0))
            sockets.append(sock)
        return [int(s.getsockname()[1]) for s in sockets]


def inventory(
    hosts: Sequence[FakeHost],
    password: str = PASSWORD,
    commands: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A FakeNOS inventory: one host per platform, ports given, 127.0.0.1 only; a
    platform's `commands` (FakeNOS' command schema) add to or replace its own."""
    server = {"plugin": "ParamikoSshServer", "configuration": {"address": ADDRESS}}
    entries: dict[str, Any] = {}
    for h in hosts:
        entries[h.name] = {"port": h.port, "platform": h.platform}
        if commands and h.platform in commands:
            extra = {"commands": dict(commands[h.platform])}
            entries[h.name]["nos"] = {"plugin": h.platform, "configuration": extra}
    return {
        "default": {"username": USERNAME, "password": password, "server": server},
        "hosts": entries,
    }


@contextmanager
def start_fakenos(
    platforms: Sequence[str],
    workdir: Path,
    password: str = PASSWORD,
    commands: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[FakeNOSLab]:
    """One FakeNOS process serving a host per platform, each logging in `password`, with
    `commands` added per platform (see `inventory`); stopped on exit."""
    python = fakenos_python()
    workdir.mkdir(parents=True, exist_ok=True)
    hosts = [
        FakeHost(hostname(p), p, port)
        for p, port in zip(platforms, free_ports(len(platforms)), strict=True)
    ]
    inventory_file = workdir / "fakenos-inventory.yaml"
    inventory_file.write_text(yaml.safe_dump(inventory(hosts, password, commands)))
    catalogue_file = workdir / "fakenos-catalogue.json"
    log = workdir / "fakenos.log"
    deadline = time.monotonic() + START_TIMEOUT_S
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(python), str(LAUNCHER), str(inventory_file), str(catalogue_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=workdir,
        )
    try:
        _wait_for_ready(process, log, deadline)
        for host in hosts:
            _wait_for_ssh(host, deadline, process, log)
        catalogue = json.loads(catalogue_file.read_text())
        yield FakeNOSLab({h.platform: h for h in hosts}, catalogue, log, password=password)
    finally:
        _stop(process)


def _wait_for_ready(process: subprocess.Popen[str], log: Path, deadline: float) -> None:
    """Until the launcher prints READY (it has bound every port), or the deadline."""
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                continue
            line = stdout.readline()
            if line.strip() == "READY":
                return
            if not line:  # end of file: the launcher died
                process.wait(timeout=STOP_TIMEOUT_S)
                raise FakeNOSUnavailable(
                    f"FakeNOS exited with {process.returncode} before it was ready:\n" + _tail(log)
                )
    raise FakeNOSUnavailable(f"FakeNOS not ready within {START_TIMEOUT_S:g}s:\n" + _tail(log))


def _wait_for_ssh(
    host: FakeHost, deadline: float, process: subprocess.Popen[str], log: Path
) -> None:
    """Until the host's port answers with an SSH version line, or the deadline. A refused
    connection (bound, not yet listening) is tried again at once: each try is bounded by
    the socket timeout, and there are no sleeps."""
    problem = "not tried"
    while (left := deadline - time.monotonic()) > 0:
        if process.poll() is not None:
            raise FakeNOSUnavailable(f"FakeNOS exited with {process.returncode}:\n{_tail(log)}")
        try:
            with socket.create_connection((ADDRESS, host.port), timeout=min(left, 2.0)) as sock:
                if sock.recv(64).startswith(b"SSH-"):
                    return
                problem = "no SSH version line"
        except OSError as exc:
            problem = str(exc)
    raise FakeNOSUnavailable(
        f"{host.name} ({host.platform}) on {ADDRESS}:{host.port} did not answer SSH within "
        f"{START_TIMEOUT_S:g}s: {problem}\n{_tail(log)}"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    """Closing stdin ends the launcher; a launcher that does not end is killed."""
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
    if process.stdout is not None:
        process.stdout.close()


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
