"""put: and get: on a Session, over SCP (runner.device.transfer does the copying): what
goes wrong is said as the session's failure (a session the device closed), or as the
file's (a file system, a name, an SCP server that is off)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko

from runner.base.errors import CommandRejectedError, DeviceError
from runner.device import transfer
from runner.device.exception_map import first_line
from runner.device.session import Session


def put_file(
    session: Session,
    source: Path,
    dest: str,
    read_timeout: float,
    progress: transfer.Progress | None = None,
) -> transfer.Copied:
    """`source` to `dest` on the device over SCP (see runner.device.transfer); `progress`
    hears (bytes done, bytes in all), throttled."""
    return _transfer(
        session, f"putting {source.name}", transfer.put, source, dest, read_timeout, progress
    )


def get_file(
    session: Session,
    source: str,
    dest: Path,
    read_timeout: float,
    progress: transfer.Progress | None = None,
) -> transfer.Copied:
    return _transfer(
        session, f"getting {source}", transfer.get, source, dest, read_timeout, progress
    )


def _transfer(
    session: Session, doing: str, move: Callable[..., transfer.Copied], *args: Any
) -> transfer.Copied:
    session.check_usable()
    if session.scp_socket is None:
        raise CommandRejectedError(f"{doing}: this session cannot open an SCP connection")
    try:
        return move(session.driver, args[0], args[1], session.scp_socket, args[2], args[3])
    except DeviceError:
        raise
    except (ValueError, OSError, EOFError, paramiko.SSHException) as exc:
        if not session.alive():
            raise session.mapped(exc, during=doing) from exc
        raise CommandRejectedError(
            f"{doing}: {first_line(str(exc)) or type(exc).__name__}",
            hint="check the file system and the file's name on the device, and that "
            "its SCP server is enabled (IOS: ip scp server enable)",
        ) from exc
    except Exception as exc:
        raise session.mapped(exc, during=doing) from exc
