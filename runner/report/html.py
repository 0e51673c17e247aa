"""report.html: one self-contained page per run to forward to a person who has no netjob:
the change record, the hosts that need a person first (failed, then non-compliant, then
not checked; runner.report.standing), tiles that count them, each failure class with
links to its hosts, a hosts table with a filter box and sortable columns, and per host
every step with its checks, diff and outputs.

Read back from the run folder (report.json and the host files, as the records of
runner.report.document), so it can be made for any finished or interrupted run. Inline
CSS and one inline script (templates/report.js: the filter and the sorting), no external
assets, no network: it opens from a mail attachment. The page's Content-Security-Policy
lets only that script run (by its sha256). The page is templates/report.html.j2 and its
partials; this module only prepares their data. Every string from the run is device or
user text: the environment autoescapes every `{{ value }}`, and no template marks run
data safe.

At scale the page stays one page a browser opens: past SECTIONS_FOR_ALL hosts, only the
hosts that need a person (failed, non-compliant, not checked) and the first
SECTIONS_FOR_ALL changed ones (with their diffs) get a section, the others a table row
linking their log; outputs stop being inlined past MAX_PAGE_OUTPUT_BYTES.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base.errors import StoreError
from runner.base.models import TaskKind
from runner.base.run_layout import REPORT_HTML, host_log
from runner.base.safe_files import safe_name, write_private
from runner.report.change import change_rows
from runner.report.document import ComplianceDoc, HostDoc, StepDoc, read_host
from runner.report.fold import natural_key
from runner.report.json_fields import columns, headings
from runner.report.page_templates import TEMPLATES, environment
from runner.report.report_file import ReportFile
from runner.report.standing import STANDINGS, badges, human_duration, standing, tiles

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 200_000  # per output shown; the host's log file has it all
MAX_PAGE_OUTPUT_BYTES = 8_000_000  # outputs inlined in one page, in the page's order
SECTIONS_FOR_ALL = 1_000  # up to this many hosts, every host gets its section; past it,
# so many changed hosts at most
MAX_LINKS = 100  # hosts linked per failure class; the filter box finds the rest
STATUSES = ("ok", "changed", "failed", "skipped")
# Autoescape (markupsafe) writes ' and " as &#39; and &#34;; the page keeps html.escape's
# spelling, &#x27; and &quot;. Every &#39; or &#34; in the page is one of those: text's own
# `&` became &amp;, and the templates write neither.
_SPELLING = (("&#39;", "&#x27;"), ("&#34;", "&quot;"))
_ATTENTION = ("failed", "non-compliant", "not checked")  # a section whatever the size


def render_html(run_dir: Path) -> str:
    """The whole page for the run in `run_dir` (a folder holding report.json)."""
    return "".join(html_pieces(run_dir))


def html_pieces(run_dir: Path) -> Iterator[str]:
    """render_html() in the pieces the template gives out, so the page of a big run is
    written as it is made, never held whole as text. report.json is read a host at a time
    (runner.report.document.ReportFile): the page's order, its tiles and its failure
    classes come from a small entry per host; its rows and sections are made as the page
    reaches them, each host read again then."""
    with ReportFile(run_dir) as found:
        yield from _page(run_dir, found)


def _page(run_dir: Path, found: ReportFile) -> Iterator[str]:
    """The page's pieces, from the run's report.json read a host at a time."""
    report = found.report
    audited = report.compliance is not None
    entries = _entries(found, audited)
    counts = report.summary
    script = _script()
    pieces = (
        _environment()
        .get_template("report.html.j2")
        .generate(
            title=f"{report.job.name}: run {report.run_id}",
            job_name=report.job.name,
            run_id=report.run_id,
            started=_when(report.started),
            duration=human_duration(report.duration_s),
            version=report.netjob_version,
            interrupted=report.interrupted,
            stopped=report.stopped,
            dry_run=bool(report.check),
            change=[] if report.change is None else change_rows(report.change),
            host_count=counts.hosts,
            counts=[(status.value, n) for status, n in counts.by_status()],
            tiles=tiles([e.badges for e in entries], audited),
            failures=_failure_classes(entries),
            compliance=_compliance_view(report.compliance),
            hosts=(_row(run_dir, found, e, audited) for e in entries),
            columns=tuple(headings(HostDoc)),
            sections=_sections(run_dir, found, entries, audited),
            hidden=sum(not e.detailed for e in entries),
            max_output=f"{MAX_OUTPUT_BYTES:,}",
            max_page_output=f"{MAX_PAGE_OUTPUT_BYTES:,}",
            sections_for_all=f"{SECTIONS_FOR_ALL:,}",
            script=script,
            script_hash=base64.b64encode(hashlib.sha256(script.encode()).digest()).decode(),
        )
    )
    for piece in pieces:
        # An escaped value is never cut between pieces. str(): a piece may be Markup, whose
        # replace() would escape our spelling once more.
        text = str(piece)
        for markupsafe, ours in _SPELLING:
            text = text.replace(markupsafe, ours)
        yield text


def write_html(run_dir: Path) -> Path:
    """Write run_dir/report.html (owner-only, like every file of a run) and return its path."""
    path = run_dir / REPORT_HTML
    # Written beside it and renamed: a failed render leaves no stray file.
    write_private(path, html_pieces(run_dir), atomic=True)
    return path


@dataclasses.dataclass(slots=True)
class _Entry:
    """What the page needs of a host before it reaches the host's row: its place in the
    page's order, its standing and badges (the tiles), whether it gets a section, and what
    its failure class's links show. One per host, kept small: a page of 100,000 hosts holds
    them all."""

    index: int  # in report.json (ReportFile.host)
    name: str
    status: str
    failure: str
    standing: str
    badges: tuple[str, ...]
    place: int = 0  # in the order of names as people count them (the table's first column)
    detailed: bool = False  # a section; else its row links its log

    @property
    def href(self) -> str:
        return f"#host-{safe_name(self.name)}" if self.detailed else host_log(self.name)


def _entries(found: ReportFile, audited: bool) -> list[_Entry]:
    """Every host in the page's order (runner.report.standing); past SECTIONS_FOR_ALL
    hosts, a section only for those that need a person and the first changed ones."""
    every = len(found.names) <= SECTIONS_FOR_ALL
    entries = []
    kinds: dict[tuple[str, ...], tuple[str, ...]] = {}  # a few badge lists, kept once
    for i, name in enumerate(found.names):  # the names ReportFile holds, not copies
        host = found.host(i)
        failure = host.failure.value if host.failure else ""
        shown = tuple(badges(host, audited))
        shown = kinds.setdefault(shown, shown)
        found_as = standing(host, audited)
        entries.append(_Entry(i, name, host.status.value, failure, found_as, shown))
    entries.sort(key=lambda e: natural_key(e.name))
    for place, entry in enumerate(entries):
        entry.place = place
    rank = {name: i for i, name in enumerate(STANDINGS)}
    entries.sort(key=lambda e: rank[e.standing])  # stable: by name within a standing
    changed = 0
    for entry in entries:
        changed += entry.standing == "changed"
        entry.detailed = (
            every
            or entry.standing in _ATTENTION
            or (entry.standing == "changed" and changed <= SECTIONS_FOR_ALL)
        )
    return entries


def _read(
    run_dir: Path, found: ReportFile, entry: _Entry, quiet: bool, outputs: bool = True
) -> tuple[HostDoc, str]:
    """The host as the page shows it: with a section, from its host file (platform, and
    its outputs unless `outputs` is False: a row shows none); else report.json's entry,
    which is read too when the host file cannot be, and then says why (said once a page:
    `quiet` for its row, said with its section)."""
    if entry.detailed:
        try:
            return read_host(run_dir, entry.name, outputs), ""
        except (OSError, ValueError, KeyError, TypeError, StoreError) as exc:
            if not quiet:
                log.warning("html report: outputs of %s unavailable: %s", entry.name, exc)
            return found.host(entry.index), f"outputs unavailable: {exc}"
    return found.host(entry.index), ""


def _row(run_dir: Path, found: ReportFile, entry: _Entry, audited: bool) -> dict[str, Any]:
    """A host's row of the hosts table (its section comes later: _sections)."""
    host, missing = _read(run_dir, found, entry, quiet=True, outputs=False)
    return _host_view(
        host, entry.standing, entry.place, audited, missing, entry.detailed, steps=False
    )


def _sections(
    run_dir: Path, found: ReportFile, entries: list[_Entry], audited: bool
) -> Iterator[dict[str, Any]]:
    """The sections in the page's order, the page's output budget spent in that order."""
    budget = [MAX_PAGE_OUTPUT_BYTES]
    for entry in entries:
        if entry.detailed:
            host, missing = _read(run_dir, found, entry, quiet=False)
            yield _host_view(host, entry.standing, entry.place, audited, missing, True, budget)


@functools.cache
def _script() -> str:
    """The page's one script: no run data in it, so its hash is fixed per netjob version."""
    return (TEMPLATES / "report.js").read_text(encoding="utf-8")


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
    if status == "not checked":
        return "skipped"
    return status if status in (*STATUSES, "pass", "fail", "error") else ""


def _failure_classes(entries: list[_Entry]) -> list[dict[str, Any]]:
    """Each failure class of the failed hosts: its count and its first MAX_LINKS hosts."""
    classes: dict[str, list[_Entry]] = {}
    for entry in entries:
        if entry.status == "failed":
            classes.setdefault(entry.failure or "unknown", []).append(entry)
    return [
        {"name": name, "count": len(found), "hosts": found[:MAX_LINKS]}
        for name, found in sorted(classes.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


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
                "anchor": f"host-{safe_name(item.host)}",
                "task": item.task,
                "status": item.status.value,
                "evidence": item.evidence,
            }
            for name, r in rules.items()
            for item in r.failing
        ],
    }


def _host_view(
    host: HostDoc,
    found: str,
    natural_order: int,
    audited: bool,
    missing: str = "",
    detailed: bool = True,
    budget: list[int] | None = None,
    steps: bool = True,
) -> dict[str, Any]:
    """A host as templates/_host.html.j2 and the hosts table read it: every key present.
    `detailed`: it gets a section (else its row links its log); `budget`: the page's
    output bytes left, spent by this host's outputs."""
    name = host.host
    logfile = host_log(name)
    anchor = f"host-{safe_name(name)}"
    failing = [c for s in host.steps for c in s.checks if c.status.value != "pass"]
    return {
        "name": name,
        "anchor": anchor,
        "href": f"#{anchor}" if detailed else logfile,
        "order": natural_order,
        "detailed": detailed,
        "status": host.status.value,
        "standing": found,
        "badges": badges(host, audited),
        "failure": host.failure.value if host.failure else "",
        "error": host.error or "",
        "missing": missing,
        # A non-compliant host's row says which checks failed and what they found.
        "checks_failed": "check failed" if failing else "",
        "check_detail": "; ".join(f"{c.name}: {c.evidence}" for c in failing),
        "columns": columns(host),  # the host fields runner.report.records shows
        "started": _when(host.started),
        "duration_s": host.duration_s,
        "duration": human_duration(host.duration_s),
        "log": logfile,
        "steps": [_step_view(step, budget) for step in host.steps] if detailed and steps else [],
    }


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def _step_view(step: StepDoc, budget: list[int] | None = None) -> dict[str, Any]:
    """A step as templates/_step.html.j2 reads it: every key present."""
    parsed = None if step.parsed is None else [dict(row) for row in step.parsed]
    status = step.status.value
    return {
        "task": step.task,
        "kind": step.kind.value,
        "status": status,
        "css": status if status in STATUSES else "",
        "duration_s": step.duration_s,
        "duration": human_duration(step.duration_s),
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
        "outputs": _outputs(step, budget),
    }


def _diff_line(text: str) -> dict[str, str]:
    """One line of a diff: class `add` or `del` (shown as a block), or none."""
    return {"css": {"+": "add", "-": "del"}.get(text[:1], ""), "text": text}


def _outputs(step: StepDoc, budget: list[int] | None = None) -> list[dict[str, Any]]:
    """Each output, labelled by its command (a show step's) or its place, cut at
    MAX_OUTPUT_BYTES, and left out once the page's `budget` is spent (the page then links
    the host's log, which has it all)."""
    commands = step.commands
    shown = []
    for i, output in enumerate(step.outputs):
        by_command = step.kind is TaskKind.SHOW and i < len(commands)
        data = output.encode("utf-8")
        kept = min(len(data), MAX_OUTPUT_BYTES)
        if budget is not None:
            kept = kept if kept <= budget[0] else 0  # whole, or not at all
            budget[0] -= kept
        shown.append(
            {
                "label": f"output of {commands[i]}" if by_command else f"session output {i + 1}",
                "size": f"{len(data):,}",
                "cut": 0 < kept < len(data),
                "left_out": kept == 0 and len(data) > 0,
                "text": data[:kept].decode("utf-8", errors="ignore"),
            }
        )
    return shown
