"""The Jinja2 sandbox templates render in, bounded in time and size.

A template is code from a job file: besides Python internals (Jinja2's sandbox), it must
not hang netjob or take its memory. Every hook the sandbox offers counts against a budget
per host (HOST_SECONDS, MAX_CHARS of values and output, MAX_TURNS loop turns) and one for
all hosts (TOTAL_SECONDS, MAX_TOTAL_CHARS): `'x' * 10**9`, `9 ** 10**9`, `center(10**9)`,
a width in `%` or `format`, nested loops, `lipsum(10**6)` are refused before they run, and
values that grow step by step (`~`, `+`) when they pass the bound; the network filters
(runner.render.filters) keep to the same bounds. Templates cannot include,
import or extend files. Every refusal is a SecurityError (runner.render.templating names the job,
task and host).
"""

from __future__ import annotations

import contextlib
import functools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from runner.render import one_line

MAX_CHARS = 1_000_000  # a value (characters or items), and a host's whole output
MAX_TOTAL_CHARS = 200_000_000  # every host's output together
MAX_INT_BITS = 100_000  # ~30,000 digits
MAX_TURNS = 1_000_000  # loop turns per host
HOST_SECONDS = 2.0  # a template of a few hundred lines renders in milliseconds
TOTAL_SECONDS = 60.0  # every host of one job: ~10 ms each for 5,000 hosts
_WIDTHS = {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap", "truncate"}
_DIGITS = re.compile(r"\d+")
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class Total:
    """What every host of one job has used together."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + TOTAL_SECONDS
        self.chars = 0


class _Budget:
    def __init__(self, total: Total | None) -> None:
        self.total = total
        self.deadline = time.monotonic() + HOST_SECONDS
        if total is not None:
            self.deadline = min(self.deadline, total.deadline)
        self.chars = 0
        self.turns = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            limit = (
                "per host"
                if self.total is None or self.total.deadline > self.deadline
                else "in all"
            )
            raise SecurityError(f"rendering took longer than its time budget ({limit})")

    def charge(self, chars: int) -> None:
        self.chars += chars
        if self.chars > MAX_CHARS:
            raise SecurityError(f"rendered output over {MAX_CHARS:,} characters for one host")
        if self.total is not None:
            self.total.chars += chars
            if self.total.chars > MAX_TOTAL_CHARS:
                raise SecurityError(f"rendered output over {MAX_TOTAL_CHARS:,} characters in all")


_BUDGET: ContextVar[_Budget | None] = ContextVar("netjob_render_budget", default=None)


@contextlib.contextmanager
def budget(total: Total | None) -> Iterator[None]:
    """Render inside this for one host's budget (and the job's total, when given)."""
    token = _BUDGET.set(_Budget(total))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _tick() -> None:
    current = _BUDGET.get()
    if current is not None:
        current.tick()


def _too_big(what: str) -> SecurityError:
    return SecurityError(f"{what} would be over {MAX_CHARS:,} characters or items")


def _sized(value: Any) -> Any:
    """Refuse a value that grew past the bound (checked after `+`, `~`, calls, filters)."""
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        if len(value) > MAX_CHARS:
            raise _too_big(f"a {type(value).__name__}")
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise SecurityError(f"a number over {MAX_INT_BITS:,} bits")
    return value


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and right * left.bit_length() > MAX_INT_BITS:
            raise SecurityError(f"a power over {MAX_INT_BITS:,} bits")
    elif operator == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SecurityError(f"a product over {MAX_INT_BITS:,} bits")
            return
        seq, count = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(count, int) and hasattr(seq, "__len__") and len(seq) * count > MAX_CHARS:
            raise _too_big("a repetition")
    elif operator == "%" and isinstance(left, str):
        _check_printf(left, right)


def _check_printf(text: str, args: Any) -> None:
    values = args if isinstance(args, tuple) else (args,)
    for match in _PRINTF.finditer(text):
        for width in match.groups():
            if width and width != "*" and int(width) > MAX_CHARS:
                raise _too_big("a % width")
            if width == "*" and any(isinstance(v, int) and v > MAX_CHARS for v in values):
                raise _too_big("a % width")


def _check_format(text: str, args: Iterable[Any]) -> None:
    big = any(isinstance(a, int) and a > MAX_CHARS for a in args)
    for _, _, spec, _ in string.Formatter().parse(text):
        if spec and (
            ("{" in spec and big) or any(int(n) > MAX_CHARS for n in _DIGITS.findall(spec))
        ):
            raise _too_big("a format width")


def _check_join(items: list[Any], separator: Any) -> None:
    size = len(items) * len(str(separator)) + sum(len(i) for i in items if isinstance(i, str))
    if size > MAX_CHARS:
        raise _too_big("a join")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * len(new) > MAX_CHARS:
            raise _too_big("a replace")


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Pre-checks for the str methods whose result a small call can make huge."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
    if not isinstance(owner, str):
        return args
    values = (*args, *kwargs.values())
    if name in _WIDTHS and any(isinstance(v, int) and v > MAX_CHARS for v in values):
        raise _too_big(f"str.{name}()")
    if name in ("format", "format_map"):
        _check_format(
            owner, [*values, *(v for a in values if isinstance(a, dict) for v in a.values())]
        )
    if name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1])
    if name == "join" and args:
        items = list(args[0])
        _check_join(items, owner)
        return (items, *args[1:])
    return args


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        values = [*args, *kwargs.values()]
        big = any(isinstance(v, int) and not isinstance(v, bool) and v > MAX_CHARS for v in values)
        if big and name in (*_WIDTHS, "batch", "slice"):
            raise _too_big(f"the {name} filter")
        if name == "format" and args:  # format(value, *args): value % args
            _check_printf(str(args[0]), tuple(args[1:]) or tuple(kwargs.values()))
        if name == "join" and len(args) >= 2:  # join(eval_ctx, value, d="")
            items = list(args[1])
            _check_join(items, args[2] if len(args) > 2 else kwargs.get("d", ""))
            args = (args[0], items, *args[2:])
        if name == "replace" and len(args) >= 4:  # replace(eval_ctx, s, old, new)
            _check_replace(args[1], args[2], args[3])
        result = func(*args, **kwargs)
        one_line.check_filter(args, kwargs, result)  # a line break a filter made
        return _sized(result)

    return guarded


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not all(isinstance(v, int) and 0 <= v <= 1000 for v in (n, min, max)):
        raise SecurityError("lipsum(): n, min and max must be whole numbers up to 1,000")
    return str(jinja2.utils.generate_lorem_ipsum(n=n, html=html, min=min, max=max))


class _NoFiles(jinja2.BaseLoader):
    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        raise SecurityError(
            f"{template!r}: templates cannot include, import or extend files; "
            "put the lines in the task or its template file"
        )


class _CountLoops(NodeTransformer):
    """Every `for` turns through Sandbox.turns() (a budget per turn, charged the text its
    body writes), and every `~` goes through Sandbox.sized()."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        text = sum(len(data.data) for data in node.find_all(nodes.TemplateData))
        node.iter = _call("turns", node.iter, nodes.Const(text), lineno=node.lineno)  # type: ignore[arg-type]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _call("sized", node, lineno=node.lineno)


def _call(name: str, *args: nodes.Expr, lineno: int) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(name), list(args), [], None, None, lineno=lineno)


def _finalize(value: Any) -> Any:
    """Every `{{ }}` output: charged to the host's budget, and one line in a command."""
    one_line.check(value)
    current = _BUDGET.get()
    if current is not None:
        current.tick()
        current.charge(len(value) if isinstance(value, str) else len(str(value)))
    return value


class _Filters(dict[str, Any]):
    """Jinja2's filters, then the network filters (runner.render.filters), loaded the first
    time a template names a filter Jinja2 lacks: commands that render nothing never
    import netutils."""

    loaded = False

    def load(self) -> None:
        from runner.render.filters import network_filters

        self.loaded = True
        for name, func in network_filters(_guarded_filter, MAX_CHARS, _tick).items():
            self.setdefault(name, func)

    def __contains__(self, name: object) -> bool:
        if not self.loaded and not super().__contains__(name):
            self.load()
        return super().__contains__(name)

    def __missing__(self, name: str) -> Any:
        if self.loaded:
            raise KeyError(name)
        self.load()
        return self[name]

    def get(self, name: str, default: Any = None) -> Any:
        # dict.get would skip __contains__ and __missing__, so never load the filters.
        return self[name] if name in self else default  # noqa: SIM401


class Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(loader=_NoFiles(), finalize=_finalize, **options)
        self.filters = _Filters(
            (name, _guarded_filter(name, f)) for name, f in self.filters.items()
        )
        self.globals["lipsum"] = _lipsum

    def filter_names(self) -> list[str]:
        """Every filter a template can use, the network filters loaded."""
        if isinstance(self.filters, _Filters) and not self.filters.loaded:
            self.filters.load()
        return sorted(self.filters)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        result: nodes.Template = _CountLoops().visit(tree)
        return result

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_binop(operator, left, right)
        return _sized(self.binop_table[operator](left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        args = _check_call(obj, args, kwargs)
        return _sized(super().call(context, obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def turns(self, iterable: Any, text: int) -> Iterator[Any]:
        current = _BUDGET.get()
        for item in iterable:
            if current is not None:
                current.tick()
                current.turns += 1
                if current.turns > MAX_TURNS:
                    raise SecurityError(f"loops turned more than {MAX_TURNS:,} times for one host")
                current.charge(text)
            yield item

    def sized(self, value: Any) -> Any:
        return _sized(value)
