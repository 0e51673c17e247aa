"""netmiko drivers that want a call made their way, for platforms outside the platform
table: what a plain netmiko user does with them, so netjob does it too.

- IP Infusion OcNOS' send_config_set passes `exit_config_mode` on itself (it stays in
  config mode until `commit`), so a caller's own `exit_config_mode=False` is a TypeError
  before anything is sent: it is called without it.
- A driver with its own commit() (OcNOS, VyOS, Ericsson IPOS, Nokia SR OS and SR Linux,
  PAN-OS...) edits a candidate that only commit applies: netjob commits, as netmiko's
  users do, instead of leaving config mode with nothing applied.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

_OWN_EXIT = "multiple values for keyword argument 'exit_config_mode'"


def send_config_set(driver: Any, lines: Sequence[str], **options: Any) -> str:
    """netmiko's send_config_set(lines, **options), config mode neither entered nor left."""
    try:
        return str(driver.send_config_set(list(lines), exit_config_mode=False, **options))
    except TypeError as exc:
        if _OWN_EXIT not in str(exc):
            raise
    # Raised by the driver's own call to its base class, before anything was sent.
    return str(driver.send_config_set(list(lines), **options))


def has_commit(driver: Any) -> bool:
    """Whether the driver's class has a commit() of its own (BaseConnection's raises)."""
    from netmiko.base_connection import BaseConnection

    commit = getattr(type(driver), "commit", None)
    return commit is not None and commit is not BaseConnection.commit


def commit(driver: Any, read_timeout: float) -> str:
    """The driver's commit(), with the read timeout where it takes one (Nokia SR Linux's,
    Cisco Viptela's and others' take none)."""
    try:
        takes = "read_timeout" in inspect.signature(driver.commit).parameters
    except (TypeError, ValueError):
        takes = False
    return str(driver.commit(read_timeout=read_timeout) if takes else driver.commit())


def save_question(driver: Any) -> tuple[str, str] | None:
    """(command, answer) where netmiko's save_config() confirms blindly: it sends the
    command, waits two seconds, then sends the answer whether or not the device asked
    (Cisco SG300's `write memory` and `Y`, Ericsson IPOS' `save config` and `yes`). A
    device that saved without asking then reads the answer as a command, and refuses it:
    netjob sends the answer only to a question. None: netmiko's save_config() as it is."""
    try:
        parameters = inspect.signature(driver.save_config).parameters
    except (TypeError, ValueError):
        return None
    defaults = {name: p.default for name, p in parameters.items()}
    command, answer = defaults.get("cmd"), defaults.get("confirm_response")
    if defaults.get("confirm") is True and isinstance(command, str) and command:
        return command, answer if isinstance(answer, str) else ""
    return None
