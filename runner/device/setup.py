"""A session's set-up in the fewest round trips, on a platform whose table entry lists
its set-up commands (`PlatformInfo.setup`): issue 25.

netmiko's session_preparation writes each command and waits for its answer, then writes a
RETURN to find the prompt (set_base_prompt), with fixed sleeps on some platforms. Here:
the first prompt the device prints by itself is read (nothing written), the commands go
in one write, and the prompt after the last one's answer is the base prompt, taken by
netmiko's own set_base_prompt (its truncation and checks), given that prompt instead of
a fresh RETURN. That first prompt also says whether the session is already privileged
(`>` or `#`), so enable needs no question of its own (runner.device.login).
"""

from __future__ import annotations

import re
from typing import Any

from netmiko.exceptions import ReadTimeout

from runner.base.platform_forms import Setup

# A prompt line at the end of what was read: IOS/EOS `r1>` `r1#`, IOS-XR
# `RP/0/RP0/CPU0:r1#`, VRP `<r1>` `[r1]`.
_PROMPT = r"[^\r\n]*[>#\]]\s*$"
# The first prompt may also be a shell's (`%`, `$`: a Junos user who lands in the shell),
# which netmiko's own set-up knows how to leave.
_FIRST = r"[^\r\n]*[>#\]%$]\s*$"
# A device that prints no prompt by itself within this long (and within a quarter of the
# login's bound: the login's watchdog counts this wait, and the RETURN path needs the
# rest) is sent a RETURN, as netmiko would have done: a wait only on such a device.
_GREETING_S = 2.5
_GREETING_SHARE = 0.25
# A root user's prompt is a shell's whatever it ends in (`root@r1:~ #` on newer Junos):
# netmiko's Junos driver reads `root@` so too, and its own set-up enters the CLI.
_ROOT_SHELL = "root@"


def set_up(driver: Any, how: Setup, bound: float) -> str:
    """The session set up with `how.commands`; returns the prompt the device ended on
    ("" after netmiko's own set-up, at a shell's prompt)."""
    commands = how.commands
    if how.ansi:
        driver.ansi_escape_codes = True
    try:
        first = min(_GREETING_S, bound * _GREETING_SHARE)
        greeting = str(driver.read_until_pattern(pattern=_FIRST, read_timeout=first))
    except ReadTimeout:
        driver.write_channel(driver.RETURN)
        greeting = str(driver.read_until_pattern(pattern=_FIRST, read_timeout=bound))
    last = _last_line(greeting)
    if _ROOT_SHELL in last or not re.search(_PROMPT, last):
        # A shell's prompt: netmiko's own set-up, as before (a RETURN first, since the
        # prompt it reads first was read here).
        driver.write_channel(driver.RETURN)
        driver.session_preparation()
        return ""
    driver.write_channel("".join(command + driver.RETURN for command in commands))
    after = rf"{re.escape(commands[-1])}[\s\S]*?[\r\n]{_PROMPT}"
    answer = str(driver.read_until_pattern(pattern=after, read_timeout=bound))
    prompt = _last_line(answer)
    _base_prompt_from(driver, prompt)
    return prompt


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    return lines[-1] if lines else ""


def _base_prompt_from(driver: Any, prompt: str) -> None:
    """netmiko's set_base_prompt, with `prompt` as the one find_prompt() would have read
    after a RETURN."""

    def found(*_: Any, **__: Any) -> str:
        return driver.strip_ansi_escape_codes(prompt) if driver.ansi_escape_codes else prompt

    driver.find_prompt = found
    try:
        driver.set_base_prompt()
    finally:
        del driver.find_prompt


# An exec-mode prompt line at the end of what was read, on a platform whose config-mode
# prompts all carry the mode in parentheses (`r1(config-if)#`): IOS, EOS, NX-OS.
_EXEC_PROMPT = r"(?:^|[\r\n])[^\r\n()]+#\s*$"


def exit_config(driver: Any, read_timeout: float) -> str:
    """Config mode left with `end`, read up to the exec prompt that answers it: the prompt
    itself says the mode was left, and is the base prompt from now on (a config step may
    have renamed the device). netmiko's exit_config_mode asks "in config mode?" before
    and after (a RETURN each), and set_base_prompt a third."""
    driver.write_channel("end" + driver.RETURN)  # from a line's prompt: config mode
    output = str(driver.read_until_pattern(pattern=_EXEC_PROMPT, read_timeout=read_timeout))
    _base_prompt_from(driver, _last_line(output))
    return output


def enter_config(driver: Any, command: str, read_timeout: float) -> str | None:
    """Config mode entered with `command`, read up to the prompt that answers it, which
    says whether it took (`r1(config)#`) or not (None: `r1#` after the device's refusal):
    netmiko's config_mode asks "in config mode?" before and after (a RETURN each). Only
    from a settled session, which is not in config mode."""
    driver.write_channel(command + driver.RETURN)
    base = re.escape(str(driver.base_prompt))
    prompt = rf"(?:^|[\r\n])[^\r\n]*{base}[^\r\n]*[>#]\s*$"
    output = str(driver.read_until_pattern(pattern=prompt, read_timeout=read_timeout))
    return output if re.search(r"\)#\s*$", _last_line(output)) else None
