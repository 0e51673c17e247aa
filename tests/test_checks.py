from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netjob_lab.device import Device
from runner.base.errors import LoadError
from runner.base.models import Check, CheckStatus
from runner.load.checks import parse_checks
from runner.load.schema import At
from runner.load.yamlio import parse_yaml
from runner.run.audit import evaluate, evaluate_all

JOB = Path("job.yaml")

RUNNING = Device(3, "r003", "x").running_config()  # r003 has `ip http server` on

ROWS: list[dict[str, Any]] = [
    {"interface": "Gi0/1", "description": "uplink", "status": "connected", "mtu": "1500"},
    {"interface": "Gi0/2", "description": "", "status": "connected", "mtu": "9000"},
    {"interface": "Gi0/3", "description": "spare", "status": "disabled", "mtu": "1500"},
]


def load(text: str) -> tuple[Check, ...]:
    data = parse_yaml(text, str(JOB))
    return parse_checks(data["checks"], At(JOB, "tasks[0]", None).child("checks", data))


def one(text: str) -> Check:
    (check,) = load("checks:\n" + text)
    return check


def fails_with(text: str) -> str:
    with pytest.raises(LoadError) as caught:
        load("checks:\n" + text)
    return str(caught.value)


# --- parsing -------------------------------------------------------------------------------


def test_every_rule_of_the_documented_syntax_loads() -> None:
    checks = load(r"""
checks:
  - name: ntp server configured
    contains: "ntp server 192.0.2.123"
  - not_contains: "ip http server"
  - regex: "^logging host 192\\.0\\.2\\.\\d+$"
  - not_regex: "^snmp-server community public"
  - line: "logging host 192.0.2.50"
  - no_line: "ip http server"
  - field: version
    in: ["15.9(3)M4", "17.3.4"]
    where: {status: connected}
    each: false
""")
    assert [c.rule for c in checks] == [
        "contains", "not_contains", "regex", "not_regex", "line", "no_line", "in"
    ]  # fmt: skip
    assert checks[0].name == "ntp server configured"
    assert checks[1].name == "not_contains ip http server"
    assert checks[6].operand == ("15.9(3)M4", "17.3.4")
    assert checks[6].where == (("status", "connected"),)
    assert checks[6].each is False
    assert checks[6].name == "version in [15.9(3)M4, 17.3.4] where status=connected (any row)"


def test_unknown_key_names_file_line_and_key_with_a_suggestion() -> None:
    message = fails_with("  - contains: x\n  - contians: y\n")
    assert message.startswith("job.yaml:3: tasks[0].checks[1].contians:")
    assert "did you mean 'contains'?" in message


def test_two_rules_in_one_check_are_refused() -> None:
    message = fails_with("  - contains: x\n    regex: y\n")
    assert message.startswith("job.yaml:2: tasks[0].checks[0]:")
    assert "exactly one of" in message and "found contains, regex" in message


def test_a_check_without_a_rule_is_refused() -> None:
    assert "found none" in fails_with("  - name: nothing\n")


def test_a_bad_regex_is_refused_at_load_with_its_key() -> None:
    message = fails_with("  - name: broken\n    regex: 'ntp ('\n")
    assert message.startswith("job.yaml:3: tasks[0].checks[0].regex:")
    assert "invalid regular expression" in message


def test_a_templated_regex_is_judged_only_after_rendering() -> None:
    check = one("  - regex: '{{ pattern }}'\n")
    result = evaluate(check.render(lambda s: s.replace("{{ pattern }}", "(")), "x", None)
    assert result.status is CheckStatus.ERROR
    assert "invalid regular expression" in result.evidence


def test_wrong_types_are_refused() -> None:
    assert "expected a string" in fails_with("  - contains: [a, b]\n")
    assert "expected a number" in fails_with("  - field: mtu\n    gt: big\n")
    assert "expected true or false" in fails_with("  - field: mtu\n    equals: x\n    each: 1\n")
    assert "expected a list of checks" in fails_with("  contains: x\n")
    assert "expected a check" in fails_with("  - contains x\n")
    assert "non-empty" in fails_with("  - contains: ''\n")


def test_where_and_each_apply_to_field_checks_only() -> None:
    message = fails_with("  - contains: x\n    where: {a: b}\n")
    assert "tasks[0].checks[0].where: where: applies to field checks only" in message
    assert "applies to the raw output only" in fails_with("  - field: a\n    contains: x\n")


def test_a_field_check_needs_one_operator() -> None:
    assert "found none" in fails_with("  - field: version\n")
    assert "found equals, matches" in fails_with("  - field: v\n    equals: a\n    matches: b\n")


def test_no_checks_is_an_empty_tuple() -> None:
    assert parse_checks(None, At(JOB, "checks")) == ()


def test_render_passes_every_string_through_the_function() -> None:
    check = one("  - field: x\n    in: ['{{ a }}', b]\n    where: {s: '{{ a }}'}\n")
    rendered = check.render(str.upper)
    assert rendered.operand == ("{{ A }}", "B")
    assert rendered.where == (("s", "{{ A }}"),)
    assert rendered.name == check.name.upper()
    assert check.operand == ("{{ a }}", "b")  # the original is untouched


# --- text rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "status", "evidence"),
    [
        ("contains: 'ntp server 192.0.2.123'", "pass", "found line: ntp server 192.0.2.123"),
        ("contains: 'ntp server 192.0.2.9'", "fail", "not found: ntp server 192.0.2.9"),
        ("not_contains: 'ip http server'", "fail", "found line: ip http server"),
        ("not_contains: 'snmp-server'", "pass", "absent: snmp-server"),
        (r"regex: '^logging host 192\.0\.2\.\d+$'", "pass", "found line: logging host 192.0.2.50"),
        ("regex: '^ip domain'", "fail", "not found: ^ip domain"),
        (r"not_regex: '^ip http \w+$'", "fail", "found line: ip http server"),
        ("line: 'ip http server'", "pass", "found line: ip http server"),
        ("line: 'http server'", "fail", "not found: http server"),
        ("no_line: ' ip http server '", "fail", "found line: ip http server"),
        ("no_line: 'no ip http'", "pass", "absent: no ip http"),
    ],
)
def test_text_rules_on_a_lab_running_config(rule: str, status: str, evidence: str) -> None:
    result = evaluate(one(f"  - {rule}\n"), RUNNING, None)
    assert (result.status, result.evidence) == (status, evidence)


def test_regex_anchors_work_on_crlf_output() -> None:
    result = evaluate(one("  - regex: '^b$'\n"), "a\r\nb\r\nc\r\n", None)
    assert result.status is CheckStatus.PASS


def test_evidence_is_one_short_line() -> None:
    result = evaluate(one('  - contains: "a\\nb"\n'), "x a\nb y " + "z" * 500, None)
    assert result.status is CheckStatus.PASS
    assert "\n" not in result.evidence and len(result.evidence) <= 160


# --- field rules ---------------------------------------------------------------------------


def field(text: str, rows: list[dict[str, Any]] | None = ROWS) -> tuple[str, str]:
    result = evaluate(one("  - field: " + text.replace("\n", "\n    ") + "\n"), "", rows)
    return result.status.value, result.evidence


def test_a_field_check_on_unparsed_output_is_an_error_saying_what_to_add() -> None:
    status, evidence = field("version\nequals: x", rows=None)
    assert status == "error" and "add `parse: textfsm`" in evidence


def test_field_failure_names_the_row_the_value_and_the_expectation() -> None:
    assert field("description\nmatches: '.+'") == (
        "fail",
        "row Gi0/2: description = '' (expected matches '.+')",
    )


def test_where_selects_rows_before_judging() -> None:
    assert field("mtu\nequals: '1500'\nwhere: {status: disabled}")[0] == "pass"
    assert field("mtu\nequals: '1500'\nwhere: {status: connected}")[0] == "fail"


def test_each_false_needs_only_one_row() -> None:
    assert field("mtu\nequals: '9000'\neach: false")[0] == "pass"
    status, evidence = field("mtu\nequals: '1'\neach: false")
    assert status == "fail" and evidence.startswith("no row has mtu equals '1'")


def test_each_true_reports_how_many_rows_failed() -> None:
    status, evidence = field("mtu\nequals: '9000'")
    assert status == "fail" and evidence.endswith("(and 1 more rows)")


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ("ge: 1500", "pass"),
        ("gt: 1500", "fail"),
        ("lt: 9001", "pass"),
        ("le: 1499.5", "fail"),
        ("in: ['1500', '9000']", "pass"),
        ("not_in: ['9000']", "fail"),
        ("not_equals: '0'", "pass"),
    ],
)
def test_field_operators(rule: str, status: str) -> None:
    assert field(f"mtu\n{rule}")[0] == status


def test_numeric_compare_on_a_non_number_is_an_error() -> None:
    status, evidence = field("description\ngt: 3")
    assert status == "error" and "is not a number" in evidence
    rendered = one("  - field: mtu\n    gt: '{{ x }}'\n").render(lambda s: "lots")
    assert evaluate(rendered, "", ROWS).status is CheckStatus.ERROR


def test_an_unknown_field_is_an_error_listing_the_fields() -> None:
    status, evidence = field("speed\nequals: x")
    assert status == "error" and "no field 'speed'; fields: interface, description" in evidence
    assert field("mtu\nequals: x\nwhere: {colour: red}")[0] == "error"


def test_no_rows_fails_rather_than_passing_vacuously() -> None:
    assert field("mtu\nequals: '1500'", rows=[]) == ("fail", "no rows (of 0 parsed)")
    assert field("mtu\nequals: '1'\nwhere: {status: gone}")[0] == "fail"


def test_list_values_compare_as_joined_text() -> None:
    rows = [{"name": "r1", "servers": ["192.0.2.1", "192.0.2.2"]}]
    assert field("servers\nmatches: '192.0.2.2'", rows=rows)[0] == "pass"


def test_checks_are_evaluated_independently() -> None:
    checks = (
        *load("checks:\n  - contains: a\n  - field: x\n    equals: y\n  - contains: b\n"),
        # a bug must become a result
        Check(name="broken", rule="contains", operand=("not", "a string")),
    )
    results = evaluate_all(checks, "a", None)
    assert [r.status.value for r in results] == ["pass", "error", "fail", "error"]
    assert results[3].evidence.startswith("internal error:")


@pytest.mark.parametrize(
    ("pattern", "evidence"),
    [
        (
            r"^snmp-server community (public|private)\b",
            "found line: snmp-server community public RO (matched 'public')",
        ),
        # A group that names no value would repeat what the device printed: not said.
        (r"^snmp-server community (\S+)", "found line: snmp-server community public RO"),
    ],
)
def test_a_regex_rule_names_the_value_it_matched(pattern: str, evidence: str) -> None:
    check = Check(name="c", rule="not_regex", operand=pattern)
    result = evaluate(check, "hostname r1\nsnmp-server community public RO\n", None)
    assert result.status is CheckStatus.FAIL and result.evidence == evidence
