"""A value never becomes a command: every `{{ }}` in a command is one line.

Commands and config lines are split on line breaks after rendering, so a value that brings a
line break (from `-e`, an inventory variable, a loop item or a device's registered output)
would add lines the task never listed: `-e intf=$'Gi0/1\\nconfigure terminal\\n...'` on a
read-only show task would configure the device. Other control characters are as bad on a
CLI: CR ends a line too, Ctrl-C and Ctrl-Z leave a mode, ESC starts a terminal sequence, a
tab completes a word, and NUL or the Unicode line and paragraph separators split or cut a
line where the author cannot see it.

So while commands render (`enforced`), the sandbox's finalize hook (runner.render.sandbox)
hands every `{{ }}` value to `check`, which refuses one holding any such character. The
literal text of a task or template is the author's and may span lines; only values are
checked. Multi-line text the author means, a banner, goes through `| multiline`, and only
in a config task: its lines become config lines, as the platform's CLI takes a banner typed
line by line (a template task's too); it still may not carry another control character.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import jinja2
from jinja2 import meta

# Every C0 control (tab included), DEL, every C1 control (NEL among them) and the Unicode
# line and paragraph separators: what str.splitlines() splits on, and what a CLI acts on.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NAMES = {
    "\n": "a line break (\\n)",
    "\r": "a carriage return (\\r)",
    "\t": "a tab (\\t)",
    "\x00": "a NUL character",
    "\x03": "a Ctrl-C character",
    "\x1a": "a Ctrl-Z character",
    "\x1b": "an ESC character",
    "\u2028": "a Unicode line separator (U+2028)",
    "\u2029": "a Unicode paragraph separator (U+2029)",
}
# Where a task's variables come from, by top-level name, kept in its render context.
ORIGINS = "__netjob_origins__"
_SEARCH_DEPTH = 20  # how deep into a variable's data the culprit is looked for
_SEARCH_ITEMS = 10_000


class MultiLine(str):
    """Text the job marked as multi-line (`| multiline`): line breaks allowed."""

    __slots__ = ()


class ControlValue(jinja2.TemplateError):
    """A `{{ }}` value holding a control character, while commands render."""

    def __init__(self, char: str) -> None:
        super().__init__(f"a value holds {describe(char)}")
        self.char = char


# What is rendering now: None (not commands: checks, save_to), else the task's kind name.
_KIND: ContextVar[str | None] = ContextVar("netjob_one_line_kind", default=None)


@contextlib.contextmanager
def enforced(kind: str) -> Iterator[None]:
    """Render commands of a task of this kind (`config` takes `| multiline`) inside this."""
    token = _KIND.set(kind)
    try:
        yield
    finally:
        _KIND.reset(token)


def describe(char: str) -> str:
    return _NAMES.get(char, f"a control character (U+{ord(char):04X})")


def check(value: Any) -> None:
    """Raise ControlValue if commands are rendering and `value` would not stay one line."""
    if _KIND.get() is None or value is None or isinstance(value, (bool, int, float)):
        return
    text = value if isinstance(value, str) else str(value)
    pattern = _CONTROL_BUT_NEWLINE if isinstance(value, MultiLine) else _CONTROL
    found = pattern.search(text)
    if found is not None:
        raise ControlValue(found.group())


def check_filter(args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """A filter that makes line breaks its input did not have (`wordwrap`, `striptags`
    decoding `&#10;`), while commands render: refused as a value would be. Needed for
    `{% filter %}` blocks, whose output never passes finalize."""
    if _KIND.get() is None or not isinstance(result, str) or isinstance(result, MultiLine):
        return
    made = len(_CONTROL.findall(result))
    if not made:
        return
    given = sum(len(_CONTROL.findall(a)) for a in (*args, *kwargs.values()) if isinstance(a, str))
    if made > given:
        raise ControlValue(_CONTROL.findall(result)[0])


def multiline(value: Any) -> MultiLine:
    """The `multiline` filter: this value's line breaks are meant (a banner's text)."""
    kind = _KIND.get()
    if kind not in ("config", "template"):  # None: a loop:, a check, a when:, a save_to
        where = f"in a {kind} task a value is one line" if kind else "not in loop:, when: or checks"
        raise jinja2.TemplateError(
            f"`| multiline` is for config tasks (a banner's text, where it goes); {where}"
        )
    return MultiLine(str(value).replace("\r\n", "\n"))


def culprit(names: set[str], context: Mapping[str, Any]) -> str:
    """Which variable (of those a template reads) brought a control character, and from
    where: 'intf (from -e)'. '' when none of them holds one as such (a filter made it)."""
    origins: Mapping[str, str] = context.get(ORIGINS) or {}
    for name in sorted(names):
        if name == ORIGINS or name not in context:
            continue
        path = _find(context[name], name, 0, [0])
        if path is not None:
            return f"{path} (from {origins.get(name, 'the job')})"
    return ""


def origins(
    inventory: Iterable[str],
    job: Iterable[str],
    extra: Iterable[str],
    job_vars: str,
    registered: Iterable[str],
) -> dict[str, str]:
    """Where each variable a task may read comes from, by precedence (for refusals)."""
    return {
        **dict.fromkeys(inventory, "the inventory"),
        **dict.fromkeys(job, job_vars),
        **dict.fromkeys(extra, "-e"),
        "host": "the inventory",
        "item": "the task's loop",
        **dict.fromkeys(registered, "a device's output"),
    }


def render(
    env: jinja2.Environment,
    kind: str,
    sources: Iterable[str],
    templates: Iterable[jinja2.Template],
    context: Mapping[str, Any],
) -> str:
    """A task's text rendered, every `{{ }}` value on one line; a TemplateError naming the
    variable and its origin when one is not."""
    with enforced(kind):
        try:
            return "\n".join(t.render(context) for t in templates)
        except ControlValue as exc:
            names = {n for s in sources for n in meta.find_undeclared_variables(env.parse(s))}
            who = culprit(names, context) or "a value"
            raise jinja2.TemplateError(
                f"{who} holds {describe(exc.char)}: a value must stay on one line, or it "
                "would send lines the task does not list; fix the value, or mark multi-line "
                "text for a config task (a banner) with `| multiline`"
            ) from None


def _find(value: Any, path: str, depth: int, seen: list[int]) -> str | None:
    seen[0] += 1
    if depth > _SEARCH_DEPTH or seen[0] > _SEARCH_ITEMS:
        return None
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _find(item, f"{path}.{key}", depth + 1, seen)
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _find(item, f"{path}[{index}]", depth + 1, seen)
            if found is not None:
                return found
    return None
