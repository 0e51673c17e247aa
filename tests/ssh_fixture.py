"""Helpers for the SSH tests: key pairs, inventories for lab devices, runs through the CLI,
and a real OpenSSH bastion (Debian's openssh-server) on a free 127.0.0.1 port.

    with OpenSSHBastion(tmp_path, public_keys=[pub]) as bastion:
        bastion.port, bastion.connections()   # SSH connections it accepted, from its log
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh
import pytest
from lab_fixture import load_report, run_cli

from netjob_lab import Lab

SSHD = "/usr/sbin/sshd"
JOB = "tasks:\n  - name: version\n    show: show version\n"


def key_pair(path: Path, passphrase: str | None = None) -> str:
    """An ed25519 key in OpenSSH's format at `path` (0600); its public line."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    # Few bcrypt rounds: a test key need not resist brute force, and 128 cost a second.
    key.write_private_key(str(path), passphrase=passphrase, rounds=4)
    path.chmod(0o600)
    return str(key.export_public_key("openssh").decode().strip())


def inventory(
    lab: Lab,
    defaults: dict[str, Any],
    hosts: dict[str, dict[str, Any]] | None = None,
    groups: dict[str, Any] | None = None,
) -> str:
    """An inventory (YAML's JSON subset) of the lab's devices with these defaults."""
    base = {"platform": "cisco_ios", "username": lab.config.username, **defaults}
    every = {e.hostname: {"address": e.host, "port": e.port} for e in lab.endpoints}
    for name, extra in (hosts or {}).items():
        every[name] = {**every[name], **extra}
    return json.dumps({"defaults": base, "groups": groups or {}, "hosts": every}, indent=1)


def run(tmp_path: Path, text: str, *extra: str, job: str = JOB) -> tuple[int, dict[str, Any]]:
    """`netjob run` of a show job with this inventory; the exit code and report.json."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "job.yaml").write_text(job)
    (tmp_path / "inv.yaml").write_text(text)
    reports = tmp_path / "reports"
    code = run_cli(tmp_path / "job.yaml", tmp_path / "inv.yaml", reports, "-q", *extra)
    report = load_report(reports, "job") if (reports / "job" / "latest").exists() else {}
    return code, report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def needs_openssh() -> None:
    if not Path(SSHD).exists() or os.geteuid() != 0:
        pytest.skip("needs Debian's openssh-server and root (bash .ci/run installs it)")


class OpenSSHBastion:
    """`sshd -D -f CONFIG -e` as a bastion: public-key login, forwarding to 127.0.0.1 only,
    its own host key and authorized_keys in a temp folder, its log in sshd.log."""

    def __init__(self, folder: Path, public_keys: list[str], extra: str = "") -> None:
        needs_openssh()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.user = "root"
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        host_key.write_private_key(str(folder / "host_key"))
        (folder / "host_key").chmod(0o600)
        (folder / "authorized_keys").write_text("\n".join(public_keys) + "\n")
        self.config = folder / "sshd_config"
        self.config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {folder}/host_key\n"
            f"AuthorizedKeysFile {folder}/authorized_keys\nPidFile none\nStrictModes no\n"
            "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
            "AllowTcpForwarding yes\nPermitOpen 127.0.0.1:*\nPermitTTY no\n"
            "X11Forwarding no\nLogLevel VERBOSE\nMaxStartups 100\n" + extra
        )
        self.log = folder / "sshd.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> OpenSSHBastion:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege separation
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.config)], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 10
        while True:  # until it listens (a bounded poll of the port, not a sleep)
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sshd did not start: {self.log.read_text()}") from None
                time.sleep(0.02)
        # That probe was a connection too: count from here.
        self._probes = 1
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._signal(signal.SIGCONT)  # a stopped process acts on SIGTERM only when continued
            self._process.terminate()
            self._process.wait(10)

    def freeze(self) -> None:
        """SIGSTOP to sshd and every process it forked (its sessions): a bastion that
        stops answering, its TCP connections still open (as a paused VM's)."""
        self._signal(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL to sshd and its sessions: a bastion that dies (its connections reset)."""
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        assert self._process is not None
        for pid in _descendants(self._process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)

    def connections(self) -> int:
        """SSH connections it accepted since it started (the readiness probe excluded)."""
        said = self.log.read_text(errors="replace")
        return said.count("Connection from 127.0.0.1") - self._probes

    def jump(self, key_file: Path) -> dict[str, Any]:
        return {
            "address": "127.0.0.1",
            "port": self.port,
            "username": self.user,
            "key_file": str(key_file),
        }


def _descendants(pid: int) -> list[int]:
    """`pid` and every process under it (/proc: each process's parent)."""
    parents: dict[int, int] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            # The parent is the 2nd field after the name (which may hold spaces) in ().
            stat = Path(f"/proc/{entry}/stat").read_text()
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = [pid]
    for one in found:
        found.extend(child for child, parent in parents.items() if parent == one)
    return found


class CountingListener:
    """A TCP port that accepts and at once closes every connection, counting them: a
    bastion whose SSH server is dead (the connections it was asked for are countable)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> CountingListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes accept(): the thread ends
        self._server.close()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self._server.accept()
                self.accepted += 1
                conn.close()


def owned_by_sshd(peer: tuple[str, int]) -> bool:
    """Whether the TCP connection from `peer` on this machine was opened by an sshd
    process (/proc: the socket's inode, then the process holding it)."""
    _, port = peer
    inode = _inode_of(port)
    if inode is None:
        return False
    target = f"socket:[{inode}]"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in fds):
                return Path(f"/proc/{pid}/comm").read_text().startswith("sshd")
        except OSError:
            continue
    return False


def _inode_of(port: int) -> str | None:
    wanted = f"0100007F:{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted:
            return fields[9]
    return None


def has_sshd() -> bool:
    return shutil.which(SSHD) is not None
