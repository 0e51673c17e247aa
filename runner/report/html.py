"""report.html: one self-contained page per run to share with a person who has no netjob:
a summary, the hosts, and per host every step with its checks, diff and outputs.

Read back from the run folder (report.json and the host files), so it can be made for any
finished or interrupted run. Inline CSS, no scripts, no external assets: it opens from a
mail attachment. Every string from the run is device or user text and is escaped.
"""

from __future__ import annotations

import html
import json
import logging
import time
from pathlib import Path
from typing import Any

from runner.base.errors import StoreError
from runner.base.safe_files import write_private
from runner.report.run_folder import load_host, safe_name

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 200_000  # per output shown; the host's log file has it all
STATUSES = ("ok", "changed", "failed", "skipped")

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;
background:#f4f6f9}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
header{background:#1f3a5f;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.9}
h2{font-size:18px;margin:28px 0 8px}
h3{font-size:15px;margin:12px 0 6px}
section>h2:first-child{margin-top:0}
table.narrow{width:auto;min-width:320px}
section.card,#summary{background:#fff;border:1px solid #d8dee8;border-radius:8px;
padding:14px 18px;margin-top:16px}
.counts{display:flex;gap:12px;flex-wrap:wrap;margin:4px 0 10px}
.count{border-radius:8px;padding:8px 14px;min-width:80px;border:1px solid #d8dee8}
.count b{display:block;font-size:24px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e7ee;vertical-align:top}
th{background:#eef1f6;font-weight:600}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;
color:#fff;background:#b26a00}
.badge.ok,.badge.pass{background:#2e7d32}.badge.changed{background:#1565c0}
.badge.failed,.badge.fail{background:#c62828}.badge.skipped{background:#78838f}
.badge.error{background:#e65100}
.count.ok{background:#e8f5e9;color:#1b5e20}.count.changed{background:#e3f2fd;color:#0d47a1}
.count.failed{background:#ffebee;color:#b71c1c}.count.skipped{background:#eceff1;color:#37474f}
.step{border-left:4px solid #d8dee8;padding:4px 0 4px 12px;margin:12px 0}
.step.ok{border-left-color:#2e7d32}.step.changed{border-left-color:#1565c0}
.step.failed{border-left-color:#c62828}.step.skipped{border-left-color:#78838f}
pre{background:#f7f8fa;border:1px solid #e3e7ee;border-radius:6px;padding:8px;overflow:auto;
font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;margin:4px 0}
.add{background:#e6ffec;color:#116329;display:block}.del{background:#ffebe9;color:#82071e;
display:block}
.err{color:#b71c1c}.note{color:#555}.muted{color:#78838f}
details{margin:4px 0}summary{cursor:pointer;color:#1f3a5f}
"""


def render_html(run_dir: Path) -> str:
    """The whole page for the run in `run_dir` (a folder holding report.json)."""
    report: dict[str, Any] = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    hosts = [_host(run_dir, name, data) for name, data in sorted(report["hosts"].items())]
    title = f"{report['job']['name']}: run {report['run_id']}"
    body = "".join(
        [
            _header(report),
            "<main>",
            _summary(report),
            _hosts_table(hosts),
            *(_host_section(h) for h in hosts),
            "</main>",
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def write_html(run_dir: Path) -> Path:
    """Write run_dir/report.html (owner-only, like every file of a run) and return its path."""
    page = render_html(run_dir)  # before opening: a failed render leaves no stray file
    path = run_dir / "report.html"
    write_private(path, page, atomic=True)
    return path


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _host(run_dir: Path, name: str, summary: dict[str, Any]) -> dict[str, Any]:
    """The host with its outputs; the report's summary of it if its files are gone."""
    try:
        return load_host(run_dir, name)
    except (OSError, ValueError, StoreError) as exc:
        log.warning("html report: outputs of %s unavailable: %s", name, exc)
        return {**summary, "missing": f"outputs unavailable: {exc}"}


def _status_badges(host: dict[str, Any]) -> str:
    """A host's status as people read it: a host that ran but failed a check is
    `non-compliant`, never `ok` (a changed one is both)."""
    status = str(host["status"])
    checks = (c for s in host.get("steps") or () for c in s.get("checks") or ())
    if status not in ("ok", "changed") or all(c.get("status") == "pass" for c in checks):
        return _badge(status)
    return (_badge(status) + " " if status == "changed" else "") + _badge("non-compliant")


def _badge(status: str | None) -> str:
    known = status if status in (*STATUSES, "pass", "fail", "error") else ""
    known = "fail" if status == "non-compliant" else known
    return f'<span class="badge {known}">{_e(status)}</span>'


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


def _header(report: dict[str, Any]) -> str:
    flags = []
    if report.get("interrupted"):
        flags.append(_badge("interrupted"))
    if report.get("stopped"):
        flags.append(f"{_badge('stopped')} {_e(report['stopped'])}")
    if report.get("check"):
        flags.append(_badge("check mode: nothing sent"))
    return (
        f"<header><h1>{_e(report['job']['name'])}</h1><p>run {_e(report['run_id'])} · "
        f"started {_e(_when(report.get('started')))} · {_e(report.get('duration_s'))} s · "
        f"netjob {_e(report.get('netjob_version'))} {' '.join(flags)}</p></header>"
    )


def _summary(report: dict[str, Any]) -> str:
    counts = report["summary"]
    cards = "".join(
        f'<div class="count {s}" data-count="{s}"><b>{_e(counts.get(s, 0))}</b>{s}</div>'
        for s in STATUSES
    )
    failures = "".join(
        f"<tr><td>{_e(cls)}</td><td>{_e(n)}</td></tr>"
        for cls, n in sorted(counts.get("failures", {}).items())
    )
    parts = [
        f'<section id="summary"><h2>Summary: {_e(counts["hosts"])} hosts</h2>',
        f'<div class="counts">{cards}</div>',
    ]
    if failures:
        parts.append(f'<h3>Failures by class</h3><table class="narrow">{failures}</table>')
    parts.append(_compliance(report.get("compliance") or {}))
    return "".join(parts) + "</section>"


def _compliance(data: dict[str, Any]) -> str:
    if not data:
        return ""
    rows = "".join(
        f"<tr><td>{_e(name)}</td><td>{_e(r['pass'])}</td><td>{_e(r['fail'])}</td>"
        f"<td>{_e(r['error'])}</td></tr>"
        for name, r in data["rules"].items()
    )
    failing = "".join(
        f"<tr><td>{_e(i['host'])}</td><td>{_e(name)}</td><td>{_badge(i['status'])}</td>"
        f"<td>{_e(i['evidence'])}</td></tr>"
        for name, r in data["rules"].items()
        for i in r["failing"]
    )
    text = (
        f'<h3>Compliance: <span data-compliant="{_e(data["compliant"])}">'
        f"{_e(data['compliant'])} compliant</span>, "
        f'<span data-noncompliant="{_e(data["noncompliant"])}">'
        f"{_e(data['noncompliant'])} non-compliant</span> hosts</h3>"
        '<table class="narrow"><tr><th>rule</th><th>pass</th><th>fail</th><th>error</th></tr>'
        f"{rows}</table>"
    )
    if failing:
        text += (
            "<h3>What failed, where</h3><table><tr><th>host</th><th>rule</th><th>status</th>"
            f"<th>evidence</th></tr>{failing}</table>"
        )
    return text


def _hosts_table(hosts: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr data-host="{_e(h["host"])}" data-status="{_e(h["status"])}">'
        f'<td><a href="#host-{_e(safe_name(h["host"]))}">{_e(h["host"])}</a></td>'
        f"<td>{_status_badges(h)}</td><td>{_e(h.get('failure') or '')}</td>"
        f'<td class="err">{_e(h.get("error") or "")}</td>'
        f"<td>{_e(h.get('duration_s'))} s</td></tr>"
        for h in hosts
    )
    return (
        '<section class="card" id="hosts"><h2>Hosts</h2><table><tr><th>host</th>'
        "<th>status</th><th>failure</th><th>error</th><th>duration</th></tr>"
        f"{rows}</table></section>"
    )


def _host_section(host: dict[str, Any]) -> str:
    name = host["host"]
    logfile = f"hosts/{safe_name(name)}.log"
    head = (
        f'<section class="card host" id="host-{_e(safe_name(name))}">'
        f"<h2>{_e(name)} {_status_badges(host)}</h2>"
        f'<p class="muted">platform {_e(host.get("platform") or "-")} · '
        f"started {_e(_when(host.get('started')))} · {_e(host.get('duration_s'))} s · "
        f'<a href="{_e(logfile)}">log</a></p>'
    )
    if host.get("error"):
        head += f'<p class="err">{_e(host.get("failure"))}: {_e(host["error"])}</p>'
    if host.get("missing"):
        head += f'<p class="note">{_e(host["missing"])}</p>'
    steps = "".join(_step(step, logfile) for step in host.get("steps", []))
    return head + steps + "</section>"


def _step(step: dict[str, Any], logfile: str) -> str:
    status = step["status"] if step["status"] in STATUSES else ""
    parts = [
        f'<div class="step {status}"><h3>{_e(step["task"])} '
        f'<span class="muted">[{_e(step["kind"])}]</span> {_badge(step["status"])} '
        f'<span class="muted">{_e(step.get("duration_s"))} s</span></h3>',
        f'<pre class="cmd">{_e(chr(10).join(step.get("commands", [])))}</pre>',
    ]
    if step.get("error"):
        parts.append(f'<p class="err">{_e(step.get("failure"))}: {_e(step["error"])}</p>')
    if step.get("note"):
        parts.append(f'<p class="note">{_e(step["note"])}</p>')
    parts.append(_checks(step.get("checks", [])))
    if step.get("diff"):
        parts.append(f"<h3>diff against the running config</h3>{_diff(step['diff'])}")
    if step.get("parsed") is not None:
        rows = json.dumps(step["parsed"], indent=1, ensure_ascii=False)
        parts.append(
            f"<details><summary>parsed ({len(step['parsed'])} rows)</summary>"
            f"<pre>{_e(rows)}</pre></details>"
        )
    parts.append(_outputs(step, logfile))
    return "".join(parts) + "</div>"


def _checks(checks: list[dict[str, Any]]) -> str:
    if not checks:
        return ""
    rows = "".join(
        f"<tr><td>{_e(c['name'])}</td><td>{_badge(c['status'])}</td>"
        f"<td>{_e(c['evidence'])}</td></tr>"
        for c in checks
    )
    return (
        f"<table class=checks><tr><th>check</th><th>result</th><th>evidence</th></tr>{rows}</table>"
    )


def _diff(diff: str) -> str:
    def line(text: str) -> str:
        cls = {"+": "add", "-": "del"}.get(text[:1])
        return f'<span class="{cls}">{_e(text)}</span>' if cls else _e(text) + "\n"

    return f'<pre class="diff">{"".join(line(t) for t in diff.splitlines())}</pre>'


def _outputs(step: dict[str, Any], logfile: str) -> str:
    commands = step.get("commands", [])
    parts = []
    for i, output in enumerate(step.get("outputs", [])):
        shown = step["kind"] == "show" and i < len(commands)
        label = f"output of {commands[i]}" if shown else f"session output {i + 1}"
        data = output.encode("utf-8")
        text = data[:MAX_OUTPUT_BYTES].decode("utf-8", errors="ignore")
        more = ""
        if len(data) > MAX_OUTPUT_BYTES:
            more = (
                f'<p class="note">showing the first {MAX_OUTPUT_BYTES:,} of {len(data):,} '
                f'bytes; the whole output is in <a href="{_e(logfile)}">{_e(logfile)}</a></p>'
            )
        parts.append(
            f"<details><summary>{_e(label)} ({len(data):,} bytes)</summary>"
            f"{more}<pre>{_e(text)}</pre></details>"
        )
    return "".join(parts)
