"""runner.device.setup on in-memory drivers: the set-up's one write, and a shell's first
prompt (a Junos user who lands in the shell) left to netmiko's own set-up."""

from __future__ import annotations

from runner.base import platform_forms as forms
from runner.device import setup


class _Driver:
    """What set_up uses of a netmiko driver; the device's answers given in order."""

    RETURN = "\n"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.written: list[str] = []
        self.prepared = False
        self.ansi_escape_codes = False
        self.base_prompt = ""

    def read_until_pattern(self, pattern: str, read_timeout: float) -> str:
        return self.answers.pop(0)

    def write_channel(self, data: str) -> None:
        self.written.append(data)

    def session_preparation(self) -> None:
        self.prepared = True

    def find_prompt(self) -> str:
        raise AssertionError("find_prompt writes a RETURN: set_up gives it the prompt")

    def set_base_prompt(self) -> str:
        self.base_prompt = self.find_prompt()[:-1]
        return self.base_prompt


def test_width_and_paging_go_in_one_write_and_the_answer_is_the_base_prompt() -> None:
    driver = _Driver("\r\nr1>", "terminal width 511\r\nr1>terminal length 0\r\nr1>")
    assert setup.set_up(driver, forms.CISCO_SETUP, 5.0) == "r1>"
    assert driver.written == ["terminal width 511\nterminal length 0\n"]
    assert driver.base_prompt == "r1" and not driver.prepared


def test_a_shell_prompt_first_gets_netmikos_own_setup() -> None:
    driver = _Driver("\r\n--- JUNOS 22.4R1.10\r\nroot@r1:~ % ")
    assert setup.set_up(driver, forms.JUNOS_SETUP, 5.0) == ""
    assert driver.prepared and driver.written == ["\n"]
