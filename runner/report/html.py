"""report.html: one self-contained page per run to share with a person who has no netjob:
a summary, the hosts, and per host every step with its checks, diff and outputs.

Read back from the run folder (report.json and the host files, as the records of
runner.report.document), so it can be made for any finished or interrupted run. Inline
CSS, no scripts, no external assets: it opens from a mail attachment. The page is
templates/report.html.j2 and its partials; this module only prepares their data. Every
string from the run is device or user text: the environment autoescapes every
`{{ value }}`, and no template marks run data safe.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base.errors import StoreError
from runner.base.models import TaskKind
from runner.base.safe_files import safe_name, write_private
from runner.report.document import ComplianceDoc, HostDoc, StepDoc, read_host, read_report
from runner.report.page_templates import environment

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 200_000  # per output shown; the host's log file has it all
STATUSES = ("ok", "changed", "failed", "skipped")
# Autoescape (markupsafe) writes ' and " as &#39; and &#34;; the page keeps html.escape's
# spelling, &#x27; and &quot;. Every &#39; or &#34; in the page is one of those: text's own
# `&` became &amp;, and the templates write neither.
_SPELLING = (("&#39;", "&#x27;"), ("&#34;", "&quot;"))


def render_html(run_dir: Path) -> str:
    """The whole page for the run in `run_dir` (a folder holding report.json)."""
    report = read_report(run_dir)
    hosts = [_host(run_dir, name, data) for name, data in sorted(report.hosts.items())]
    counts = report.summary
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=f"{report.job.name}: run {report.run_id}",
            job_name=report.job.name,
            run_id=report.run_id,
            started=_when(report.started),
            duration_s=report.duration_s,
            version=report.netjob_version,
            interrupted=report.interrupted,
            stopped=report.stopped,
            dry_run=bool(report.check),
            host_count=counts.hosts,
            counts=[(status.value, n) for status, n in counts.by_status()],
            failures=sorted((failure.value, n) for failure, n in counts.failures.items()),
            compliance=_compliance_view(report.compliance),
            hosts=[_host_view(host, missing) for host, missing in hosts],
            max_output=f"{MAX_OUTPUT_BYTES:,}",
        )
    )
    for markupsafe, ours in _SPELLING:
        page = page.replace(markupsafe, ours)
    return page


def write_html(run_dir: Path) -> Path:
    """Write run_dir/report.html (owner-only, like every file of a run) and return its path."""
    page = render_html(run_dir)  # before opening: a failed render leaves no stray file
    path = run_dir / "report.html"
    write_private(path, page, atomic=True)
    return path


@functools.cache
def _environment() -> jinja2.Environment:
    env = environment(html=True)
    env.globals["badge_class"] = _badge_class
    env.finalize = _shown
    return env


def _shown(value: object) -> object:
    """What `{{ value }}` prints: None (a duration or version not recorded) as nothing."""
    return "" if value is None else value


def _badge_class(status: str | None) -> str:
    """The colour class of a badge (templates/_badge.html.j2): a known status or none."""
    if status == "non-compliant":
        return "fail"
    return status if status in (*STATUSES, "pass", "fail", "error") else ""


def _compliance_view(data: ComplianceDoc | None) -> dict[str, Any]:
    """report.json's compliance (runner/report/compliance.py) as templates/_compliance.html.j2
    reads it: a row per rule, and a row per failing (host, rule); empty without checks."""
    if data is None:
        return {}
    rules = data.rules
    return {
        "compliant": data.compliant,
        "noncompliant": data.noncompliant,
        "unchecked": data.unchecked,
        "rules": [
            {"name": name, "pass": r.passed, "fail": r.fail, "error": r.error}
            for name, r in rules.items()
        ],
        "failing": [
            {
                "rule": name,
                "host": item.host,
                "task": item.task,
                "status": item.status.value,
                "evidence": item.evidence,
            }
            for name, r in rules.items()
            for item in r.failing
        ],
    }


def _host(run_dir: Path, name: str, summary: HostDoc) -> tuple[HostDoc, str]:
    """The host with its outputs; the report's summary of it, and why, if its files are
    gone."""
    try:
        return read_host(run_dir, name), ""
    except (OSError, ValueError, KeyError, TypeError, StoreError) as exc:
        log.warning("html report: outputs of %s unavailable: %s", name, exc)
        return summary, f"outputs unavailable: {exc}"


def _host_view(host: HostDoc, missing: str = "") -> dict[str, Any]:
    """A host as templates/_host.html.j2 and the hosts table read it: every key present."""
    name = host.host
    logfile = f"hosts/{safe_name(name)}.log"
    return {
        "name": name,
        "anchor": f"host-{safe_name(name)}",
        "status": host.status.value,
        "badges": _status_badges(host),
        "failure": host.failure.value if host.failure else "",
        "error": host.error or "",
        "missing": missing,
        "platform": host.platform or "-",
        "started": _when(host.started),
        "duration_s": host.duration_s,
        "log": logfile,
        "steps": [_step_view(step) for step in host.steps],
    }


def _status_badges(host: HostDoc) -> list[str]:
    """A host's status as people read it: a host that ran but failed a check is
    `non-compliant`, never `ok` (a changed one is both)."""
    status = host.status.value
    checks = (c for s in host.steps for c in s.checks)
    if status not in ("ok", "changed") or all(c.status == "pass" for c in checks):
        return [status]
    return [status, "non-compliant"] if status == "changed" else ["non-compliant"]


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def _step_view(step: StepDoc) -> dict[str, Any]:
    """A step as templates/_step.html.j2 reads it: every key present."""
    parsed = None if step.parsed is None else [dict(row) for row in step.parsed]
    status = step.status.value
    return {
        "task": step.task,
        "kind": step.kind.value,
        "status": status,
        "css": status if status in STATUSES else "",
        "duration_s": step.duration_s,
        "commands": list(step.commands),
        "failure": step.failure.value if step.failure else None,
        "error": step.error or "",
        "note": step.note or "",
        "checks": [
            {"name": c.name, "status": c.status.value, "evidence": c.evidence} for c in step.checks
        ],
        "diff": [_diff_line(text) for text in (step.diff or "").splitlines()],
        "parsed": None if parsed is None else json.dumps(parsed, indent=1, ensure_ascii=False),
        "parsed_rows": 0 if parsed is None else len(parsed),
        "outputs": _outputs(step),
    }


def _diff_line(text: str) -> dict[str, str]:
    """One line of a diff: class `add` or `del` (shown as a block), or none."""
    return {"css": {"+": "add", "-": "del"}.get(text[:1], ""), "text": text}


def _outputs(step: StepDoc) -> list[dict[str, Any]]:
    """Each output, labelled by its command (a show step's) or its place, cut at
    MAX_OUTPUT_BYTES (the page then links the host's log, which has it all)."""
    commands = step.commands
    shown = []
    for i, output in enumerate(step.outputs):
        by_command = step.kind is TaskKind.SHOW and i < len(commands)
        data = output.encode("utf-8")
        shown.append(
            {
                "label": f"output of {commands[i]}" if by_command else f"session output {i + 1}",
                "size": f"{len(data):,}",
                "cut": len(data) > MAX_OUTPUT_BYTES,
                "text": data[:MAX_OUTPUT_BYTES].decode("utf-8", errors="ignore"),
            }
        )
    return shown
