"""Host keys: which keys netjob trusts, learnt in a known-hosts file of OpenSSH's format.

`host_key_checking`: `strict` trusts only keys already in the file; `accept-new` (the
default, as OpenSSH's option) learns a host's key the first time and refuses a changed one;
`off` checks nothing. The check runs after the key exchange and before authentication
(paramiko's SSHClient.connect order), so a refused key means no password was sent.

The file: the host's `known_hosts`, else $NETJOB_KNOWN_HOSTS, else ~/.netjob/known_hosts
(point `known_hosts` at ~/.ssh/known_hosts to share OpenSSH's). It is read once per process
and appended to, one line per learnt key (O_APPEND: worker processes do not interleave).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import paramiko

from runner.base import user_files
from runner.base.errors import HostKeyChangedError, HostKeyUnknownError, InputError
from runner.base.models import ConnectionOptions

_MAX_KNOWN_HOSTS = 256 * 1024 * 1024  # a million lines and more


def default_file() -> Path:
    return Path(os.environ.get("NETJOB_KNOWN_HOSTS") or Path.home() / ".netjob" / "known_hosts")


def file_of(options: ConnectionOptions) -> Path:
    return Path(options.known_hosts).expanduser() if options.known_hosts else default_file()


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's form: SHA256:base64 of the key's blob, unpadded."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def entry_name(address: str, port: int) -> str:
    return address if port == 22 else f"[{address}]:{port}"


class KnownHosts:
    """One known-hosts file, loaded once, shared by every session of the process.

    Plain names are indexed: paramiko's HostKeys.lookup reads every entry in turn (an HMAC
    each for hashed ones), which made each login's check grow with the file, 10,000 hosts
    in a run meaning 10,000 lines scanned per login. Hashed entries (`|1|...`, OpenSSH's
    HashKnownHosts) keep paramiko's lookup, and only when the file has any.

    A plain line is parsed (its key decoded) when its name is first looked up: a run
    checks only its own hosts, and decoding every key of a 10,000-line file cost each
    worker process ~0.2 s of CPU and ~5 MB (issue 16)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._index: dict[str, dict[str, paramiko.PKey]] = {}  # parsed or learnt
        self._unparsed: dict[str, list[tuple[int, str]]] = {}  # name: (line number, line)
        self._hashed = paramiko.HostKeys()
        if path.exists() and str(path) != os.devnull:  # /dev/null: OpenSSH's "keep none"
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = user_files.read_bytes(path, _MAX_KNOWN_HOSTS)
        except user_files.FileRefused as exc:
            raise InputError(f"known_hosts {path}: {exc}", path=path) from None
        for number, line in enumerate(data.decode(errors="replace").splitlines(), 1):
            names = line.split(None, 1)[0] if line.strip() else ""
            if not names or names.startswith("#"):
                continue
            if "|1|" not in names:
                for name in names.split(","):
                    self._unparsed.setdefault(name, []).append((number, line))
                continue
            for entry in _entries(line, number):
                for name in entry.hostnames:
                    if name.startswith("|1|"):
                        self._hashed.add(name, entry.key.get_name(), entry.key)
                    else:
                        self._index.setdefault(name, {})[entry.key.get_name()] = entry.key

    def lookup(self, name: str) -> dict[str, paramiko.PKey]:
        with self._lock:
            for number, line in self._unparsed.pop(name, ()):
                for entry in _entries(line, number):
                    self._index.setdefault(name, {})[entry.key.get_name()] = entry.key
            found = dict(self._index.get(name, {}))
            if not found and len(self._hashed):
                hashed = self._hashed.lookup(name)
                found = dict(hashed) if hashed is not None else {}
            return found

    def learn(self, name: str, key: paramiko.PKey) -> None:
        """Record a new key, or raise HostKeyUnknownError: a key that cannot be recorded
        is not trusted (else every run would trust whatever key the device offers anew,
        and a changed key would never be noticed)."""
        with self._lock:
            if name in self._index:
                return
            line = f"{name} {key.get_name()} {key.get_base64()}\n".encode()
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise HostKeyUnknownError(
                    f"the host key of {name} is new and cannot be recorded in {self.path} "
                    f"({exc.strerror or exc}); netjob trusts a new key only once it is "
                    f"recorded (host_key_checking: accept-new); nothing was sent",
                    hint=f"make {self.path} writable, or point known_hosts at a file you "
                    "can write, or add the key yourself: ssh-keyscan",
                ) from None
            self._index[name] = {key.get_name(): key}


def _entries(line: str, number: int) -> list[paramiko.hostkeys.HostKeyEntry]:
    """The line's entry, or none: as OpenSSH, a line it cannot read is skipped."""
    try:
        entry = paramiko.hostkeys.HostKeyEntry.from_line(line, number)
    except (paramiko.SSHException, paramiko.hostkeys.InvalidHostKey, ValueError):
        return []
    return [] if entry is None or entry.key is None else [entry]


_files: dict[Path, KnownHosts] = {}
_files_lock = threading.Lock()


def known_hosts(path: Path) -> KnownHosts:
    with _files_lock:
        if path not in _files:
            _files[path] = KnownHosts(path)
        return _files[path]


def forget_loaded() -> None:
    """Read the files again at the next use (tests, and a long-lived embedding app)."""
    with _files_lock:
        _files.clear()


def verify(options: ConnectionOptions, address: str, port: int, key: paramiko.PKey) -> None:
    """Trust `key` for address:port as the host's checking says, or raise."""
    if options.host_key_checking == "off":
        return
    name = entry_name(address, port)
    path = file_of(options)
    store = known_hosts(path)
    known = store.lookup(name)
    offered = f"{key.get_name()} {fingerprint(key)}"
    if not known:
        if options.host_key_checking == "strict":
            raise HostKeyUnknownError(
                f"the host key of {name} is not in {path} (host_key_checking: strict); "
                f"it offers {offered}; nothing was sent",
                hint=f"if that is the device's key, add it: ssh-keyscan -p {port} {address} "
                f">> {path} (or run once with host_key_checking: accept-new)",
            )
        store.learn(name, key)
        return
    same = known.get(key.get_name())
    if same is not None and same.asbytes() == key.asbytes():
        return
    old = same or next(iter(known.values()))
    raise HostKeyChangedError(
        f"the host key of {name} changed: {path} has {old.get_name()} {fingerprint(old)}, "
        f"the device now offers {offered}; no password or key was sent (it may be another "
        "machine collecting them)",
        hint=f"if the change is expected (device replaced or re-keyed), accept the new key: "
        f"ssh-keygen -R '{name}' -f {path}, then run again",
    )


class Policy(paramiko.MissingHostKeyPolicy):
    """For paramiko's SSHClient: every key, known or not, goes through `verify` (the
    client is given no keys of its own, so paramiko asks this policy each time)."""

    def __init__(self, options: ConnectionOptions, address: str, port: int) -> None:
        self._options = options
        self._address = address
        self._port = port

    def missing_host_key(self, client: Any, hostname: str, key: paramiko.PKey) -> None:
        verify(self._options, self._address, self._port, key)
