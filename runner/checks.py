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

Parsing is pure schema work (`parse_checks`); `Check.render` lets the caller template
the operands per host; `evaluate` never raises for a bad output: it answers "error".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from runner import schema
from runner.schema import At
from runner.yamlio import line_of

TEXT_RULES = ("contains", "not_contains", "regex", "not_regex", "line", "no_line")
FIELD_RULES = ("equals", "not_equals", "in", "not_in", "matches", "gt", "ge", "lt", "le")
NUMERIC_RULES = ("gt", "ge", "lt", "le")
_REGEX_RULES = ("regex", "not_regex", "matches")
_KEYS = ("name", *TEXT_RULES, "field", *FIELD_RULES, "where", "each")
_EVIDENCE_CHARS = 160


class CheckStatus(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # the check could not be judged (not parsed, not a number, bad regex)


@dataclass(frozen=True)
class Check:
    """One rule. `rule` is a TEXT_RULES name, or a FIELD_RULES name when `field` is set."""

    name: str
    rule: str
    operand: str | tuple[str, ...]  # a tuple for `in` / `not_in` only
    field: str | None = None  # with `fields`: the `default:` one, if any
    where: tuple[tuple[str, str], ...] = ()
    each: bool = True
    line: int = 0  # where the check starts in the job file
    # `field: {arista_eos: image, default: version}`: ntc-templates name fields per platform.
    fields: tuple[tuple[str, str], ...] = ()

    def field_for(self, platform: str | None) -> str | None:
        """The field this check reads on a platform (None: no entry for it, no default)."""
        by_platform = dict(self.fields)
        if not by_platform:
            return self.field
        return by_platform.get(platform or "", by_platform.get("default"))

    def render(self, fn: Callable[[str], str]) -> Check:
        """A copy with every string (name, operands, where values) passed through `fn`."""
        operand = (
            tuple(fn(v) for v in self.operand)
            if isinstance(self.operand, tuple)
            else fn(self.operand)
        )
        where = tuple((key, fn(value)) for key, value in self.where)
        return replace(self, name=fn(self.name), operand=operand, where=where)


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    evidence: str  # one short line: the offending line or value, or what matched


# --- parsing -------------------------------------------------------------------------------


def parse_checks(data: Any, at: At) -> tuple[Check, ...]:
    """The `checks:` list of a task; `at` points at the `checks` key itself."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise at.fail("expected a list of checks (each a mapping such as `contains: text`)")
    return tuple(_check(item, At(at.file, f"{at.path}[{i}]", data)) for i, item in enumerate(data))


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
    """`field: version`, or per platform `field: {arista_eos: image, default: version}`."""
    if "field" not in item:
        return ()
    if not isinstance(item["field"], dict):
        return (("default", _text(item, "field", at).lower()),)
    where = at.child("field", item)
    mapping = schema.mapping(item["field"], where)
    if not mapping:
        raise where.fail("expected a field name, or a mapping of platform to field name")
    return tuple((platform, _text(mapping, platform, where).lower()) for platform in mapping)


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
    if key in _REGEX_RULES and not _templated(value) and (problem := _bad_regex(value)):
        raise at.child(key, item).fail(problem)
    return value


def _number(item: dict[str, Any], key: str, at: At) -> str:
    value = item[key]
    if isinstance(value, str) and (_templated(value) or _to_number(value) is not None):
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
    text = f"{check.field} {check.rule} {shown}" + _where_text(check.where)
    return text if check.each else f"{text} (any row)"


def _where_text(where: tuple[tuple[str, str], ...]) -> str:
    return " where " + ", ".join(f"{k}={v}" for k, v in where) if where else ""


def _templated(text: str) -> bool:
    # Operands are validated again after rendering; here we cannot judge a Jinja2 expression.
    return "{{" in text or "{%" in text


def _to_number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", ""))
    except ValueError:
        return None


# --- evaluation ----------------------------------------------------------------------------


def evaluate_all(
    checks: tuple[Check, ...],
    output: str,
    parsed: list[dict[str, Any]] | None,
    platform: str | None = None,
) -> tuple[CheckResult, ...]:
    """Every check, independently: a broken check is an "error" result, never a stop."""
    results = []
    for check in checks:
        try:
            results.append(evaluate(check, output, parsed, platform))
        except Exception as exc:  # a bug here must not hide the other checks' results
            results.append(CheckResult(check.name, CheckStatus.ERROR, f"internal error: {exc!r}"))
    return tuple(results)


def evaluate(
    check: Check, output: str, parsed: list[dict[str, Any]] | None, platform: str | None = None
) -> CheckResult:
    field = check.field_for(platform)
    if check.fields and field is None:
        status, evidence = (
            CheckStatus.ERROR,
            (f"no field for platform {platform}; add a `{platform}:` or `default:` entry"),
        )
    elif field is not None:
        status, evidence = _evaluate_field(check, field, parsed)
    else:
        status, evidence = _evaluate_text(check, output.replace("\r\n", "\n"))
    return CheckResult(check.name, status, short(evidence))


def _evaluate_text(check: Check, output: str) -> tuple[CheckStatus, str]:
    assert isinstance(check.operand, str)
    needle = check.operand
    lines = output.split("\n")
    if check.rule in ("regex", "not_regex"):
        if problem := _bad_regex(needle):
            return CheckStatus.ERROR, problem
        match = re.search(needle, output, re.MULTILINE)
        found = lines[output.count("\n", 0, match.start())] if match else None
    elif check.rule in ("contains", "not_contains"):
        found = next((line for line in lines if needle in line), None)
        if found is None and needle in output:  # a needle spanning several lines
            found = needle
    else:
        found = next((line for line in lines if line.strip() == needle.strip()), None)
    if found is not None:
        status = CheckStatus.FAIL if check.rule.startswith("no") else CheckStatus.PASS
        return status, f"found line: {found.strip()}"
    if check.rule.startswith("no"):
        return CheckStatus.PASS, f"absent: {needle}"
    return CheckStatus.FAIL, f"not found: {needle}"


def _evaluate_field(
    check: Check, field: str, parsed: list[dict[str, Any]] | None
) -> tuple[CheckStatus, str]:
    if parsed is None:
        return CheckStatus.ERROR, f"field {field}: output was not parsed; add `parse: textfsm`"
    if problem := _bad_operand(check):
        return CheckStatus.ERROR, problem
    known = parsed[0] if parsed else {}
    if parsed and (unknown := [k for k in (field, *dict(check.where)) if k not in known]):
        return CheckStatus.ERROR, f"no field {unknown[0]!r}; fields: {', '.join(known)}"
    rows = [r for r in parsed if all(_value(r.get(k)) == v for k, v in check.where)]
    if not rows:
        return CheckStatus.FAIL, f"no rows{_where_text(check.where)} (of {len(parsed)} parsed)"
    values = [(_row_label(row, i), _value(row.get(field))) for i, row in enumerate(rows)]
    verdicts = [(label, value, _judge(check, value)) for label, value in values]
    passed = [(label, value) for label, value, ok in verdicts if ok]
    failed = [(label, value) for label, value, ok in verdicts if ok is False]
    if bad := [(label, value) for label, value, ok in verdicts if ok is None]:
        return CheckStatus.ERROR, f"row {bad[0][0]}: {field} = {bad[0][1]!r} is not a number"
    expected = _expected(check)
    if failed and check.each:
        label, value = failed[0]
        more = f" (and {len(failed) - 1} more rows)" if len(failed) > 1 else ""
        return CheckStatus.FAIL, f"row {label}: {field} = {value!r} (expected {expected}){more}"
    if not passed:
        label, value = failed[0]
        return CheckStatus.FAIL, f"no row has {field} {expected}; row {label}: {value!r}"
    label, value = passed[0]
    return CheckStatus.PASS, f"{len(passed)} of {len(rows)} rows; row {label}: {field} = {value!r}"


def _judge(check: Check, value: str) -> bool | None:
    """Whether `value` passes; None when a numeric rule meets a value that is no number."""
    operand, rule = check.operand, check.rule
    if isinstance(operand, tuple):
        return (value in operand) == (rule == "in")
    if rule in NUMERIC_RULES:
        number, limit = _to_number(value), _to_number(operand)
        return None if number is None or limit is None else _COMPARE[rule](number, limit)
    if rule == "matches":
        return re.search(operand, value) is not None
    return (value == operand) == (rule == "equals")


_COMPARE = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def _bad_operand(check: Check) -> str | None:
    """Operands are judged after rendering too: a variable may hold anything."""
    operand = check.operand
    if check.rule in NUMERIC_RULES and isinstance(operand, str) and _to_number(operand) is None:
        return f"{check.rule}: {operand!r} is not a number"
    if check.rule == "matches" and isinstance(operand, str):
        return _bad_regex(operand)
    return None


def _bad_regex(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression {pattern!r}: {exc}"
    return None


def _expected(check: Check) -> str:
    operand = check.operand
    # Quoted as written in the job file, not repr()'d: a regex's backslashes stay single.
    shown = f"[{', '.join(operand)}]" if isinstance(operand, tuple) else f"'{operand}'"
    return f"{check.rule} {shown}"


def _value(value: Any) -> str:
    # TextFSM `List` values are lists; compare them as the text a reader would see.
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


_LABEL_FIELDS = ("interface", "port", "name", "neighbor", "neighbor_name", "vlan_id", "hostname")


def _row_label(row: dict[str, Any], index: int) -> str:
    """How a reader names a row: its interface (or similar) column, else its number."""
    return next((_value(row[k]) for k in _LABEL_FIELDS if row.get(k)), f"#{index + 1}")


def short(text: str) -> str:
    """One line, at most _EVIDENCE_CHARS long: evidence goes into one-line summaries."""
    text = " ".join(text.split("\n")).strip()
    return text if len(text) <= _EVIDENCE_CHARS else text[: _EVIDENCE_CHARS - 1] + "…"
