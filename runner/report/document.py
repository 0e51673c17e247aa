"""The one place that writes and reads the run folder's documents: report.json, the host
files hosts/<name>.json and run.json, from and to their records (runner.report.records,
re-exported here). Only runner.report.records and runner.report.json_fields name the
documents' keys: a record's fields are the document's keys, in the order written (see
json_fields for `optional`, `host_file`, `empty` and `unmasked`).

    report.json          ReportDoc: the run, its Summary, ComplianceDoc and a HostDoc per host
    hosts/<name>.json    HostDoc with each StepDoc's outputs (in the file: their digests in
                         the job's output store) and parsed rows, and the host's platform
    run.json             RunManifest: written before any host starts, with who runs it
    started.jsonl        the hosts workers took, as they took them (runner.base.run_owner)

The JSON written is what schema/report.schema.json publishes (generated from the records
by runner.report.report_schema; tests/test_report_document.py holds a real run's files to
it and to the records, byte for byte).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from runner.base.run_layout import MANIFEST, REPORT_JSON, host_data, outputs_of
from runner.report.json_fields import from_json, json_key, json_keys, to_json, unmasked
from runner.report.output_store import OutputStore
from runner.report.records import (
    REPORT_FORMAT,
    RUN_FORMAT,
    CheckDoc,
    ComplianceDoc,
    FailingCheck,
    HostDoc,
    JobRef,
    ReportDoc,
    RuleDoc,
    RunManifest,
    RunMeta,
    RunningDoc,
    SavedDoc,
    StepDoc,
    Summary,
    host_doc,
    step_doc,
)

__all__ = [
    "REPORT_FORMAT",
    "RUN_FORMAT",
    "CheckDoc",
    "ComplianceDoc",
    "FailingCheck",
    "HostDoc",
    "JobRef",
    "ReportDoc",
    "RuleDoc",
    "RunManifest",
    "RunMeta",
    "RunningDoc",
    "SavedDoc",
    "StepDoc",
    "Summary",
    "host_doc",
    "host_from_json",
    "host_json",
    "host_text",
    "json_keys",
    "manifest_text",
    "read_host",
    "read_host_file",
    "read_manifest",
    "read_report",
    "report_from_json",
    "report_json",
    "report_pieces",
    "report_text",
    "step_doc",
    "summary_json",
]

Redact = Callable[[Any], Any]  # runner.base.redact.Redactor.data: JSON-like data in and out
# Where a host file's outputs are: their texts in the records, their digests in the file.
_STEPS, _OUTPUTS = json_key(HostDoc, "steps"), json_key(StepDoc, "outputs")


# --- to JSON --------------------------------------------------------------------------------


def host_json(host: HostDoc) -> dict[str, Any]:
    """A host file's JSON with each step's outputs as texts (runner.report.run_folder's
    load_host): for callers that want the document as data."""
    return to_json(host, host_file=True)


def host_text(host: HostDoc, store: OutputStore) -> str:
    """hosts/<name>.json: each output put in the job's store, the file naming its digest."""
    data = host_json(host)
    for step, written in zip(host.steps, data[_STEPS], strict=True):
        written[_OUTPUTS] = [store.put(text) for text in step.outputs]
    # No indent: json's C encoder only runs without one, and this is per host.
    return json.dumps(data)


def summary_json(summary: Summary) -> dict[str, Any]:
    return to_json(summary)


def report_json(report: ReportDoc) -> dict[str, Any]:
    """report.json as data: `netjob report --output json|yaml` prints it."""
    return to_json(report)


def report_text(report: ReportDoc, redact: Redact | None = None) -> str:
    """report.json's text; `redact` masks every string of the document once more."""
    data = report_json(report)
    return json.dumps(redact(data) if redact is not None else data, indent=1)


_HOSTS = json_key(ReportDoc, "hosts")


def report_pieces(
    report: ReportDoc, hosts: Iterable[HostDoc], redact: Redact | None = None
) -> Iterator[str]:
    """report_text() of `report` with `hosts` (in their order) as its hosts, in pieces: a
    host's entry is made, masked and given out one at a time, so a run of any size never
    holds every host's record at once (`report.hosts` is not read). The text is
    report_text()'s byte for byte: json.dumps with indent=1 writes a value nested `depth`
    deep as its own dump with each line break followed by `depth` more spaces (a JSON
    string holds no raw line break)."""

    def dumped(value: Any, depth: int) -> str:
        return json.dumps(value, indent=1).replace("\n", "\n" + " " * depth)

    data = report_json(report)
    data.pop(_HOSTS)  # given in `hosts`; keys are never masked
    data = redact(data) if redact is not None else data
    yield "{"
    first = True
    for key in json_keys(ReportDoc):
        if key != _HOSTS and key not in data:
            continue
        yield ("\n " if first else ",\n ") + json.dumps(key) + ": "
        first = False
        if key != _HOSTS:
            yield dumped(data[key], 1)
            continue
        opened = False
        for host in hosts:
            entry = to_json(host)
            entry = redact(entry) if redact is not None else entry
            yield ("{\n  " if not opened else ",\n  ") + json.dumps(host.host) + ": "
            yield dumped(entry, 2)
            opened = True
        yield "\n }" if opened else "{}"
    yield "\n}" if not first else "}"


def manifest_text(manifest: RunManifest, redact: Redact | None = None) -> str:
    """run.json's text; `redact` masks every string but the process's identity."""
    data = to_json(manifest)
    kept = {key: data.pop(key) for key in unmasked(RunManifest)}
    data = redact(data) if redact is not None else data
    data.update(kept)
    return json.dumps(data)


# --- from JSON: a missing key is a KeyError, a value of no known kind a ValueError -------


def host_from_json(data: Mapping[str, Any], outputs: Callable[[str], str] | None = None) -> HostDoc:
    """A host file's JSON (or report.json's entry for a host) as its record; `outputs`
    turns a digest into its text (without it, the steps' outputs stay empty)."""
    if _STEPS in data:  # each output's digest as its text, or none
        steps = [
            {**step, _OUTPUTS: [outputs(d) for d in step.get(_OUTPUTS) or ()] if outputs else []}
            for step in data[_STEPS]
        ]
        data = {**data, _STEPS: steps}
    host: HostDoc = from_json(HostDoc, data)
    return host


def report_from_json(data: Mapping[str, Any]) -> ReportDoc:
    """report.json's data as its record."""
    report: ReportDoc = from_json(ReportDoc, data)
    return report


def _load(path: Path) -> Mapping[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: not a JSON object")
    return data


def read_report(run_dir: Path) -> ReportDoc:
    """A run folder's report.json (OSError, ValueError, KeyError or TypeError if it cannot)."""
    return report_from_json(_load(run_dir / REPORT_JSON))


def read_host_file(path: Path, store: OutputStore | None = None) -> HostDoc:
    """A host file; with the job's `store`, each step's outputs read back from it."""
    return host_from_json(_load(path), None if store is None else store.get)


def read_host(run_dir: Path, host: str, outputs: bool = True) -> HostDoc:
    """A host's file in a run folder, with each step's outputs read back from the job's
    store (a StoreError if one is missing or damaged), or without them."""
    store = OutputStore(outputs_of(run_dir)) if outputs else None
    return read_host_file(run_dir / host_data(host), store)


def read_manifest(run_dir: Path) -> RunManifest:
    """run.json; what a run.json of an older netjob lacks, from the run folder."""
    data = dict(_load(run_dir / MANIFEST))
    fallback = {"format": RUN_FORMAT, "run_id": run_dir.name, "started": 0.0, "pid": 0}
    data.update({key: value for key, value in fallback.items() if not data.get(key)})
    data["started"] = float(data["started"])
    manifest: RunManifest = from_json(RunManifest, data)
    return manifest
