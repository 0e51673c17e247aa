"""schema/report.schema.json, generated from the records (runner.report.records) by their
one mapping (runner.report.json_fields): the published format of report.json and of
`netjob run|report --output json`. tests/test_report_schema.py fails when the file and
the records differ; after a change to the records, write it anew:

    python -m runner.report.report_schema
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runner.base.errors import FailureClass
from runner.base.models import Status
from runner.base.run_layout import REPORT_JSON
from runner.report.json_fields import Schema, schema_of
from runner.report.records import REPORT_FORMAT, HostDoc, ReportDoc, StepDoc

__all__ = ["SCHEMA_FILE", "report_schema", "schema_text"]

SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / "schema" / "report.schema.json"


def report_schema() -> Schema:
    """The JSON Schema of report.json: ReportDoc's, with the types named in its $defs."""
    defs: dict[Any, tuple[str, Schema]] = {
        FailureClass: ("failure", {"enum": [None, *(f.value for f in FailureClass)]}),
        Status: ("status", {"enum": [s.value for s in Status]}),
        HostDoc: ("host", {}),
        StepDoc: ("step", {}),
    }
    for record in (HostDoc, StepDoc):  # a $ref needs only the name: each is written once
        name, _ = defs[record]
        defs[record] = (name, schema_of(record, defs))
    head: Schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": REPORT_FORMAT,
        "title": f"netjob run report ({REPORT_JSON}, and `netjob run|report --output json`)",
        "description": f"Stable: fields are only ever added within format {REPORT_FORMAT}.",
    }
    return {**head, **schema_of(ReportDoc, defs), "$defs": dict(defs.values())}


def schema_text() -> str:
    """schema/report.schema.json's text: what fits on a line of WIDTH on one."""
    return _text(report_schema(), 0) + "\n"


WIDTH = 100


def _text(value: Any, indent: int, prefix: str = "") -> str:
    flat = json.dumps(value, ensure_ascii=False)
    if indent + len(prefix) + len(flat) <= WIDTH or not isinstance(value, dict | list) or not value:
        return prefix + flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = [_text(v, indent + 2, f"{json.dumps(k)}: ") for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_text(v, indent + 2) for v in value]
        opening, closing = "[", "]"
    body = ",\n".join(inner + item for item in items)
    return f"{prefix}{opening}\n{body}\n{' ' * indent}{closing}"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
