"""What the command modules and the shells share: modes, command tables, dialects, replies."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from netjob_lab.grammar import INTERFACE_TYPES, Grammar, ParseError

if TYPE_CHECKING:
    from netjob_lab.shell import Shell


class Mode(enum.Enum):
    """The IOS prompt suffix of each mode (other dialects name them their own way)."""

    USER = ">"
    PRIV = "#"
    CONFIG = "(config)#"
    CONFIG_IF = "(config-if)#"
    CONFIG_VLAN = "(config-vlan)#"
    CONFIG_ARCHIVE = "(config-archive)#"  # IOS's `archive`, which its revert timer needs


class Invalid(Exception):
    """Raised by a command that refuses an argument: the caret goes under argument `arg`."""

    def __init__(self, arg: int = 0) -> None:
        super().__init__(f"invalid argument {arg}")
        self.arg = arg


@dataclass(frozen=True)
class Reply:
    output: str  # lines ending in "\n"; the terminal turns them into "\r\n"
    words: tuple[str, ...] = ()  # the command as understood (keywords in full), for faults
    close: bool = False  # the session ends after this output (`exit` at the exec prompt)


MORE = " --More-- "  # the pager's prompt on IOS and EOS
S = TypeVar("S")
Handler = Callable[["Shell", Sequence[str]], str]


class Table(Generic[S]):
    """Command specs (see netjob_lab.grammar) with the function that runs each one."""

    def __init__(
        self,
        commands: Sequence[tuple[str, Callable[[S, Sequence[str]], str]]],
        interface_types: Sequence[str] = INTERFACE_TYPES,
    ) -> None:
        self.grammar = Grammar([spec for spec, _ in commands], interface_types)
        self.handlers = [handler for _, handler in commands]
        self.specs = self.grammar.specs  # for `netjob lab --commands`


@dataclass(frozen=True)
class Dialect:
    """What differs between the command lines that `Shell` runs (IOS, EOS, NX-OS, IOS-XR,
    Huawei VRP, whose views map to modes: user view USER, system view CONFIG)."""

    user_exec: Table[Shell]
    priv_exec: Table[Shell]
    config: Table[Shell]
    submodes: Mapping[Mode, Table[Shell]]
    prompt_suffix: Callable[[Mode, str], str]  # (mode, context) → "(config-if)#"
    parse_error: Callable[[ParseError, str, int], str]  # (error, line, prompt length) → text
    invalid: Callable[[str, int, int], str]  # (line, column in line, prompt length) → text
    more: str = MORE
    # Before the hostname: IOS-XR's `RP/0/RP0/CPU0:`, Huawei's `<` or `[`.
    prompt_prefix: Callable[[Mode], str] = lambda mode: ""
    start_mode: Mode = Mode.USER  # NX-OS and IOS-XR users log straight into `#`
    # What a command prints when the reject fault refuses it, if not `invalid`'s text:
    # saves and commits fail with the platform's own words, not as a syntax error.
    refusals: Mapping[Handler, str] = field(default_factory=dict)
    # A global command typed in a sub-mode leaves the sub-mode and runs (IOS, EOS, NX-OS,
    # IOS-XR), except a command starting with one of these words: VRP never takes an
    # `undo` line from an upper view (its `matched upper-view` is off by default).
    local_only: tuple[str, ...] = ()
