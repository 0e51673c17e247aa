"""The line discipline of a vty: echo, line ends, backspace, the `--More--` pager.

Pure: no I/O. The SSH session feeds it whatever the client typed and writes out the
`Chunk`s it answers, in order. A chunk that answers a command carries the command's
words, so the server can apply faults (latency, a dropped connection) right there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from netjob_lab.table import MORE, Reply

__all__ = ["MORE", "Chunk", "Cli", "Terminal"]
_MAX_LINE = 4096  # longer lines are cut: a runaway client must not grow memory


@dataclass(frozen=True)
class Chunk:
    text: str
    words: tuple[str, ...] = ()  # set when the chunk is the answer to a command
    close: bool = False  # the session ends once this chunk is written


class Cli(Protocol):
    """A platform's command line for one session: `netjob_lab.shell.Shell` (IOS, EOS) or
    `netjob_lab.junos_shell.JunosShell`."""

    more: str  # the pager's prompt
    terminal_length: int  # lines per screen; 0: no pager
    awaiting_secret: bool  # the next line is a password: no echo

    @property
    def prompt(self) -> str: ...

    def execute(self, line: str) -> Reply: ...


def _erase(text: str) -> str:
    return "\b" * len(text) + " " * len(text) + "\b" * len(text)


class Terminal:
    def __init__(self, shell: Cli) -> None:
        self.shell = shell
        self._typed: list[str] = []
        self._after_cr = False  # a "\n" right after "\r" is the same line end, not a new one
        self._paused: list[str] = []  # output lines held back by the pager

    def greeting(self) -> str:
        return "\r\n" + self.shell.prompt

    def feed(self, data: str) -> list[Chunk]:
        chunks: list[Chunk] = []
        echo: list[str] = []
        for char in data:
            if self._after_cr and char == "\n":
                self._after_cr = False
                continue
            self._after_cr = char == "\r"
            if self._paused:
                echo.append(self._page(char))
            elif char in "\r\n":
                chunks += [Chunk("".join(echo)), self._enter()]
                echo = []
            else:
                echo.append(self._edit(char))
        chunks.append(Chunk("".join(echo)))
        return [chunk for chunk in chunks if chunk.text or chunk.close]

    def _edit(self, char: str) -> str:
        if char in "\x08\x7f":
            if not self._typed:
                return ""
            self._typed.pop()
            return "" if self.shell.awaiting_secret else "\b \b"
        if char == "\x03":  # Ctrl-C drops the line typed so far, and a question asked
            self._typed.clear()
            interrupt = getattr(self.shell, "interrupt", None)
            if interrupt is not None:
                interrupt()
            return "^C\r\n" + self.shell.prompt
        if char == "\x04" and not self._typed:  # Ctrl-D on a new line: end of input
            answer = getattr(self.shell, "end_input", lambda: None)()
            if answer is not None:
                return "\r\n" + self._paginate(answer.splitlines())
        if char < " " or len(self._typed) >= _MAX_LINE:
            return ""  # other control keys (Tab, arrows' ESC) are not simulated
        self._typed.append(char)
        return "" if self.shell.awaiting_secret else char

    def _enter(self) -> Chunk:
        line = "".join(self._typed)
        self._typed.clear()
        reply: Reply = self.shell.execute(line)
        lines = reply.output.splitlines()
        if reply.close:  # no prompt: the session ends (`exit`, `reload`)
            return Chunk("\r\n" + "".join(line + "\r\n" for line in lines), reply.words, True)
        text = "\r\n" + self._paginate(lines)
        return Chunk(text, reply.words)

    def _paginate(self, lines: list[str]) -> str:
        """All of `lines` and the prompt, or one screen of them and `--More--`."""
        page = self.shell.terminal_length - 1
        if self.shell.terminal_length == 0 or len(lines) <= page:
            return "".join(line + "\r\n" for line in lines) + self.shell.prompt
        self._paused = lines[page:]
        return "".join(line + "\r\n" for line in lines[:page]) + self.shell.more

    def _page(self, key: str) -> str:
        """Space shows the next screen, Enter the next line; any other key stops."""
        if key == " ":
            lines, self._paused = self._paused, []
            return _erase(self.shell.more) + self._paginate(lines)
        if key in "\r\n":
            lines, self._paused = self._paused, []
            return _erase(self.shell.more) + lines[0] + "\r\n" + self._paginate_rest(lines[1:])
        self._paused = []
        return _erase(self.shell.more) + self.shell.prompt

    def _paginate_rest(self, lines: list[str]) -> str:
        if not lines:
            return self.shell.prompt
        self._paused = lines
        return self.shell.more
