"""One SSH session's IOS-like command line: privilege, config sub-modes, terminal settings.

Pure: no I/O. `Shell.execute(line)` takes one typed line and answers a `Reply`; the
prompt to print next is `Shell.prompt`. The commands themselves are in
`netjob_lab.exec_commands` and `netjob_lab.config_commands`; what Arista EOS does
differently is its `Dialect` in `netjob_lab.eos_commands`; Cisco NX-OS's is in
`netjob_lab.nxos_commands` and IOS-XR's (with its per-session candidate configuration)
in `netjob_lab.xr_commands`.
"""

from __future__ import annotations

from collections.abc import Callable

from netjob_lab import eos_files, ios_files
from netjob_lab.config_commands import CONFIG, SUBMODES
from netjob_lab.device import Device
from netjob_lab.eos_commands import EOS
from netjob_lab.exec_commands import PRIV_EXEC, USER_EXEC, write_memory
from netjob_lab.grammar import Grammar, Match, ParseError, error_text, invalid_text, tokenize
from netjob_lab.huawei_commands import VRP
from netjob_lab.nxos_commands import NXOS
from netjob_lab.running import RunningConfig
from netjob_lab.show import apply_pipe
from netjob_lab.table import Dialect, Invalid, Mode, Reply, Table
from netjob_lab.xr_commands import XR

__all__ = ["IOS", "PIPES", "Reply", "Shell"]

PIPES = Grammar(["include LINE", "exclude LINE", "begin LINE", "section LINE", "count LINE"])

IOS = Dialect(
    user_exec=USER_EXEC,
    priv_exec=PRIV_EXEC,
    config=CONFIG,
    submodes=SUBMODES,
    prompt_suffix=lambda mode, context: mode.value,
    parse_error=lambda error, line, prompt: error_text(error, line, " " * prompt),
    invalid=lambda line, column, prompt: invalid_text(prompt + column),
    refusals={
        write_memory: "Building configuration...\n"
        "% Error opening nvram:/startup-config (Permission denied)\n",
        ios_files.copy_running_startup: "Building configuration...\n"
        "% Error opening nvram:/startup-config (Permission denied)\n",
    },
)
DIALECTS = {
    "cisco_ios": IOS,
    "arista_eos": EOS,
    "cisco_nxos": NXOS,
    "cisco_xr": XR,
    "huawei": VRP,
}
Answer = Callable[["Shell", str], str]


class Shell:
    def __init__(self, device: Device) -> None:
        self.device = device
        self.dialect = DIALECTS[device.platform]
        self.more = self.dialect.more
        self.mode = self.dialect.start_mode
        self.context = ""  # the interface name or VLAN number a sub-mode is configuring
        # IOS-XR: this session's uncommitted configuration, while in config mode; None
        # elsewhere, and on the platforms where a config command takes effect at once.
        self.candidate: RunningConfig | None = None
        # IOS-XR: the config this session's `load` read, for `commit replace`.
        self.loaded: RunningConfig | None = None
        self.timestamps = True  # IOS-XR prints the time above every `show` answer
        # A question in place of the prompt (IOS-XR's `Uncommitted changes found, ...`):
        # the next line typed is its answer.
        self.question: tuple[str, Answer] | None = None
        self.terminal_length = 24
        self.terminal_width = 80
        self.awaiting_secret = False  # `enable` asked for a password: the next line is it
        self.bash = False  # EOS: in its Linux shell (netjob_lab.eos_files)
        self.closed = False
        self.timed = False  # IOS: in config mode under `configure terminal revert timer`
        self.session: str | None = None  # EOS: the configuration session being edited

    @property
    def prompt(self) -> str:
        if self.awaiting_secret:
            return "Password: "
        if self.question is not None:
            return self.question[0]
        if self.bash:
            return eos_files.prompt(self)
        suffix = self.dialect.prompt_suffix(self.mode, self.context)
        if self.session is not None:  # EOS shows a session's first 6 characters
            suffix = suffix.replace("(config", f"(config-s-{self.session[:6]}", 1)
        return self.dialect.prompt_prefix(self.mode) + self.device.hostname + suffix

    @property
    def config(self) -> RunningConfig:
        """The configuration that config commands change: the candidate, if any."""
        return self.device.config if self.candidate is None else self.candidate

    def execute(self, line: str) -> Reply:
        if self.awaiting_secret:
            return Reply(self._check_secret(line))
        if self.bash:
            return Reply(eos_files.run(self, line))
        if self.question is not None:
            answer, self.question = self.question[1], None
            return Reply(answer(self, line), close=self.closed)  # `reload` ends the session
        if not line.strip():
            return Reply("")
        if self.mode in (Mode.USER, Mode.PRIV):
            output, words = self.run_exec(line, len(self.prompt))
        else:
            output, words = self._run_config(line)
        return Reply(output, words, self.closed)

    def run_exec(self, line: str, caret_offset: int) -> tuple[str, tuple[str, ...]]:
        """An exec command, with its `| include ...` filter; errors point into `line`."""
        table = self.dialect.user_exec if self.mode is Mode.USER else self.dialect.priv_exec
        command, bar, pipe = line.partition("|")
        found = table.grammar.match(command)
        piped = PIPES.match(line, tokenize(pipe, len(command) + 1)) if bar else None
        for parsed in (found, piped):
            if isinstance(parsed, ParseError):
                return self.dialect.parse_error(parsed, line, caret_offset), ()
        assert isinstance(found, Match)
        output, ok = self._run(table, found, caret_offset, line)
        if ok and isinstance(piped, Match):
            output = apply_pipe(output, piped.words[0], piped.args[0])
        return output, found.words

    def _run_config(self, line: str) -> tuple[str, tuple[str, ...]]:
        caret_offset = len(self.prompt)
        config = self.dialect.config
        table = self.dialect.submodes.get(self.mode, config)
        found = table.grammar.match(line)
        local = line.split()[0].lower() in self.dialect.local_only  # (blank: execute() returned)
        if isinstance(found, ParseError) and table is not config and not local:
            # IOS takes a global command typed in a sub-mode, leaving the sub-mode first.
            globally = config.grammar.match(line)
            if isinstance(globally, Match):
                self.mode, self.context = Mode.CONFIG, ""
                table, found = config, globally
        if isinstance(found, ParseError):
            return self.dialect.parse_error(found, line, caret_offset), ()
        output, ok = self._run(table, found, caret_offset, line)
        if ok:
            self.device.applied_lines += 1
        return output, found.words

    def _run(
        self, table: Table[Shell], found: Match, caret_offset: int, line: str
    ) -> tuple[str, bool]:
        """The command's output, and False when it was refused with the dialect's message."""
        if self.device.rejects([word.lower() for word in found.words]):
            refusal = self.dialect.refusals.get(table.handlers[found.index])
            if refusal is not None:
                return refusal, False
            return self.dialect.invalid(line, len(line) - len(line.lstrip()), caret_offset), False
        try:
            return table.handlers[found.index](self, found.args), True
        except Invalid as bad:
            return self.dialect.invalid(line, found.arg_columns[bad.arg], caret_offset), False

    def interrupt(self) -> None:
        """Ctrl-C: a question asked is dropped unanswered (IOS's copy, delete, reload)."""
        self.question = None

    def _check_secret(self, secret: str) -> str:
        self.awaiting_secret = False
        if self.device.check_secret(secret):
            self.mode = Mode.PRIV
            return ""
        return "% Access denied\n\n"
