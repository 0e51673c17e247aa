"""What the command modules and the shell share: modes, command tables, refusals."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from runner.lab.grammar import Grammar

if TYPE_CHECKING:
    from runner.lab.shell import Shell


class Mode(enum.Enum):
    """The prompt suffix of each mode."""

    USER = ">"
    PRIV = "#"
    CONFIG = "(config)#"
    CONFIG_IF = "(config-if)#"
    CONFIG_VLAN = "(config-vlan)#"


class Invalid(Exception):
    """Raised by a command that refuses an argument: the caret goes under argument `arg`."""

    def __init__(self, arg: int = 0) -> None:
        super().__init__(f"invalid argument {arg}")
        self.arg = arg


Handler = Callable[["Shell", Sequence[str]], str]


class Table:
    """Command specs (see runner.lab.grammar) with the function that runs each one."""

    def __init__(self, commands: Sequence[tuple[str, Handler]]) -> None:
        self.grammar = Grammar([spec for spec, _ in commands])
        self.handlers = [handler for _, handler in commands]
