"""Entering enable mode with the host's secret, and what a failure there means.

Two different causes look alike to netmiko ("Failed to enter enable mode", a timeout, or a
driver's own error such as Check Point's UnboundLocalError): the device asked for a
password and refused the secret (`auth_failed`), or it never asked for one, because it did
not take the command (`Unknown command` to Nokia SR OS' `enable-admin`, Check Point's
`expert`, a Linux host's `sudo -s`), which is `command_rejected`: no secret would help.

netmiko waits out its read timeout for an enabled prompt that will not come when the
device answers with its ordinary prompt; here the wait ends after a quiet second at a
prompt (runner.device.netmiko_patches calls `_netjob_on_quiet`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import paramiko
from netmiko.exceptions import NetmikoTimeoutException

from runner.base.errors import AuthenticationError, CommandRejectedError, DeviceError
from runner.device.exception_map import quote
from runner.device.netmiko_patches import Paged, Unanswered

# What devices print when they ask for a password: `Password:`, `Enter expert password:`.
_ASKED = re.compile(r"ssword", re.IGNORECASE)
# A prompt line's last character: `>`, `#`, `$` (a shell), `%`, `]` (VRP).
_PROMPT_END = re.compile(r"[>#$%\]]\s*$")


class StuckAtPrompt(Exception):
    """The device answered the enable exchange with a prompt and went quiet; netmiko was
    still waiting for something else (the enabled prompt, or a password question)."""


def enable(driver: Any, run: Callable[[], bool]) -> None:
    """`run` (netmiko's enable, as the session does it; True: the exchange ended enabled)
    with the wait bounded at a prompt. An exchange that did not end enabled leaves as the
    DeviceError that names its cause (`refused`); a timeout or a broken session leaves as
    it came, for the session's own mapping."""
    driver._netjob_received = []
    driver._netjob_on_quiet = lambda: _stop_at_prompt(driver)
    try:
        try:
            if run():
                return
            cause: Exception | None = None
        except (OSError, EOFError, paramiko.SSHException, NetmikoTimeoutException, DeviceError):
            raise
        except (Paged, Unanswered):  # the session's own mapping says these
            raise
        except Exception as exc:
            # netmiko's "Failed to enter enable mode" (ValueError), StuckAtPrompt, and a
            # driver's own error on an answer it did not expect (Check Point's
            # UnboundLocalError when `expert` asks no password).
            cause = exc
        driver._netjob_on_quiet = None
        if _enabled_after_all(driver):
            return  # the exchange read oddly (a loaded machine), but the device is enabled
        raise refused(driver) from cause
    finally:
        driver._netjob_on_quiet = None
        driver._netjob_received = []


def _enabled_after_all(driver: Any) -> bool:
    """netmiko's own look at the prompt, once more: FakeNOS's ASA, already enabled, was
    judged 'asked for no password' under load, when a late prompt made netmiko send
    `enable` to a device in enable mode and the answer was its (enabled) prompt."""
    try:
        return bool(driver.check_enable_mode())
    except Exception:  # a broken session: the refusal below says what was seen
        return False


def refused(driver: Any) -> DeviceError:
    """Why enable did not end enabled, from what the device sent during the exchange."""
    said = "".join(getattr(driver, "_netjob_received", []))
    default, asks = _enable_defaults(driver)
    if re.search(asks, said, re.IGNORECASE) or _ASKED.search(said):
        return AuthenticationError(
            "enable failed: the device did not accept the enable secret",
            hint="check the secret (or secret_env) for this host",
        )
    lines = _lines(said, str(getattr(driver, "base_prompt", "") or ""))
    # The echo names the command the driver sent (Nokia's is `enable-admin`, not its
    # enable()'s default); a driver that reads no echo leaves the default.
    command = lines[0] if lines and len(lines[0]) <= 60 and default in lines[0] else default
    answer = " ".join(dict.fromkeys(line for line in lines if line != command))
    return CommandRejectedError(
        f"enable failed: the device asked for no password after '{command}'; it answered "
        + (quote(answer) if answer else "with its prompt only"),
        hint="the device (or this user) has no enable mode reached that way: leave the "
        "secret out for this host (secret_env), or check the user's privileges",
        sent=(command,),
        output=said,
    )


def _stop_at_prompt(driver: Any) -> None:
    """After a quiet second: a last line that is the device's prompt ends the wait (a
    device that printed its prompt waits for input; it will not enable on its own)."""
    said = "".join(driver._netjob_received)
    lines = [line for line in said.replace("\r", "\n").split("\n") if line.strip()]
    base = str(getattr(driver, "base_prompt", "") or "")
    if lines and base and base in lines[-1] and _PROMPT_END.search(lines[-1]):
        raise StuckAtPrompt(said)


def _enable_defaults(driver: Any) -> tuple[str, str]:
    """The driver's enable command and password question (its enable()'s defaults)."""
    try:
        parameters = inspect.signature(driver.enable).parameters
    except (TypeError, ValueError):
        return "enable", _ASKED.pattern
    command = parameters.get("cmd")
    asks = parameters.get("pattern")
    return (
        str(command.default) if command is not None and command.default else "enable",
        str(asks.default) if asks is not None and asks.default else _ASKED.pattern,
    )


def _lines(said: str, base: str) -> list[str]:
    """What the device sent, a line each, without the prompts in front of the echoes."""
    prompt = re.compile(rf"^.*?{re.escape(base)}[^\s>#$%\]]*[>#$%\]]\s*") if base else None
    kept = []
    for line in said.replace("\r", "\n").split("\n"):
        text = prompt.sub("", line.strip()) if prompt else line.strip()
        if text.strip():
            kept.append(text.strip())
    return kept
