"""report.html: made from a real run on the lab (real CLI, netmiko, SSH), checked as text and
then opened in real headless Chromium: what the browser parsed, and a screenshot of it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import stat
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from browser import chromium, png_pixels, probe, screenshot
from lab_fixture import start_lab

from netjob_lab.faults import parse_faults
from netjob_lab.inventory import inventory_yaml
from runner.base.models import HostResult, Job, Status, StepResult, TaskKind
from runner.base.redact import Redactor
from runner.cli import main
from runner.report import html as html_module
from runner.report.html import MAX_OUTPUT_BYTES, render_html, write_html
from runner.report.output_store import OutputStore
from runner.report.run_folder import RunWriter
from runner.report.standing import human_duration

pytestmark = pytest.mark.lab

JOB = """\
name: NTP audit <demo>
hosts: all
tasks:
  - name: ntp server
    config:
      - "ntp server 192.0.2.10"
  - name: verify ntp
    show: show running-config | include ntp
    checks:
      - name: ntp configured
        contains: "ntp server 192.0.2.123"
      - name: no legacy ntp server
        not_contains: "ntp server 192.0.2.123"
  - name: interfaces
    show: show ip interface brief
"""
SCRIPT = "<script>document.title='pwned'</script>"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One real run: r001 and r002 changed (one rule fails on both), r003 fails to log in."""
    tmp = tmp_path_factory.mktemp("run")
    job = tmp / "ntp_audit.yaml"
    job.write_text(JOB)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NETJOB_LAB_PASSWORD", "lab-password")
        env.setenv("NETJOB_LAB_SECRET", "lab-enable")
        with start_lab(devices=3, faults=parse_faults(["r003=auth_fail"])) as lab:
            inventory = tmp / "inv.yaml"
            inventory.write_text(inventory_yaml(lab.endpoints, lab.config))
            reports = tmp / "reports"
            code = main(["run", str(job), "-i", str(inventory), "--reports", str(reports)])
    assert code != 0  # r003 failed
    yield (reports / "ntp_audit" / "latest").resolve()


def _tampered(run_dir: Path, tmp_path: Path, output: str, evidence: str) -> Path:
    """A copy of the run whose r001 shows `output` and a check with `evidence`."""
    job_dir = shutil.copytree(run_dir.parent, tmp_path / "ntp_audit", symlinks=True)
    copy = job_dir / run_dir.name
    host_file = copy / "hosts" / "r001.json"
    data = json.loads(host_file.read_text())
    step = data["steps"][1]
    step["outputs"] = [OutputStore(job_dir / "outputs").put(output)]
    step["checks"][0]["evidence"] = evidence
    host_file.write_text(json.dumps(data))
    return copy


@pytest.mark.sessions
def test_the_page_names_every_host_status_check_and_evidence(run_dir: Path) -> None:
    page = render_html(run_dir)
    assert page.startswith("<!DOCTYPE html>")
    assert '<tr data-host="r001" data-status="changed" data-standing="non-compliant">' in page
    assert '<tr data-host="r003" data-status="failed" data-standing="failed">' in page
    assert "auth_failed" in page and "authentication failed" in page
    assert "no legacy ntp server" in page
    assert "found line: ntp server 192.0.2.123" in page
    assert '<span class="add">+ntp server 192.0.2.10</span>' in page  # the diff
    assert "Interface" in page and "GigabitEthernet0/0" in page  # an output, in <details>
    assert '<a href="hosts/r003.log">' in page
    assert "NTP audit &lt;demo&gt;" in page  # even the job name is escaped


def test_the_page_is_self_contained(run_dir: Path) -> None:
    page = render_html(run_dir)
    for external in ("<link", "src=", "http://", "https://", "@import", "fetch(", "XMLHttp"):
        assert external not in page
    # One script, ours, and the page lets only it run: by its hash, never inline text.
    assert page.count("<script") == 1
    script = page.split("<script>")[1].split("</script>")[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page
    assert "default-src 'none'" in page and "script-src 'unsafe-inline'" not in page


def test_device_text_is_escaped(run_dir: Path, tmp_path: Path) -> None:
    copy = _tampered(run_dir, tmp_path, output=f"Router#{SCRIPT}", evidence="<b>bold</b> & co")
    page = render_html(copy)
    assert page.count("<script") == 1 and "<b>bold" not in page  # the one: the page's own
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page


def test_a_planted_script_and_attribute_in_an_output_and_a_host_error_stay_text(
    run_dir: Path, tmp_path: Path
) -> None:
    hostile = "<script>alert(1)</script> \"onmouseover=alert(2) x='y' & co"
    copy = _tampered(run_dir, tmp_path, output=f"Router#{hostile}", evidence="found")
    for path in (copy / "report.json", copy / "hosts" / "r003.json"):  # r003's login error
        data = json.loads(path.read_text())
        (data["hosts"]["r003"] if path.name == "report.json" else data)["error"] = hostile
        path.write_text(json.dumps(data))
    page = write_html(copy).read_text()
    assert page.count("<script") == 1 and page.count("</script") == 1  # the page's own
    assert '"onmouseover' not in page and "'y'" not in page and "& co" not in page
    escaped = (
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;onmouseover=alert(2) x=&#x27;y&#x27; &amp; co"
    )
    assert page.count(escaped) == 4  # the output; r003's row (text, title), its section
    assert page.count("onmouseover") == 4 and page.count("alert(1)") == 4


def test_a_big_output_is_cut_with_a_link_to_the_log(run_dir: Path, tmp_path: Path) -> None:
    big = "x" * (MAX_OUTPUT_BYTES - 1) + "END-OF-SHOWN" + "y" * MAX_OUTPUT_BYTES
    page = render_html(_tampered(run_dir, tmp_path, output=big, evidence="found"))
    assert len(page) < 2 * MAX_OUTPUT_BYTES
    assert "END-OF-SHOWN" not in page and "y" * 100 not in page
    assert f"showing the first {MAX_OUTPUT_BYTES:,} of {len(big):,} bytes" in page
    assert 'the whole output is in <a href="hosts/r001.log">' in page


def test_a_host_whose_files_are_gone_is_still_listed(run_dir: Path, tmp_path: Path) -> None:
    copy = _tampered(run_dir, tmp_path, output="x", evidence="y")
    (copy / "hosts" / "r002.json").unlink()
    page = render_html(copy)
    assert '<tr data-host="r002" data-status="changed"' in page
    assert "outputs unavailable" in page


def test_write_html_writes_an_owner_only_file(run_dir: Path, tmp_path: Path) -> None:
    copy = _tampered(run_dir, tmp_path, output="x", evidence="y")
    path = write_html(copy)
    assert path == copy / "report.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == render_html(copy)


# --- in a real browser -----------------------------------------------------------------


class _Visible(HTMLParser):
    """The text of the elements with id="summary" and id="compliance", and each host row's
    attributes and text."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.summary: list[str] = []
        self.compliance: list[str] = []
        self.rows: dict[str, tuple[str, list[str]]] = {}
        self.scripts = 0
        self.text: list[str] = []  # every text node, for what is shown as text
        self._open: list[tuple[str, list[str]]] = []  # (tag, where its text goes)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.scripts += tag == "script"
        sink = self._open[-1][1] if self._open else []
        if found.get("id") == "summary":
            sink = self.summary
        elif found.get("id") == "compliance":
            sink = self.compliance
        elif found.get("data-host"):
            sink = []
            self.rows[found["data-host"] or ""] = (found.get("data-status") or "", sink)
        if tag not in self.VOID:
            self._open.append((tag, sink))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open and data.strip():
            self._open[-1][1].append(data.strip())


def _dom(tmp_path: Path, page: Path) -> _Visible:
    parsed = _Visible()
    parsed.feed(chromium(tmp_path, page, "--dump-dom").stdout)
    return parsed


def test_chromium_shows_the_summary_and_every_host(run_dir: Path, tmp_path: Path) -> None:
    dom = _dom(tmp_path, write_html(run_dir))
    summary = " ".join(dom.summary)
    for seen in ("Summary: 3 hosts", "0 ok", "2 changed", "1 failed", "0 skipped"):
        assert seen in summary
    assert "auth_failed 1 r003" in summary  # the class, its count and its hosts
    assert "0 compliant 2 non-compliant 1 not checked" in summary  # the compliance tiles
    compliance = " ".join(dom.compliance)
    assert "r001 no legacy ntp server fail found line: ntp server 192.0.2.123" in compliance
    rows = {host: (state, " ".join(text)) for host, (state, text) in dom.rows.items()}
    assert {host: state for host, (state, _) in rows.items()} == {
        "r001": "changed",
        "r002": "changed",
        "r003": "failed",
    }
    assert rows["r001"][1].startswith("r001 changed")  # the badge a person reads
    assert rows["r003"][1].startswith("r003 failed auth_failed authentication failed")


def test_chromium_keeps_a_planted_script_as_text(run_dir: Path, tmp_path: Path) -> None:
    page = write_html(_tampered(run_dir, tmp_path, output=SCRIPT, evidence=SCRIPT))
    dom = _dom(tmp_path, page)
    assert dom.scripts == 1  # the page's own
    text = "".join(dom.text)
    assert text.count(SCRIPT) == 2  # the output and the evidence, shown as text
    assert "NTP audit <demo>: run" in text  # the title, which the script would have changed


def test_chromium_screenshot_shows_the_colours_of_the_page(run_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    chromium(tmp_path, write_html(run_dir), f"--screenshot={shot}", "--window-size=1200,900")
    data = shot.read_bytes()
    assert len(data) > 20_000, "a blank page compresses to a few KB"
    width, height, pixels = png_pixels(data)
    assert (width, height) == (1200, 900)
    counts = Counter(pixels)
    assert len(counts) > 50  # text is anti-aliased: many shades, not a flat page
    assert counts.get(bytes.fromhex("1f3a5f"), 0) > 50_000  # the header band
    assert counts.get(bytes.fromhex("c62828"), 0) > 200  # a red "failed" badge
    assert counts.get(bytes.fromhex("1565c0"), 0) > 200  # a blue "changed" badge


# --- the page a lead forwards: a 200-host audit ------------------------------------------

AUDIT = """\
name: syslog audit
hosts: all
tasks:
  - name: logging
    show: show running-config | include logging
    checks:
      - name: syslog server
        line: "logging host {{ syslog_server }}"
"""
FAILING = ["r050", "r120", "r177"]  # in the page's order: failed, by name
FAULTS = ["r120=auth_fail", "r050=auth_fail", "r177=refuse"]
NONCOMPLIANT = ["r010", "r033", "r064", "r099", "r150", "r188"]
FIRST_SCREEN = "1280,900"  # a laptop's browser window


@pytest.fixture(scope="module")
def audit_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real 200-host audit on the lab (every device logs to 192.0.2.50): r050 and r120
    refuse the login, r177 the connection, and six hosts are expected to log elsewhere."""
    tmp = tmp_path_factory.mktemp("audit")
    job = tmp / "syslog_audit.yaml"
    job.write_text(AUDIT)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NETJOB_LAB_PASSWORD", "lab-password")
        env.setenv("NETJOB_LAB_SECRET", "lab-enable")
        lab_config = {"devices": 200, "platforms": ("cisco_ios",), "faults": parse_faults(FAULTS)}
        with start_lab(**lab_config) as lab:
            data = yaml.safe_load(inventory_yaml(lab.endpoints, lab.config))
            data["groups"]["lab"]["vars"]["syslog_server"] = "192.0.2.50"
            for name in NONCOMPLIANT:
                data["hosts"][name]["vars"]["syslog_server"] = "192.0.2.99"
            inventory = tmp / "inv.yaml"
            inventory.write_text(yaml.safe_dump(data))
            reports = tmp / "reports"
            args = ["run", str(job), "-i", str(inventory), "--reports", str(reports), "-q"]
            code = main([*args, "--retries", "0", "--change-id", "CHG-7", "-e", "window=night"])
    assert code == 1  # hosts failed
    yield (reports / "syslog_audit" / "latest").resolve() / "report.html"


@pytest.mark.sessions
def test_the_lead_sees_failed_then_non_compliant_hosts_first(audit_page: Path) -> None:
    parsed = _Visible()
    parsed.feed(audit_page.read_text())
    rows = list(parsed.rows.items())
    assert len(rows) == 200
    assert [host for host, _ in rows[:9]] == FAILING + NONCOMPLIANT
    assert [text[1] for _, (_, text) in rows[:3]] == ["failed"] * 3
    assert [text[1] for _, (_, text) in rows[3:9]] == ["non-compliant"] * 6
    assert rows[9][1][1][1] == "ok"  # then the compliant hosts
    page = audit_page.read_text()
    for host in FAILING + NONCOMPLIANT:  # each row links the host's section
        assert f'<td data-sort="{int(host[1:]) - 1}"><a href="#host-{host}">{host}</a>' in page
        assert f'<section class="card host" id="host-{host}">' in page
    # Each failure class lists and links its hosts.
    assert (
        '<tr data-failure="auth_failed"><td>auth_failed</td><td>2</td><td>'
        '<a href="#host-r050">r050</a><a href="#host-r120">r120</a></td></tr>'
    ) in page
    assert '<a href="#host-r177">r177</a></td></tr>' in page.split('data-failure="unreachable"')[1]


def test_the_first_screen_in_chromium_shows_them_in_order(audit_page: Path, tmp_path: Path) -> None:
    seen = probe(
        tmp_path,
        audit_page,
        """
        var rows = document.querySelectorAll('#host-table tbody tr');
        var out = [];
        for (var i = 0; i < 9; i++) {
          var box = rows[i].getBoundingClientRect();
          var link = rows[i].querySelector('a');
          out.push([rows[i].getAttribute('data-host'), box.bottom <= innerHeight,
                    link.getAttribute('href'), rows[i].cells[1].textContent]);
        }
        var change = document.querySelector('[data-change=change]').getBoundingClientRect();
        return {rows: out, change: change.bottom <= innerHeight, height: innerHeight};
        """,
        window=FIRST_SCREEN,
    )
    # The viewport of a 1280x900 window: Chromium keeps room for its own bars.
    assert 700 < seen["height"] <= 900
    assert [row[0] for row in seen["rows"]] == FAILING + NONCOMPLIANT
    assert all(row[1] for row in seen["rows"]), seen  # each within the first screen
    assert [row[2] for row in seen["rows"]] == [f"#host-{h}" for h in FAILING + NONCOMPLIANT]
    assert [row[3] for row in seen["rows"]] == ["failed"] * 3 + ["non-compliant"] * 6
    assert seen["change"]  # the change record too
    shot = screenshot(tmp_path, audit_page, "report-200-hosts.png", window=FIRST_SCREEN)
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 900)
    counts = Counter(pixels)
    assert counts.get(bytes.fromhex("c62828"), 0) > 9 * 200  # nine red badges at least
    assert counts.get(bytes.fromhex("2e7d32"), 0) > 200  # green "ok" badges below them


def test_the_filter_box_and_the_columns_work_in_chromium(audit_page: Path, tmp_path: Path) -> None:
    seen = probe(
        tmp_path,
        audit_page,
        """
        function visible() {
          return Array.prototype.filter.call(
            document.querySelectorAll('#host-table tbody tr'), function (r) { return !r.hidden; }
          ).map(function (r) { return r.getAttribute('data-host'); });
        }
        var box = document.getElementById('filter');
        box.value = 'auth_failed';
        box.dispatchEvent(new Event('input'));
        var filtered = visible();
        var shown = document.getElementById('shown').textContent;
        box.value = '';
        box.dispatchEvent(new Event('input'));
        var buttons = document.querySelectorAll('#host-table thead button');
        buttons[0].click();
        var byName = visible().slice(0, 3);
        buttons[0].click();
        var byNameDown = visible().slice(0, 2);
        buttons[1].click();
        var byStatus = visible().slice(0, 4);
        return {filtered: filtered, shown: shown, byName: byName, byNameDown: byNameDown,
                byStatus: byStatus, all: visible().length};
        """,
    )
    assert seen["filtered"] == ["r050", "r120"]
    assert seen["shown"] == "2 of 200 hosts shown"
    assert seen["byName"] == ["r001", "r002", "r003"]  # r2 before r10, as people count
    assert seen["byNameDown"] == ["r200", "r199"]
    assert seen["byStatus"] == ["r050", "r120", "r177", "r010"]
    assert seen["all"] == 200


def test_tiles_count_compliance_and_never_show_ok_for_non_compliant_hosts(
    audit_page: Path,
) -> None:
    page = audit_page.read_text()
    assert '<div class="count failed" data-tile="failed"><b>3</b>failed</div>' in page
    assert '<div class="count non-compliant" data-tile="non-compliant"><b>6</b>' in page
    assert '<div class="count ok" data-tile="ok"><b>191</b>ok</div>' in page
    assert '<div class="count compliant" data-compliance="compliant"><b>191</b>' in page
    assert '<div class="count not-checked" data-compliance="not checked"><b>3</b>' in page
    assert '<dd data-change="change">CHG-7</dd>' in page
    assert '<dd data-change="-e">window=&quot;night&quot;</dd>' in page


def test_a_run_whose_every_host_is_non_compliant_has_no_green_ok_tile(
    run_dir: Path, tmp_path: Path
) -> None:
    """r003 (which failed its login) made one more host like r001, but `ok`: every host
    ran and failed a check."""
    copy = _tampered(run_dir, tmp_path, output="x", evidence="y")
    report = json.loads((copy / "report.json").read_text())
    like_r001 = {**report["hosts"]["r001"], "host": "r003", "status": "ok"}
    report["hosts"]["r003"] = {**like_r001, "log": "hosts/r003.log", "data": "hosts/r003.json"}
    (copy / "report.json").write_text(json.dumps(report))
    host_file = json.loads((copy / "hosts" / "r001.json").read_text())
    (copy / "hosts" / "r003.json").write_text(json.dumps({**host_file, **report["hosts"]["r003"]}))
    page = render_html(copy)
    assert '<tr data-host="r003" data-status="ok" data-standing="non-compliant">' in page
    assert '<div class="count zero" data-tile="ok"><b>0</b>ok</div>' in page
    assert 'class="count ok"' not in page and 'class="count compliant"' not in page


def test_durations_read_as_a_person_reads_them() -> None:
    assert [human_duration(s) for s in (0.004, 0.5512, 3.21, 42.4, 123.2, 3725)] == [
        "< 0.01 s",
        "0.55 s",
        "3.2 s",
        "42 s",
        "2 min 3 s",
        "1 h 2 min",
    ]


def test_at_scale_only_hosts_that_need_a_person_get_a_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's scale rules, with its limits made small: 30 hosts past a limit of 8 (as
    10,000 are past 1,000): failed hosts and the first 8 changed get a section, the rest
    a row linking their log; outputs past the page's budget are linked, not inlined."""
    monkeypatch.setattr(html_module, "SECTIONS_FOR_ALL", 8)
    monkeypatch.setattr(html_module, "MAX_PAGE_OUTPUT_BYTES", 2_500)
    job = Job(name="push", path=tmp_path / "push.yaml")
    writer = RunWriter(tmp_path / "reports", job, Redactor([]), {})
    names = [f"r{n}" for n in range(1, 31)]
    writer.begin(names)
    for n, name in enumerate(names, 1):
        if n in (10, 20):
            writer.host_done(HostResult(host=name, status=Status.FAILED, error="down"))
            continue
        status = Status.CHANGED if n % 3 == 0 else Status.OK
        step = StepResult(
            task="t", kind=TaskKind.SHOW, commands=("show x",), status=status,
            outputs=(f"{name} says " + "x" * 990,),
        )  # fmt: skip
        writer.host_done(HostResult(host=name, status=status, steps=(step,)))
    writer.finish()
    page = render_html(writer.run_dir)
    sections = re.findall(r'<section class="card host" id="host-(r\d+)">', page)
    assert sections == ["r10", "r20", "r3", "r6", "r9", "r12", "r15", "r18", "r21", "r24"]
    assert '<a href="hosts/r27.log">r27</a>' in page and '<a href="hosts/r1.log">r1</a>' in page
    assert '<a href="#host-r24">r24</a>' in page
    assert "20 of the 30 hosts have no section on this page" in page
    assert "r3 says" in page and "r6 says" in page and "r9 says" not in page  # the budget
    assert page.count("not shown: this page holds at most 2,500 bytes of outputs") == 6


def test_a_run_made_before_change_records_still_renders(run_dir: Path, tmp_path: Path) -> None:
    copy = _tampered(run_dir, tmp_path, output="x", evidence="y")
    data = json.loads((copy / "report.json").read_text())
    assert data.pop("change")["hosts"] == "all"
    (copy / "report.json").write_text(json.dumps(data))
    page = render_html(copy)
    assert 'id="change"' not in page and '<tr data-host="r001"' in page
