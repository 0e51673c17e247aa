"""schema/report.schema.json is generated from the records (runner.report.report_schema):
the published file is what the records say, byte for byte, and says what they write."""

from __future__ import annotations

import dataclasses
from typing import Any

import jsonschema

from runner.base.models import Status, TaskKind
from runner.report.json_fields import meta, schema_of, to_json
from runner.report.records import HostDoc, StepDoc
from runner.report.report_schema import SCHEMA_FILE, report_schema, schema_text


def test_the_published_schema_is_the_one_the_records_generate() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "schema/report.schema.json differs from the records: python -m runner.report.report_schema"
    )


def test_the_generated_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())


def test_a_field_added_to_a_record_is_in_its_schema_and_its_json() -> None:
    """What adding a field to a record does: with its metadata, it is in the JSON written
    and in the schema (required unless optional; host-file fields in neither)."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Record:
        name: str
        seen: int | None = field_(about="when")
        extra: str | None = dataclasses.field(default=None, metadata=meta(optional=True))
        local: str = dataclasses.field(default="x", metadata=meta(host_file=True))

    schema = schema_of(Record, {})
    assert schema["required"] == ["name", "seen"]
    assert schema["properties"] == {
        "name": {"type": "string"},
        "seen": {"type": ["integer", "null"], "description": "when"},
        "extra": {"type": "string"},
    }
    assert to_json(Record(name="a", seen=None)) == {"name": "a", "seen": None}
    assert to_json(Record(name="a", seen=1, extra="e"), host_file=True) == {
        "name": "a",
        "seen": 1,
        "extra": "e",
        "local": "x",
    }


def field_(about: str) -> Any:
    return dataclasses.field(default=None, metadata=meta(about=about))


def test_report_json_s_hosts_validate_against_the_generated_host_schema() -> None:
    step = StepDoc(
        task="t", kind=TaskKind.SHOW, status=Status.OK, commands=("show clock",), started=1.0
    )
    host = HostDoc(
        host="r1", status=Status.OK, log="hosts/r1.log", data="hosts/r1.json", steps=(step,)
    )
    schema = report_schema()
    strict = {**schema, **schema["$defs"]["host"], "additionalProperties": False}
    jsonschema.validate(to_json(host), strict)
