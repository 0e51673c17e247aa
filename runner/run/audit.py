"""Judging one step's output by its task's checks (runner.load.checks parses them): every check
independently, and never an exception for a bad output: a check that cannot be judged (not
parsed, not a number, a bad regex) is an "error" result with the reason.
"""

from __future__ import annotations

import operator
import re
from typing import Any

from runner.base.models import Check, CheckResult, CheckStatus
from runner.load.checks import NUMERIC_RULES, bad_regex, to_number, where_text

_EVIDENCE_CHARS = 160


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
        if problem := bad_regex(needle):
            return CheckStatus.ERROR, problem
        match = re.search(needle, output, re.MULTILINE)
        found = lines[output.count("\n", 0, match.start())] if match else None
        if match is not None and found is not None:
            found = found.strip() + _named_values(needle, match)
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


def _named_values(pattern: str, match: re.Match[str]) -> str:
    r"""The values the rule names that matched (`(public|private)` matching `public`), to
    say after the line: redaction may mask them there (`snmp-server community ********`),
    and the finding is about them. Only a group's literal alternatives, as the pattern
    spells them: a group such as `(\S+)` would repeat a secret the device printed."""
    literal = {
        word
        for group in _GROUPS.findall(pattern)
        for word in group.removeprefix("?:").split("|")
        if word and re.escape(word) == word
    }
    named = [g for g in match.groups() if g in literal]
    return f" (matched {', '.join(repr(g) for g in named)})" if named else ""


_GROUPS = re.compile(r"\(([^()]*)\)")  # a group with no group inside: `(public|private)`


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
        return CheckStatus.FAIL, f"no rows{where_text(check.where)} (of {len(parsed)} parsed)"
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
        number, limit = to_number(value), to_number(operand)
        return None if number is None or limit is None else _COMPARE[rule](number, limit)
    if rule == "matches":
        return re.search(operand, value) is not None
    return (value == operand) == (rule == "equals")


_COMPARE = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def _bad_operand(check: Check) -> str | None:
    """Operands are judged after rendering too: a variable may hold anything."""
    operand = check.operand
    if check.rule in NUMERIC_RULES and isinstance(operand, str) and to_number(operand) is None:
        return f"{check.rule}: {operand!r} is not a number"
    if check.rule == "matches" and isinstance(operand, str):
        return bad_regex(operand)
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
