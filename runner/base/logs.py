"""The log on stderr (-v) and in worker processes, every record redacted with the secrets
the running job registered: the same masking (runner.base.redact) as every file netjob
writes. Here, not in the CLI, because worker processes set up the same logging."""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import ClassVar

from runner.base.redact import Redactor

_worker = threading.local()  # the host a worker thread is on
# paramiko's transport threads log the handshake: each is known by the socket it reads.
_socks: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()
_NO_HOST = "-"


@contextlib.contextmanager
def host_context(host: str) -> Iterator[None]:
    """Log records of this thread, while in the block, name `host` (`-vv` lines)."""
    before = getattr(_worker, "host", None)
    _worker.host = host
    try:
        yield
    finally:
        _worker.host = before


def tag_sock(sock: object, host: str) -> None:
    """Records of the thread that reads `sock` (paramiko's Transport) name `host`."""
    with contextlib.suppress(TypeError):  # not weakly referable: its lines name no host
        _socks[sock] = host


def current_host() -> str:
    """The host this thread works for, or `-` (the main thread, a lab, a stray thread)."""
    host = getattr(_worker, "host", None)
    if host is None:
        sock = getattr(threading.current_thread(), "sock", None)
        with contextlib.suppress(TypeError):
            host = _socks.get(sock) if sock is not None else None
    return host or _NO_HOST


class LogFilter(logging.Filter):
    """For the CLI's log handler (-v): every record, netmiko's and paramiko's included, is
    redacted with the secrets the running job registered."""

    _lock = threading.Lock()
    _redactor: Redactor | None = None  # made on first use: importing must stay cheap
    _secrets: ClassVar[set[str]] = set()

    @classmethod
    def register(cls, secrets: Iterable[str | None]) -> None:
        with cls._lock:
            new = {s for s in secrets if s} - cls._secrets
            cls._secrets |= new
            if cls._redactor is not None:
                cls._redactor.add(new)  # what it learnt from earlier records stays

    @classmethod
    def registered(cls) -> list[str]:
        with cls._lock:
            return sorted(cls._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        with LogFilter._lock:
            if LogFilter._redactor is None:
                LogFilter._redactor = Redactor(LogFilter._secrets)
            redactor = LogFilter._redactor
        record.msg, record.args = redactor.text(message), ()
        record.host = current_host()
        return True


def log_to_stderr(verbose: bool) -> None:
    """The CLI's logging, and that of its worker processes (--processes): redacted by
    LogFilter, each line naming the host it is about (`-` for none); with -v everything at
    DEBUG, otherwise only CRITICAL and never paramiko's own tracebacks of failed sessions
    (each failure is reported once, by netjob)."""
    handler = logging.StreamHandler()
    handler.addFilter(LogFilter())  # the same redaction as every file netjob writes
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.CRITICAL,
        format="%(asctime)s %(host)s %(threadName)s %(name)s: %(message)s",
        handlers=[handler],
    )
    if not verbose:
        logging.getLogger("paramiko").setLevel(logging.CRITICAL + 1)
