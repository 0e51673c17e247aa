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


def test_a_root_shell_prompt_ending_in_hash_gets_netmikos_own_setup() -> None:
    """Newer Junos root shells end in `#` (`root@r1:~ #`): read as the CLI's prompt, the
    `set cli` commands went to sh, and show commands ran in the shell."""
    driver = _Driver("\r\n--- JUNOS 23.4R1.9\r\nroot@r1:~ # ")
    assert setup.set_up(driver, forms.JUNOS_SETUP, 5.0) == ""
    assert driver.prepared and driver.written == ["\n"]


class _Silent(_Driver):
    """A device that prints its prompt only after a RETURN; records each read's bound."""

    def __init__(self, *answers: str) -> None:
        super().__init__(*answers)
        self.bounds: list[float] = []

    def read_until_pattern(self, pattern: str, read_timeout: float) -> str:
        from netmiko.exceptions import ReadTimeout

        self.bounds.append(read_timeout)
        if not self.written:
            raise ReadTimeout("nothing until a RETURN")
        return super().read_until_pattern(pattern, read_timeout)


def test_a_silent_device_is_sent_a_return_well_inside_the_login_bound() -> None:
    """The wait for a prompt nobody asked for took min(5 s, bound): with auth_timeout 5 the
    login's watchdog cut the session as the RETURN would have gone."""
    driver = _Silent("\r\nr1>", "terminal width 511\r\nr1>terminal length 0\r\nr1>")
    assert setup.set_up(driver, forms.CISCO_SETUP, 5.0) == "r1>"
    assert driver.written[0] == "\n"  # the RETURN, then the set-up
    assert driver.bounds[0] <= 5.0 / 4
