r"""Checks on one step's output: the "repeatable audit" rules of a task.

    checks:
      - name: ntp server configured          # optional; derived from the rule
        contains: "ntp server 192.0.2.123"   # a substring of the output
      - not_contains: "ip http server"
      - regex: "^logging host 192\\.0\\.2\\.\\d+$"   # multiline; matches anywhere
      - not_regex: '^snmp-server community public'
      - line: "logging host 192.0.2.50"      # an exact line (both sides stripped)
      - no_line: "ip http server"
      - field: version                       # on parsed rows (`parse: textfsm`)
        in: ["15.9(3)M4", "17.3.4"]          # or equals, not_equals, not_in, matches,
        where: {status: connected}           #    gt, ge, lt, le (numbers)
        each: true                           # every selected row (false: at least one)

Parsing is pure schema work (`parse_checks`); the records (`Check`, `CheckResult`) are in
runner.base.models, so `Check.render` lets the caller template the operands per host; judging an
output is runner.run.audit (`evaluate` never raises for a bad output: it answers "error").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from runner.base.models import Check
from runner.load import schema
from runner.load.schema import At
from runner.load.yamlio import line_of

TEXT_RULES = ("contains", "not_contains", "regex", "not_regex", "line", "no_line")
FIELD_RULES = ("equals", "not_equals", "in", "not_in", "matches", "gt", "ge", "lt", "le")
NUMERIC_RULES = ("gt", "ge", "lt", "le")
_REGEX_RULES = ("regex", "not_regex", "matches")
_KEYS = ("name", *TEXT_RULES, "field", *FIELD_RULES, "where", "each")

# `until:` on a show task: Ansible's defaults (3 retries, 5 s apart), and bounds that keep
# one host's wait finite (a host_timeout bounds it too).
UNTIL_RETRIES, UNTIL_DELAY = 3, 5.0
MAX_RETRIES, MAX_DELAY = 1000, 3600.0

# --- parsing -------------------------------------------------------------------------------


def parse_checks(data: Any, at: At) -> tuple[Check, ...]:
    """The `checks:` list of a task; `at` points at the `checks` key itself."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise at.fail("expected a list of checks (each a mapping such as `contains: text`)")
    return tuple(_check(item, At(at.file, f"{at.path}[{i}]", data)) for i, item in enumerate(data))


def parse_until(
    item: dict[str, Any], at: At, is_show: bool
) -> tuple[tuple[Check, ...], int, float]:
    """A task's `until:` (checks, as `checks:` are written), `retries:` and `delay:`.
    netjob judges outputs with checks, not Jinja2 expressions: an Ansible-style string is
    refused with the form to write instead."""
    if "until" not in item:
        for key in ("retries", "delay"):
            if key in item:
                raise at.child(key, item).fail(f"{key}: goes with until: (the checks to wait for)")
        return (), 0, 0.0
    where = at.child("until", item)
    if not is_show:
        raise where.fail("until: repeats a show task; this task is not one")
    if isinstance(item["until"], str):
        raise where.fail(
            "until: is a list of checks, written as checks: are, e.g. "
            "until: [{contains: Established}]; not an expression"
        )
    until = parse_checks(item["until"], where)
    if not until:
        raise where.fail("expected at least one check to wait for")
    retries = schema.integer(item, "retries", at, 0, MAX_RETRIES)
    delay = schema.number(item, "delay", at, 0.0, MAX_DELAY)
    return (
        until,
        UNTIL_RETRIES if retries is None else retries,
        UNTIL_DELAY if delay is None else delay,
    )


def _check(item: Any, at: At) -> Check:
    if not isinstance(item, dict):
        raise at.fail(
            "expected a check (a mapping such as `contains: text`)", line_of(item) or None
        )
    at = At(at.file, at.path, item, None)
    schema.check_keys(item, at, _KEYS)
    fields = _fields(item, at)
    field = dict(fields).get("default", fields[0][1]) if fields else None
    # Field checks judge parsed rows, text checks the raw output: their keys never mix.
    rules, others = (FIELD_RULES, TEXT_RULES) if field else ((*TEXT_RULES, "field"), FIELD_RULES)
    for key in (*others, *(() if field else ("where", "each"))):
        if key in item:
            what = "field checks only (add field:)" if field is None else "the raw output only"
            raise at.child(key, item).fail(f"{key}: applies to {what}")
    found = [key for key in rules if key in item]
    if len(found) != 1:
        keys = ", ".join(f"{k}:" for k in rules)
        raise at.fail(
            f"a check needs exactly one of {keys} (found {', '.join(found) or 'none'})",
            line_of(item) or None,
        )
    rule = found[0]
    check = Check(
        name="",
        rule=rule,
        operand=_operand(item, rule, at),
        field=field,
        where=_where(item, at),
        each=schema.boolean(item, "each", at, default=True),
        line=line_of(item),
        fields=fields if isinstance(item.get("field"), dict) else (),
    )
    return replace(check, name=schema.string(item, "name", at) or describe(check))


def _fields(item: dict[str, Any], at: At) -> tuple[tuple[str, str], ...]:
    """`field: version`, or per platform `field: {arista_eos: image, default: version}`
    (keys as a job's per-platform commands: resolved to device_types, unknown ones refused)."""
    if "field" not in item:
        return ()
    if not isinstance(item["field"], dict):
        return (("default", _text(item, "field", at).lower()),)
    where = at.child("field", item)
    mapping = schema.mapping(item["field"], where)
    if not mapping:
        raise where.fail("expected a field name, or a mapping of platform to field name")
    keys = schema.platform_keys(mapping, where)
    return tuple((platform, _text(mapping, name, where).lower()) for name, platform in keys.items())


def _operand(item: dict[str, Any], rule: str, at: At) -> str | tuple[str, ...]:
    if rule in ("in", "not_in"):
        values = schema.strings(item, rule, at)
        if not values:
            raise at.child(rule, item).fail("expected a list of at least one value")
        return values
    if rule in NUMERIC_RULES:
        return _number(item, rule, at)
    return _text(item, rule, at, allow_empty=rule in ("equals", "not_equals"))


def _text(item: dict[str, Any], key: str, at: At, allow_empty: bool = False) -> str:
    value = schema.string(item, key, at)
    if value is None or (not value and not allow_empty):
        raise at.child(key, item).fail("expected a non-empty string")
    if key in _REGEX_RULES and not _templated(value) and (problem := bad_regex(value)):
        raise at.child(key, item).fail(problem)
    return value


def _number(item: dict[str, Any], key: str, at: At) -> str:
    value = item[key]
    if isinstance(value, str) and (_templated(value) or to_number(value) is not None):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise at.child(key, item).fail(f"expected a number (or a {{{{ variable }}}}), got {value!r}")


def _where(item: dict[str, Any], at: At) -> tuple[tuple[str, str], ...]:
    where_at = at.child("where", item)
    where = schema.mapping(item.get("where"), where_at)
    pairs = []
    for key in where:
        value = schema.string(where, key, where_at)
        pairs.append((key.lower(), "" if value is None else value))
    return tuple(pairs)


def describe(check: Check) -> str:
    """The rule in words: the default name of a check, and what a failure expected."""
    operand = check.operand
    shown = f"[{', '.join(operand)}]" if isinstance(operand, tuple) else operand
    if check.field is None:
        return f"{check.rule} {shown}"
    text = f"{check.field} {check.rule} {shown}" + where_text(check.where)
    return text if check.each else f"{text} (any row)"


def where_text(where: tuple[tuple[str, str], ...]) -> str:
    return " where " + ", ".join(f"{k}={v}" for k, v in where) if where else ""


def _templated(text: str) -> bool:
    # Operands are validated again after rendering; here we cannot judge a Jinja2 expression.
    return "{{" in text or "{%" in text


def to_number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", ""))
    except ValueError:
        return None


def bad_regex(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression {pattern!r}: {exc}"
    return None
