"""The run folder's layout: every file and folder name netjob writes under a reports folder,
named here once. Every room reads and writes a run through these names (the base room, so
the run room's workers can too); tests/test_run_layout.py holds the rest of runner/ to it.

    reports/<job>/                      a job's runs (runner.report.run_folder.job_folder)
      .job                              OWNER: which job file the folder belongs to
      latest -> <run-id>                LATEST: the newest finished run
      outputs/                          OUTPUTS: the job's outputs, once each, by digest
      <run-id>/                         one run
        run.json                        MANIFEST: the hosts and who runs them, first
        started.jsonl                   STARTED: the hosts workers took, as they took them
        hosts/<host>.log, <host>.json   HOSTS: each host's transcript and record
        report.json, report.md          REPORT_JSON, REPORT_MD: written at the end
        report.html                     REPORT_HTML: --html, or `netjob report --html`
        files/<host>/<name>             FILES: what `get:` tasks fetched
        pre-change/<host>.cfg           KEPT: running configs kept for `netjob rollback`
        confirm/<host>.json             CONFIRM: a change left under a revert timer
"""

from __future__ import annotations

from pathlib import Path

from runner.base.safe_files import safe_name

# In a job's folder.
OWNER = ".job"
LATEST = "latest"
OUTPUTS = "outputs"

# In a run's folder.
MANIFEST = "run.json"
STARTED = "started.jsonl"
HOSTS = "hosts"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
FILES = "files"
KEPT = "pre-change"
CONFIRM = "confirm"


def host_log(host: str) -> str:
    """A host's transcript, relative to the run folder (as report.json's `log` names it)."""
    return f"{HOSTS}/{safe_name(host)}.log"


def host_data(host: str) -> str:
    """A host's record, relative to the run folder (as report.json's `data` names it)."""
    return f"{HOSTS}/{safe_name(host)}.json"


def outputs_of(run_dir: Path) -> Path:
    """The output store a run's host files name their outputs in: its job's."""
    return run_dir.parent / OUTPUTS


def kept_config(run_dir: Path, host: str) -> Path:
    """Where a run keeps a host's running config from before its first config line."""
    return run_dir / KEPT / f"{safe_name(host)}.cfg"


def pending_change(run_dir: Path, host: str) -> Path:
    """A host's change left under the device's revert timer (runner.base.pending_confirm)."""
    return run_dir / CONFIRM / f"{safe_name(host)}.json"
