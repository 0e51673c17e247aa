"""The one Jinja2 environment every task renders in (runner.render.sandbox's, strict, with
netjob's filters), and its failures said as one TemplateError each: what went wrong, in
a person's words, with what to do (a close filter name, where to define a variable)."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from runner.base.errors import TemplateError
from runner.base.flat_config import FlatConfigError
from runner.base.models import Host
from runner.render import one_line, sandbox
from runner.render.undefined import Undefined, missing_member

ENV = sandbox.Sandbox(undefined=Undefined, autoescape=False, keep_trailing_newline=False)
ENV.filters["multiline"] = one_line.multiline  # a banner's text: see runner.render.one_line
_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_FILTER = re.compile(r"No (filter|test) named '([^']+)'")
_SHOWN = 12  # filter names an unknown-filter error lists


def unknown_filter(message: str) -> bool:
    """Whether Jinja2's compile error is a filter or test it does not know: told per host,
    as other template errors are, not when the job loads."""
    return _NO_FILTER.search(message) is not None


def over_time(where: str, host: Host) -> TemplateError:
    """One filter call that ran past the host's time budget (the sandbox's own checks run
    between calls): the timer of runner.base.time_bound stopped it."""
    return TemplateError(
        f"{where}: refused by the template sandbox: rendering took longer than its time "
        f"budget ({sandbox.HOST_SECONDS:g} s per host)",
        host=host.name,
    )


@contextlib.contextmanager
def guard(where: str, **at: Any) -> Iterator[None]:
    """Jinja2's errors as one TemplateError naming job, task, host and what to do; `at`,
    the same as its attributes (path, host, task)."""
    try:
        yield
    except jinja2.UndefinedError as exc:
        missing = missing_member(str(exc))
        if missing is not None:
            raise TemplateError(f"{where}: {missing}", **at) from None
        match = _UNDEFINED.search(str(exc))
        what = f"undefined variable '{match.group(1)}'" if match else f"undefined: {exc}"
        name = match.group(1) if match else "NAME"
        raise TemplateError(
            f"{where}: {what}; define it in the inventory or the job's vars, or pass -e {name}=...",
            **at,
        ) from None
    except SecurityError as exc:
        raise TemplateError(
            f"{where}: refused by the template sandbox: {one_line_of(exc)}", **at
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{where}: {explain(exc)}", **at) from None
    except FlatConfigError as exc:
        raise TemplateError(f"{where}: {exc}", **at) from None
    except TemplateError:
        raise
    except Exception as exc:  # a template is code: any error in it is the template's
        raise TemplateError(f"{where}: {type(exc).__name__}: {one_line_of(exc)}", **at) from None


def explain(exc: BaseException) -> str:
    """Jinja2's "No filter named 'x'." as what to use instead, close matches first."""
    match = _NO_FILTER.search(str(exc))
    if match is None:
        return one_line_of(exc)
    kind, name = match.groups()
    names = ENV.filter_names() if kind == "filter" else sorted(ENV.tests)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    shown = [*close, *(n for n in names if n not in close)][:_SHOWN]
    more = f", and {len(names) - len(shown)} more (README: Filters)" if len(names) > _SHOWN else ""
    return f"no {kind} named '{name}'; available: {', '.join(shown)}{more}"


def one_line_of(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")
