"""A real Nautobot for tests and the bench: its own PostgreSQL (Debian's), Redis and
`nautobot-server runserver` on 127.0.0.1 ports the OS picks, from the `nautobot` package
in its own venv (NETJOB_NAUTOBOT_VENV, made by .ci/run in ~/.cache/netjob-ci; else
.venv-nautobot), so its pinned dependencies never meet netjob's. netjob talks to it over HTTP only.

Nautobot's migrations take minutes, so the database is kept between runs, outside the
clone: ~/.cache/netjob-ci (NETJOB_CI_CACHE) holds PostgreSQL's data folder as a tar, once
migrated (keyed by Nautobot's and PostgreSQL's versions) and once seeded by
tests/nautobot_server/seed.py (keyed too by that script's sha256 and the device count). A run
unpacks the seeded tar into a temporary folder in a second or two; the first run on a
machine builds both (the cold path: migrate, then bulk inserts).

There is no skip: without the venv or PostgreSQL the tests fail and say what to install.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = HERE / "nautobot_server" / "seed.py"  # run by the Nautobot venv's Python
TOKEN = "0123456789abcdef0123456789abcdef01234567"  # the test server's own, made by the seed
BULK = 10_000  # devices besides the lab's: the scale the issue asks for
START_SECONDS = 180.0  # runserver imports all of Nautobot; minutes on a loaded machine
MIGRATE_SECONDS = 1800.0


class NautobotUnavailable(RuntimeError):
    """The venv, PostgreSQL or Redis is missing, or Nautobot did not start."""


@dataclass(frozen=True)
class Nautobot:
    url: str
    token: str
    version: str


def venv() -> Path:
    configured = os.environ.get("NETJOB_NAUTOBOT_VENV")
    path = Path(configured) if configured else ROOT / ".venv-nautobot"
    if not (path / "bin" / "nautobot-server").exists():
        raise NautobotUnavailable(
            f"no Nautobot venv at {path}: run `bash .ci/run` (it makes .venv-nautobot with "
            "the nautobot package), or point NETJOB_NAUTOBOT_VENV at one"
        )
    return path


def version(env: Path) -> str:
    found = sorted(env.glob("lib/python*/site-packages/nautobot-*.dist-info"))
    if not found:
        raise NautobotUnavailable(f"{env} has no nautobot package")
    return found[-1].name.removesuffix(".dist-info").split("-")[1]


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise NautobotUnavailable("no PostgreSQL: apt-get install postgresql (Debian's)")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as Debian's postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _home(folder: Path) -> Path:
    """A folder for one PostgreSQL (its data, socket and log), the postgres user's."""
    folder.mkdir()
    _own(folder)
    return folder / "data"


def _own(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(folder)], check=True)
    folder.chmod(0o700)


@dataclass
class _Postgres:
    data: Path
    port: int

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = self.data.parent / "postgres.log"
        command = [str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log)]
        subprocess.run(
            _as_postgres([*command, "-w", "-t", "120", "start"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        command = [str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
        subprocess.run(_as_postgres(command), check=False, stdout=subprocess.DEVNULL)


def _environment(pg_port: int, redis_port: int, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NAUTOBOT_CONFIG": str(HERE / "nautobot_server" / "config.py"),
        "NAUTOBOT_ROOT": str(work / "nautobot-root"),
        "NETJOB_NAUTOBOT_PG_PORT": str(pg_port),
        "NAUTOBOT_REDIS_HOST": "127.0.0.1",
        "NAUTOBOT_REDIS_PORT": str(redis_port),
    }


def cache_dir() -> Path:
    configured = os.environ.get("NETJOB_CI_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "netjob-ci"


def _unpack(tar: Path, data: Path) -> None:
    data.mkdir()
    with tarfile.open(tar) as archive:
        archive.extractall(data, filter="fully_trusted")  # our own, from our cache
    _own(data)


def _pack(data: Path, tar: Path) -> None:
    partial = tar.with_suffix(".partial")
    with tarfile.open(partial, "w") as archive:
        archive.add(data, arcname=".")
    partial.replace(tar)


def _build(env: Path, nb_version: str, work: Path, redis_port: int) -> Path:
    """The seeded data folder's tar, built (from the migrated one, itself built if need be)
    when the cache lacks it. Another session building it at the same time waits (a lock)."""
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    base = f"nautobot-{nb_version}-pg{pg_bin().parts[-2]}"
    seed = hashlib.sha256(SEED.read_bytes()).hexdigest()[:12]
    migrated, seeded = cache / f"{base}-migrated.tar", cache / f"{base}-seed-{seed}-{BULK}.tar"
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if seeded.exists():
            return seeded
        data = _home(work / "build")
        pg = _Postgres(data, _free_port())
        environ = _environment(pg.port, redis_port, work)
        server = env / "bin" / "nautobot-server"
        if migrated.exists():
            _unpack(migrated, data)
            pg.start()
        else:
            data.mkdir()
            _own(data)
            initdb = [str(pg_bin() / "initdb"), "-D", str(data), "-A", "trust", "-U", "nautobot"]
            subprocess.run(
                _as_postgres([*initdb, "-E", "UTF8", "--no-sync"]),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            pg.start()
            subprocess.run(
                [
                    str(pg_bin() / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(pg.port),
                    "-U",
                    "nautobot",
                    "nautobot",
                ],
                check=True,
            )
            subprocess.run(
                [str(server), "migrate"],
                env=environ,
                check=True,
                stdout=subprocess.DEVNULL,
                timeout=MIGRATE_SECONDS,
            )
            pg.stop()
            _pack(data, migrated)
            pg.start()
        try:
            subprocess.run(
                [str(env / "bin" / "python"), str(SEED), TOKEN, str(BULK)],
                env=environ,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=MIGRATE_SECONDS,
            )
        finally:
            pg.stop()
        _pack(data, seeded)
        shutil.rmtree(data.parent, ignore_errors=True)
        return seeded


def _wait_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    request = urllib.request.Request(
        f"{url}/api/status/", headers={"Authorization": f"Token {TOKEN}"}
    )
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NautobotUnavailable(f"nautobot-server exited; its log: {log}")
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5) as answer:
            if answer.status == 200:
                return
        time.sleep(0.25)  # polling a server coming up: there is no event to wait on
    raise NautobotUnavailable(f"Nautobot did not answer within {START_SECONDS:g} s; log: {log}")


@contextlib.contextmanager
def start_nautobot() -> Iterator[Nautobot]:
    env = venv()
    nb_version = version(env)
    work = Path(tempfile.mkdtemp(prefix="netjob-nautobot-"))
    work.chmod(0o755)  # the postgres user reaches its data folder inside
    processes: list[subprocess.Popen[bytes]] = []
    pg: _Postgres | None = None
    try:
        redis_port = _free_port()
        redis = shutil.which("redis-server")
        if redis is None:
            raise NautobotUnavailable("no redis-server: apt-get install redis-server")
        processes.append(
            subprocess.Popen(
                [
                    redis,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        tar = _build(env, nb_version, work, redis_port)
        pg = _Postgres(_home(work / "pg"), _free_port())
        _unpack(tar, pg.data)
        pg.start()
        port = _free_port()
        log = work / "nautobot.log"
        with log.open("wb") as out:
            web = subprocess.Popen(
                [
                    str(env / "bin" / "nautobot-server"),
                    "runserver",
                    "--noreload",
                    f"127.0.0.1:{port}",
                ],
                env=_environment(pg.port, redis_port, work),
                stdout=out,
                stderr=out,
            )
        processes.append(web)
        url = f"http://127.0.0.1:{port}"
        _wait_up(url, web, log)
        yield Nautobot(url, TOKEN, nb_version)
    finally:
        for process in reversed(processes):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)
            if process.poll() is None:
                process.kill()
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
