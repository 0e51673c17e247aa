"""A whole configuration typed into the session, for a replace that reads it from the
terminal (Junos `load override terminal`): the command, the text, then Ctrl-D at the
start of a line, which ends the input. Called by runner.device.configure in config mode with
its netmiko driver; the caller maps netmiko's exceptions and checks the answer.
"""

from __future__ import annotations

import re
from typing import Any

# What the device prints when it is ready for the text.
_READY = r"\[Type \^D at a new line to end input\]"
# Its answer when some of the text was not taken: the candidate then holds part of it.
LOAD_FAILED = re.compile(r"load complete \(\d+ errors?\)|syntax error|^error:", re.MULTILINE)


def load_terminal(driver: Any, command: str, text: str, prompt: str, read_timeout: float) -> str:
    """Send `command`, wait for the device to ask for the text, send it and Ctrl-D, and
    read up to the prompt (`prompt`, a regex): the device's answer, echo included."""
    driver.write_channel(command + driver.RETURN)
    output = str(driver.read_until_pattern(pattern=_READY, read_timeout=read_timeout))
    body = "".join(line.rstrip() + "\n" for line in text.splitlines())
    driver.write_channel(body)
    driver.write_channel("\x04")
    output += str(driver.read_until_pattern(pattern=prompt, read_timeout=read_timeout))
    return output
