"""report.html at scale: the size of the page for an N-host audit (10,000 by default), the
time netjob takes to write it, and the time headless Chromium takes to load it and to
run its filter box and sorting (see the README, HTML report). The run folder is made with
netjob's own writer from results made here (nothing connects): 1 % of hosts fail their
login, 2 % are non-compliant, every host has two show outputs of its own.

    .venv/bin/python bench/html_page.py [--hosts 10000] [--runs 3] [--chromium chromium]

Chromium runs as the tests run it (headless, no sandbox, no GPU, a fresh profile, no
network): "load" is the page's own clock at the end of its last element, after its script
ran (navigation start to there: reading, parsing, styling the table); "screenshot" is the
wall time of `chromium --screenshot` of the page less that of an empty page (the
browser's start). Medians of --runs runs.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe, info  # noqa: E402  (bench/, on sys.path from the line above)

from runner.base.errors import FailureClass  # noqa: E402
from runner.base.models import (  # noqa: E402
    CheckResult,
    CheckStatus,
    HostResult,
    Job,
    Status,
    StepResult,
    TaskKind,
)
from runner.base.redact import Redactor  # noqa: E402
from runner.report.html import write_html  # noqa: E402
from runner.report.provenance import gather  # noqa: E402
from runner.report.run_folder import RunWriter  # noqa: E402

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MEASURE = """
var t = {load: performance.now()};
var box = document.getElementById('filter');
var s = performance.now();
box.value = 'auth_failed'; box.dispatchEvent(new Event('input'));
t.filter = performance.now() - s;
t.filtered = document.querySelectorAll('#host-table tbody tr:not([hidden])').length;
s = performance.now();
box.value = ''; box.dispatchEvent(new Event('input'));
t.unfilter = performance.now() - s;
var buttons = document.querySelectorAll('#host-table thead button');
s = performance.now(); buttons[5].click(); t.sort = performance.now() - s;
t.rows = document.querySelectorAll('#host-table tbody tr').length;
document.documentElement.setAttribute('data-bench', JSON.stringify(t));
"""


def interfaces(name: str, n: int) -> str:
    lines = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for i in range(4):
        address = f"192.0.2.{(n + i) % 254 + 1}" if i < 2 else "unassigned"
        lines.append(f"GigabitEthernet0/{i:<7} {address:<15} YES manual up                    up")
    return "\n".join([*lines, f"{name}#"])


def host_result(n: int, started: float) -> HostResult:
    name = f"r{n:05d}"
    if n % 100 == 7:  # 1 %: the login refused
        return HostResult(
            host=name,
            status=Status.FAILED,
            failure=FailureClass.AUTH_FAILED,
            error="authentication failed (wrong username or password)",
            started=started,
            duration=0.05,
        )
    noncompliant = n % 50 == 3  # 2 %
    logging = "logging host 192.0.2.99" if noncompliant else "logging host 192.0.2.50"
    evidence = f"not found: logging host 192.0.2.50 ({name})" if noncompliant else logging
    check = CheckResult(
        "syslog server", CheckStatus.FAIL if noncompliant else CheckStatus.PASS, evidence
    )
    steps = (
        StepResult(
            task="logging",
            kind=TaskKind.SHOW,
            commands=("show running-config | include logging",),
            status=Status.OK,
            outputs=(f"{logging}\nlogging buffered 64000\n{name}#",),
            started=started,
            duration=0.21,
            checks=(check,),
        ),
        StepResult(
            task="interfaces",
            kind=TaskKind.SHOW,
            commands=("show ip interface brief",),
            status=Status.OK,
            outputs=(interfaces(name, n),),
            started=started,
            duration=0.18,
        ),
    )
    return HostResult(host=name, status=Status.OK, steps=steps, started=started, duration=0.41)


def make_run(folder: Path, hosts: int) -> Path:
    job_file = folder / "syslog_audit.yaml"
    job_file.write_text("name: syslog audit\ntasks:\n  - show: show running-config\n")
    job = Job(name="syslog audit", path=job_file)
    change = gather(
        job=job_file, hosts="all", inventories=(), limit=None, extra_vars={}, change_id="CHG-1"
    )
    writer = RunWriter(folder / "reports", job, Redactor([]), {"change": change})
    names = [f"r{n:05d}" for n in range(1, hosts + 1)]
    writer.begin(names)
    now = time.time()
    for n in range(1, hosts + 1):
        writer.host_done(host_result(n, now))
    writer.finish()
    return writer.run_dir


def chromium_ms(binary: str, page: Path, tmp: Path) -> dict[str, float]:
    """The page's own timings, measured by MEASURE run after the page's script (let in by
    its hash beside the page's, as the tests' probe is)."""
    digest = base64.b64encode(hashlib.sha256(MEASURE.encode()).digest()).decode()
    text = page.read_text().replace("script-src 'sha256-", f"script-src 'sha256-{digest}' 'sha256-")
    copy = tmp / "measured.html"
    copy.write_text(text.replace("</body>", f"<script>{MEASURE}</script></body>"))
    dom = _chromium(binary, tmp, copy, "--dump-dom").stdout
    found = re.search(r'data-bench="([^"]*)"', dom)
    if found is None:
        raise SystemExit("the measuring script did not run")
    data: dict[str, float] = json.loads(html.unescape(found.group(1)))
    return data


def _chromium(binary: str, tmp: Path, page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    return subprocess.run(
        [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,900",
            *mode,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def screenshot_s(binary: str, page: Path, tmp: Path) -> float:
    start = time.perf_counter()
    _chromium(binary, tmp, page, f"--screenshot={tmp / 'shot.png'}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args()
    binary = shutil.which(args.chromium)
    if binary is None:
        raise SystemExit(f"no {args.chromium} on PATH (apt-get install chromium)")
    print(describe(info()))
    with tempfile.TemporaryDirectory(prefix="netjob-html-bench-") as name:
        tmp = Path(name)
        run = make_run(tmp, args.hosts)
        renders, loads, filters, sorts, shots = [], [], [], [], []
        empty = tmp / "empty.html"
        empty.write_text("<!DOCTYPE html><title>empty</title>")
        for _ in range(args.runs):
            start = time.perf_counter()
            page = write_html(run)
            renders.append(time.perf_counter() - start)
            timings = chromium_ms(binary, page, tmp)
            loads.append(timings["load"])
            filters.append(timings["filter"])
            sorts.append(timings["sort"])
            shots.append(screenshot_s(binary, page, tmp) - screenshot_s(binary, empty, tmp))
        result = {
            "hosts": args.hosts,
            "page_bytes": page.stat().st_size,
            "rows": timings["rows"],
            "filtered_rows": timings["filtered"],
            "render_s": round(statistics.median(renders), 2),
            "load_ms": round(statistics.median(loads)),
            "filter_ms": round(statistics.median(filters)),
            "sort_ms": round(statistics.median(sorts)),
            "screenshot_s_over_empty_page": round(statistics.median(shots), 2),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
