"""The log on stderr (-v) and in worker processes, every record redacted with the secrets
the running job registered: the same masking (runner.base.redact) as every file netjob
writes. Here, not in the CLI, because worker processes set up the same logging."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import ClassVar

from runner.base.redact import Redactor


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
        return True


def log_to_stderr(verbose: bool) -> None:
    """The CLI's logging, and that of its worker processes (--processes): redacted by
    LogFilter; with -v everything at DEBUG, otherwise only CRITICAL and never paramiko's
    own tracebacks of failed sessions (each failure is reported once, by netjob)."""
    handler = logging.StreamHandler()
    handler.addFilter(LogFilter())  # the same redaction as every file netjob writes
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.CRITICAL,
        format="%(asctime)s %(threadName)s %(name)s: %(message)s",
        handlers=[handler],
    )
    if not verbose:
        logging.getLogger("paramiko").setLevel(logging.CRITICAL + 1)
