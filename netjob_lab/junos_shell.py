"""One SSH session's Junos CLI: operational and configuration mode, pipes, Junos' errors.

Pure: no I/O, like netjob_lab.shell.Shell, and driven by the same Terminal. The prompt
ends in a space as on Junos (`netjob@r003> `); in configuration mode it is preceded by a
blank line and `[edit]`, which netmiko's juniper driver expects.
"""

from __future__ import annotations

from netjob_lab import junos_load
from netjob_lab.grammar import Grammar, Match, ParseError, tokenize
from netjob_lab.junos_commands import CONFIGURATION, OPERATIONAL, commit, commit_and_quit
from netjob_lab.junos_config import JunosDevice
from netjob_lab.show import apply_pipe
from netjob_lab.table import Invalid, Reply, Table

PIPES = Grammar(["display set", "compare", "match LINE", "except LINE", "count", "no-more"])
_FILTERS = {"match": "include", "except": "exclude"}  # Junos' names for IOS's filters
_EXIT_QUESTION = "Exit with uncommitted changes? [yes,no] (yes) "
# What a commit that the reject fault refuses prints; nothing of the candidate is applied.
COMMIT_FAILED = "error: configuration check-out failed\nerror: commit failed\n"


class JunosShell:
    more = "---(more)---"
    awaiting_secret = False  # Junos has no `enable`

    def __init__(self, device: JunosDevice, user: str) -> None:
        self.device = device
        self.user = user
        self.terminal_length = 24
        self.terminal_width = 80
        self.configuring = False
        self.confirming_exit = False  # `exit` asked whether to leave uncommitted changes
        self.closed = False
        # Set from the pipes of the command being run, for the `show` commands.
        self.display_set = False
        self.compare = False
        # `load override terminal`: the lines typed since, until a Ctrl-D (end_input).
        self.loading: list[str] | None = None

    @property
    def prompt(self) -> str:
        if self.loading is not None:
            return ""  # the text being loaded: no prompt between its lines
        if self.confirming_exit:
            return _EXIT_QUESTION
        name = f"{self.user}@{self.device.hostname}"
        return f"\r\n[edit]\r\n{name}# " if self.configuring else f"{name}> "

    def execute(self, line: str) -> Reply:
        if self.loading is not None:
            self.loading.append(line)
            return Reply("")
        if self.confirming_exit:
            return Reply(self._answer(line))
        if not line.strip():
            return Reply("")
        if self.configuring:
            output, words = self._run(CONFIGURATION, line, self._caret_offset())
        else:
            output, words = self._run(OPERATIONAL, line, self._caret_offset())
        if output and not self.configuring:
            output += "\n"  # Junos leaves a blank line before the operational prompt
        return Reply(output, words, self.closed)

    def end_input(self) -> str | None:
        """Ctrl-D at the start of a line: the end of a `load ... terminal` (its answer),
        or None where it means nothing."""
        return junos_load.end_load(self) if self.loading is not None else None

    def run_operational(self, line: str, offset: int) -> str:
        """`run show ...` from configuration mode."""
        return self._run(OPERATIONAL, line, self._caret_offset() + offset)[0]

    def _caret_offset(self) -> int:
        return len(self.prompt.rsplit("\n", 1)[-1])

    def _answer(self, line: str) -> str:
        self.confirming_exit = False
        if line.strip().lower() in ("", "y", "yes"):
            self.configuring = False
            return "\nExiting configuration mode\n\n"
        return ""

    def _run(self, table: Table[JunosShell], line: str, offset: int) -> tuple[str, tuple[str, ...]]:
        command, *pipes = line.split("|")
        found = table.grammar.match(command)
        if isinstance(found, ParseError):
            return self._error(found, line, offset), ()
        matched: list[Match] = []
        start = len(command) + 1
        for pipe in pipes:
            piped = PIPES.match(line, tokenize(pipe, start))
            if isinstance(piped, ParseError):
                return self._error(piped, line, offset), ()
            matched.append(piped)
            start += len(pipe) + 1
        if self.device.rejects([word.lower() for word in found.words]):
            if table.handlers[found.index] in (commit, commit_and_quit):
                return COMMIT_FAILED, found.words
            return self._error(
                ParseError("invalid", len(line) - len(line.lstrip())), line, offset
            ), ()
        self.display_set = any(p.words == ("display", "set") for p in matched)
        self.compare = any(p.words == ("compare",) for p in matched)
        try:
            output = table.handlers[found.index](self, found.args)
        except Invalid as bad:
            return self._error(ParseError("invalid", found.arg_columns[bad.arg]), line, offset), ()
        return _filter(output, matched), found.words

    def _error(self, error: ParseError, line: str, offset: int) -> str:
        """Junos' caret under the word, and what it says about it."""
        column = len(line.rstrip()) + 1 if error.kind == "incomplete" else error.column
        caret = " " * (offset + column) + "^\n"
        if error.kind == "ambiguous":
            word = line[error.column :].split()[0]
            return caret + f"'{word}' is ambiguous.\n"
        if self.configuring:
            return caret + "syntax error.\n"
        if error.kind == "invalid" and not line[:column].strip():
            return caret + "unknown command.\n"
        return caret + "syntax error, expecting <command>.\n"


def _filter(output: str, pipes: list[Match]) -> str:
    for pipe in pipes:
        kind = pipe.words[0]
        if kind in _FILTERS:
            output = apply_pipe(output, _FILTERS[kind], pipe.args[0])
        elif kind == "count":
            output = f"Count: {len(output.splitlines())} lines\n"
    return output
