"""One typed report document (runner/report/document.py): schema/report.schema.json and the
records name the same fields, and the files a real run writes validate against the schema,
read back into records and write back byte for byte."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fake_runs import SCHEMA, audit_run

from runner.base.errors import FailureClass
from runner.base.models import (
    CheckResult,
    CheckStatus,
    Host,
    HostResult,
    Job,
    Status,
    StepResult,
    TaskKind,
)
from runner.base.redact import Redactor
from runner.base.run_layout import host_log
from runner.report.change import ChangeDoc, InventoryRef
from runner.report.document import (
    CheckDoc,
    ComplianceDoc,
    FailingCheck,
    HostDoc,
    JobRef,
    ReportDoc,
    RuleDoc,
    RunningDoc,
    SavedDoc,
    StepDoc,
    Summary,
    host_from_json,
    host_text,
    json_keys,
    manifest_text,
    read_host,
    read_manifest,
    read_report,
    report_from_json,
    report_text,
)
from runner.report.html import render_html
from runner.report.json_fields import to_json
from runner.report.output_store import OutputStore
from runner.report.run_folder import RunWriter, load_host

DEFS = SCHEMA["$defs"]
COMPLIANCE = SCHEMA["properties"]["compliance"]
RULE = COMPLIANCE["properties"]["rules"]["additionalProperties"]

# Each record and the schema object it is written as.
OBJECTS = [
    (ReportDoc, SCHEMA),
    (JobRef, SCHEMA["properties"]["job"]),
    (SavedDoc, SCHEMA["properties"]["saved"]["items"]),
    (Summary, SCHEMA["properties"]["summary"]),
    (ComplianceDoc, COMPLIANCE),
    (RuleDoc, RULE),
    (FailingCheck, RULE["properties"]["failing"]["items"]),
    (HostDoc, DEFS["host"]),
    (StepDoc, DEFS["step"]),
    (CheckDoc, DEFS["step"]["properties"]["checks"]["items"]),
    (RunningDoc, SCHEMA["properties"]["running"]),
    (ChangeDoc, SCHEMA["properties"]["change"]),
    (InventoryRef, SCHEMA["properties"]["change"]["properties"]["inventories"]["items"]),
]


@pytest.mark.parametrize(("record", "schema"), OBJECTS, ids=[r.__name__ for r, _ in OBJECTS])
def test_the_schema_and_the_records_name_the_same_fields(
    record: type[Any], schema: dict[str, Any]
) -> None:
    keys = json_keys(record)  # each key of report.json, and whether it is always written
    assert sorted(keys) == sorted(schema["properties"])
    if record is ComplianceDoc:
        # `{}` when the job has no checks, so the schema can require none of its keys.
        assert "required" not in schema and all(keys.values())
    else:
        assert sorted(k for k, always in keys.items() if always) == sorted(schema["required"])


def test_the_schema_s_enums_are_the_records_enums() -> None:
    none, *failures = DEFS["failure"]["enum"]
    assert none is None and sorted(failures) == sorted(f.value for f in FailureClass)
    assert DEFS["status"]["enum"] == [s.value for s in Status]
    assert DEFS["step"]["properties"]["kind"]["enum"] == [k.value for k in TaskKind]
    checks = DEFS["step"]["properties"]["checks"]["items"]["properties"]["status"]["enum"]
    assert checks == [s.value for s in CheckStatus]
    failing = RULE["properties"]["failing"]["items"]["properties"]["status"]["enum"]
    assert failing == [s.value for s in CheckStatus if s is not CheckStatus.PASS]


def _strict(schema: Any) -> Any:
    """The schema with no key allowed beyond those it names: a key a record writes that the
    schema does not publish fails validation."""
    if isinstance(schema, dict):
        strict = {k: _strict(v) for k, v in schema.items()}
        if "properties" in schema:
            strict.setdefault("additionalProperties", False)
        return strict
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


STRICT = _strict(copy.deepcopy(SCHEMA))


def _host_files(run_dir: Path) -> Iterator[tuple[str, Path]]:
    for name, host in read_report(run_dir).hosts.items():
        yield name, run_dir / host.data


def _reads_back_identically(run_dir: Path) -> None:
    """report.json, each host file and run.json, read into records and written again."""
    text = (run_dir / "report.json").read_text()
    jsonschema.validate(json.loads(text), STRICT)
    report = read_report(run_dir)
    assert report_text(report) == text
    store = OutputStore(run_dir.parent / "outputs")
    for name, path in _host_files(run_dir):
        host = read_host(run_dir, name)
        assert host_text(host, store) == path.read_text()
        # A host file is report.json's entry plus outputs, parsed rows and the platform.
        data = json.loads(path.read_text())
        optional = {"poller"} if not host.poller else set()
        optional |= {"started_iso"} if host.started is None else set()
        optional |= {"transport"} if host.transport is None else set()  # no inventory host
        assert set(data) == set(json_keys(HostDoc, host_file=True)) - optional
        for step in data["steps"]:
            assert set(step) <= set(json_keys(StepDoc, host_file=True))
        jsonschema.validate(data, {**SCHEMA, **DEFS["host"]})
        assert load_host(run_dir, name)["steps"] == [
            {**step, "outputs": list(doc.outputs)}
            for step, doc in zip(data["steps"], host.steps, strict=True)
        ]
    manifest = (run_dir / "run.json").read_text()
    assert manifest_text(read_manifest(run_dir)) == manifest


def test_a_run_s_report_follows_the_schema_and_reads_back_byte_for_byte(
    inventory_file: Path, write: Any
) -> None:
    run_dir = audit_run(
        inventory_file, write, "[show version, show clock]", "[ntp server 192.0.2.1]"
    )
    doc = read_report(run_dir)
    assert doc.summary.failed == 1 and doc.hosts["r3"].failure is FailureClass.AUTH_FAILED
    assert doc.compliance is not None and doc.compliance.rules["never"].fail == 2
    assert doc.check is False and doc.workers == 20
    _reads_back_identically(run_dir)


def test_every_optional_field_reads_back_byte_for_byte(tmp_path: Path) -> None:
    """What a FakeFleet run leaves out: a poller, parsed rows, a diff, a skipped step, save_to
    files, an interrupt, a host name that is no file name, and secrets masked."""
    job = Job(name="all <fields>", path=tmp_path / "job.yaml")
    writer = RunWriter(
        tmp_path / "reports",
        job,
        Redactor(["hunter2"]),
        {"inventory": "inv.yaml", "workers": 3, "check": False},
    )
    writer.begin(["r1", "a/b", "never"])
    writer.hosts = {"r1": Host(name="r1", address="192.0.2.1", platform="cisco_ios")}
    saved = str(tmp_path / "backups") + "/./r1.txt"  # as runner.render.save_paths places it
    show = StepResult(
        task="v",
        kind=TaskKind.SHOW,
        commands=("show version", "show run"),
        status=Status.OK,
        outputs=("v hunter2\n", "run"),
        started=1.5,
        duration=0.123456,
        checks=(
            CheckResult("ok", CheckStatus.PASS, "found"),
            CheckResult("no", CheckStatus.FAIL, "line | pipe"),
        ),
        parsed=({"a": "1", "b": ["x"]},),
        save_to=saved,
    )
    config = StepResult(
        task="c",
        kind=TaskKind.CONFIG,
        commands=("ntp server hunter2",),
        status=Status.CHANGED,
        outputs=("echo",),
        diff="+ntp server hunter2\n",
        note="changed",
    )
    later = StepResult(task="l", kind=TaskKind.COMMAND, commands=("reload",), status=Status.SKIPPED)
    writer.host_done(
        HostResult(
            host="r1",
            status=Status.CHANGED,
            steps=(show, config, later),
            started=1.0,
            duration=2.0,
            poller="tcp://192.0.2.9:8786",
        )
    )
    writer.host_done(
        HostResult(
            host="a/b",
            status=Status.FAILED,
            failure=FailureClass.AUTH_FAILED,
            error="authentication failed: hunter2",
        )
    )
    report = writer.finish(interrupted=True, stopped="interrupted")
    text = (report.run_dir / "report.json").read_text()
    assert "hunter2" not in text and '"saved"' in text and '"poller"' in text
    doc = read_report(report.run_dir)
    assert doc.saved == (SavedDoc("v", str(tmp_path / "backups"), 1),)
    r1 = read_host(report.run_dir, "r1")
    assert r1.platform == "cisco_ios" and r1.steps[0].parsed == ({"a": "1", "b": ["x"]},)
    assert r1.steps[0].outputs == ("v ********\n", "run")
    _reads_back_identically(report.run_dir)


def test_host_and_step_start_times_are_also_iso_8601(inventory_file: Path, write: Any) -> None:
    run_dir = audit_run(inventory_file, write, "[show version]", "[ntp server 192.0.2.1]")
    data = json.loads((run_dir / "report.json").read_text())
    steps = [step for host in data["hosts"].values() for step in host["steps"]]
    assert [s["started_iso"] for s in steps if s["started"]] == [
        _iso(s["started"]) for s in steps if s["started"]
    ]
    assert any(s["started"] for s in steps) and not any(
        "started_iso" in s
        for s in steps
        if s["started"] is None  # a skipped step: neither
    )
    for host in data["hosts"].values():
        assert host["started_iso"] == _iso(host["started"])


def test_no_start_time_is_no_iso_time() -> None:
    step = StepDoc(task="t", kind=TaskKind.SHOW, status=Status.SKIPPED, commands=())
    assert step.started_iso is None and "started_iso" not in report_json_step(step)
    started = StepDoc(task="t", kind=TaskKind.SHOW, status=Status.OK, commands=(), started=1.5)
    assert started.started_iso == _iso(1.5)
    assert datetime.datetime.fromisoformat(started.started_iso).timestamp() == 1.5


def _iso(seconds: float) -> str:
    """What a reader of report.json computes from `started`: ISO 8601, local time with its
    offset, as the change record's times."""
    moment = datetime.datetime.fromtimestamp(seconds).astimezone()
    return moment.isoformat(timespec="milliseconds")


def report_json_step(step: StepDoc) -> dict[str, Any]:
    return to_json(step)


@pytest.mark.parametrize(("forced", "library"), [(None, "ssh2"), ("paramiko", "paramiko")])
def test_a_host_s_transport_is_in_report_json_the_schema_and_the_host_tables(
    inventory_file: Path,
    write: Any,
    forced: str | None,
    library: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The host record's `transport` (runner/report/records.py), one field: in report.json
    and the host files, in the generated schema, and in report.md's and report.html's host
    tables: the library netjob chose for `transport: ssh` (libssh2, the dev extra being
    installed; paramiko when NETJOB_TRANSPORT says so), and telnet for r3 (refusing the
    login)."""
    if forced is None:
        monkeypatch.delenv("NETJOB_TRANSPORT", raising=False)
    else:
        monkeypatch.setenv("NETJOB_TRANSPORT", forced)
    text = inventory_file.read_text().replace("port: 2222,", "port: 2222, transport: telnet,")
    run_dir = audit_run(
        write("inventory.yaml", text), write, "[show clock]", "[ntp server 192.0.2.1]"
    )
    data = json.loads((run_dir / "report.json").read_text())
    transports = {name: host["transport"] for name, host in data["hosts"].items()}
    assert transports == {"r1": library, "r2": library, "r3": "telnet"}
    assert read_host(run_dir, "r3").transport == "telnet"
    assert f"transport: {library}" in (run_dir / host_log("r1")).read_text()
    assert DEFS["host"]["properties"]["transport"]["type"] == "string"
    markdown = (run_dir / "report.md").read_text()
    assert "| host | transport | failure | message |" in markdown
    assert "| r3 | telnet | auth_failed |" in markdown
    page = render_html(run_dir)
    assert '">transport</button></th>' in page and "<td>telnet</td>" in page
    assert "transport telnet · started" in page  # the host's section says it too
    _reads_back_identically(run_dir)


def test_a_report_made_before_transport_was_kept_reads_back_byte_for_byte(
    inventory_file: Path, write: Any
) -> None:
    """report.json and a host file of an older netjob (no `transport`) are read and written
    again as they were: the key stays absent, never `null`."""
    run_dir = audit_run(inventory_file, write, "[show clock]", "[ntp server 192.0.2.1]")
    data = json.loads((run_dir / "report.json").read_text())
    for host in data["hosts"].values():
        del host["transport"]
    older = json.dumps(data, indent=1)
    assert report_text(report_from_json(json.loads(older))) == older
    host_file = json.loads((run_dir / "hosts" / "r1.json").read_text())
    del host_file["transport"]
    store = OutputStore(run_dir.parent / "outputs")
    assert host_text(host_from_json(host_file, store.get), store) == json.dumps(host_file)


@pytest.mark.parametrize(
    ("key_path", "wrong", "said"),
    [
        (("hosts",), [], "hosts: expected an object, not an array"),
        (("hosts", "r1", "steps"), "x", "hosts: steps: expected an array, not a string"),
        (("summary",), None, "summary: expected an object, not null"),
    ],
)
def test_a_report_json_value_of_the_wrong_json_type_is_refused_naming_its_key(
    inventory_file: Path,
    write: Any,
    capsys: pytest.CaptureFixture[str],
    key_path: tuple[str, ...],
    wrong: Any,
    said: str,
) -> None:
    """`hosts: []` read as no hosts was a run of none, exit 0 (`netjob report` said "0 hosts:
    3 ok"); a string of steps, a null summary were tracebacks. Each is one line, exit 2."""
    from runner.cli.app import main

    run_dir = audit_run(inventory_file, write, "[show clock]", "[ntp server 192.0.2.1]")
    data = json.loads((run_dir / "report.json").read_text())
    *parents, last = key_path
    place = data
    for key in parents:
        place = place[key]
    place[last] = wrong
    (run_dir / "report.json").write_text(json.dumps(data))
    with pytest.raises(TypeError, match=said):
        read_report(run_dir)
    capsys.readouterr()  # the run's own notes
    assert main(["report", str(run_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(said), err
