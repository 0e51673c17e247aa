"""One SSH session's IOS command line: privilege, config sub-modes, terminal settings.

Pure: no I/O. `Shell.execute(line)` takes one typed line and answers a `Reply`; the
prompt to print next is `Shell.prompt`. The commands themselves are in
`runner.lab.exec_commands` and `runner.lab.config_commands`.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.lab.config_commands import CONFIG, SUBMODES
from runner.lab.device import Device
from runner.lab.exec_commands import PRIV_EXEC, USER_EXEC
from runner.lab.grammar import Grammar, Match, ParseError, error_text, invalid_text, tokenize
from runner.lab.show import apply_pipe
from runner.lab.table import Invalid, Mode, Table

PIPES = Grammar(["include LINE", "exclude LINE", "begin LINE", "section LINE", "count LINE"])


@dataclass(frozen=True)
class Reply:
    output: str  # lines ending in "\n"; the terminal turns them into "\r\n"
    words: tuple[str, ...] = ()  # the command as understood (keywords in full), for faults
    close: bool = False  # the session ends after this output (`exit` at the exec prompt)


class Shell:
    def __init__(self, device: Device) -> None:
        self.device = device
        self.mode = Mode.USER
        self.context = ""  # the interface name or VLAN number a sub-mode is configuring
        self.terminal_length = 24
        self.terminal_width = 80
        self.awaiting_secret = False  # `enable` asked for a password: the next line is it
        self.closed = False

    @property
    def prompt(self) -> str:
        return "Password: " if self.awaiting_secret else self.device.hostname + self.mode.value

    def execute(self, line: str) -> Reply:
        if self.awaiting_secret:
            return Reply(self._check_secret(line))
        if not line.strip():
            return Reply("")
        if self.mode in (Mode.USER, Mode.PRIV):
            output, words = self.run_exec(line, len(self.prompt))
        else:
            output, words = self._run_config(line)
        return Reply(output, words, self.closed)

    def run_exec(self, line: str, caret_offset: int) -> tuple[str, tuple[str, ...]]:
        """An exec command, with its `| include ...` filter; errors point into `line`."""
        table = USER_EXEC if self.mode is Mode.USER else PRIV_EXEC
        command, bar, pipe = line.partition("|")
        found = table.grammar.match(command)
        piped = PIPES.match(line, tokenize(pipe, len(command) + 1)) if bar else None
        for parsed in (found, piped):
            if isinstance(parsed, ParseError):
                return error_text(parsed, line, " " * caret_offset), ()
        assert isinstance(found, Match)
        output, ok = self._run(table, found, caret_offset, line)
        if ok and isinstance(piped, Match):
            output = apply_pipe(output, piped.words[0], piped.args[0])
        return output, found.words

    def _run_config(self, line: str) -> tuple[str, tuple[str, ...]]:
        caret_offset = len(self.prompt)
        table = SUBMODES.get(self.mode, CONFIG)
        found = table.grammar.match(line)
        if isinstance(found, ParseError) and table is not CONFIG:
            # IOS takes a global command typed in a sub-mode, leaving the sub-mode first.
            globally = CONFIG.grammar.match(line)
            if isinstance(globally, Match):
                self.mode, self.context = Mode.CONFIG, ""
                table, found = CONFIG, globally
        if isinstance(found, ParseError):
            return error_text(found, line, " " * caret_offset), ()
        return self._run(table, found, caret_offset, line)[0], found.words

    def _run(self, table: Table, found: Match, caret_offset: int, line: str) -> tuple[str, bool]:
        """The command's output, and False when it was refused with IOS's caret message."""
        if self.device.rejects([word.lower() for word in found.words]):
            return invalid_text(caret_offset + len(line) - len(line.lstrip())), False
        try:
            return table.handlers[found.index](self, found.args), True
        except Invalid as bad:
            return invalid_text(caret_offset + found.arg_columns[bad.arg]), False

    def _check_secret(self, secret: str) -> str:
        self.awaiting_secret = False
        if self.device.check_secret(secret):
            self.mode = Mode.PRIV
            return ""
        return "% Access denied\n\n"
