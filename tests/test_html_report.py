"""report.html: made from a real run on the lab (real CLI, netmiko, SSH), checked as text and
then opened in real headless Chromium: what the browser parsed, and a screenshot of it."""

from __future__ import annotations

import json
import shutil
import stat
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lab_fixture import start_lab

from runner.cli import main
from runner.lab.faults import parse_faults
from runner.lab.inventory import inventory_yaml
from runner.report.html import MAX_OUTPUT_BYTES, render_html, write_html
from runner.report.output_store import OutputStore

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
INSTALL = "apt-get update && apt-get install -y chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # as root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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


def test_the_page_names_every_host_status_check_and_evidence(run_dir: Path) -> None:
    page = render_html(run_dir)
    assert page.startswith("<!DOCTYPE html>")
    assert '<tr data-host="r001" data-status="changed">' in page
    assert '<tr data-host="r003" data-status="failed">' in page
    assert "auth_failed" in page and "authentication failed" in page
    assert "no legacy ntp server" in page
    assert "found line: ntp server 192.0.2.123" in page
    assert '<span class="add">+ntp server 192.0.2.10</span>' in page  # the diff
    assert "Interface" in page and "GigabitEthernet0/0" in page  # an output, in <details>
    assert '<a href="hosts/r003.log">' in page
    assert "NTP audit &lt;demo&gt;" in page  # even the job name is escaped


def test_the_page_is_self_contained(run_dir: Path) -> None:
    page = render_html(run_dir).lower()
    for external in ("<script", "<link", "src=", "http://", "https://", "@import"):
        assert external not in page


def test_device_text_is_escaped(run_dir: Path, tmp_path: Path) -> None:
    copy = _tampered(run_dir, tmp_path, output=f"Router#{SCRIPT}", evidence="<b>bold</b> & co")
    page = render_html(copy)
    assert "<script" not in page and "<b>bold" not in page
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
    assert "<script" not in page and "</script" not in page
    assert '"onmouseover' not in page and "'y'" not in page and "& co" not in page
    escaped = (
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;onmouseover=alert(2) x=&#x27;y&#x27; &amp; co"
    )
    assert page.count(escaped) == 3  # the output; r003's row and its section
    assert page.count("onmouseover") == 3 and page.count("alert(1)") == 3


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
    assert '<tr data-host="r002" data-status="changed">' in page
    assert "outputs unavailable" in page


def test_write_html_writes_an_owner_only_file(run_dir: Path, tmp_path: Path) -> None:
    copy = _tampered(run_dir, tmp_path, output="x", evidence="y")
    path = write_html(copy)
    assert path == copy / "report.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == render_html(copy)


# --- in a real browser -----------------------------------------------------------------


def _chromium(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail(f"chromium is not installed; install it with: {INSTALL}")
    profile = tmp_path / "chromium-profile"
    done = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *mode, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


class _Visible(HTMLParser):
    """The text of the element with id="summary", and each host row's attributes and text."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.summary: list[str] = []
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
    parsed.feed(_chromium(tmp_path, page, "--dump-dom").stdout)
    return parsed


def test_chromium_shows_the_summary_and_every_host(run_dir: Path, tmp_path: Path) -> None:
    dom = _dom(tmp_path, write_html(run_dir))
    summary = " ".join(dom.summary)
    for seen in ("Summary: 3 hosts", "0 ok", "2 changed", "1 failed", "0 skipped"):
        assert seen in summary
    assert "auth_failed 1" in summary
    assert "0 compliant" in summary and "2 non-compliant" in summary
    assert "r001 no legacy ntp server fail found line: ntp server 192.0.2.123" in summary
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
    assert dom.scripts == 0
    text = "".join(dom.text)
    assert text.count(SCRIPT) == 2  # the output and the evidence, shown as text
    assert "NTP audit <demo>: run" in text  # the title, which the script would have changed


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, RGB pixels) of an 8-bit RGB or RGBA PNG, with only the stdlib."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body, pos = data[pos + 8 : pos + 8 + size], pos + 12 + size
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG depth {depth} colour {colour}"
    bpp = 3 if colour == 2 else 4
    rows, raw, prior = [], zlib.decompress(idat), bytearray(width * bpp)
    for y in range(height):
        start = y * (width * bpp + 1)
        row = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + width * bpp]), prior, bpp)
        rows.append(bytes(row))
        prior = row
    pixels = [row[x : x + 3] for row in rows for x in range(0, len(row), bpp)]
    return width, height, pixels


def _unfilter(kind: int, row: bytearray, prior: bytearray, bpp: int) -> bytearray:
    if kind == 2:  # up: most rows, so without a per-byte branch
        return bytearray((a + b) & 255 for a, b in zip(row, prior, strict=True))
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        up_left = prior[i - bpp] if i >= bpp else 0
        if kind == 1:
            row[i] = (row[i] + left) & 255
        elif kind == 3:
            row[i] = (row[i] + ((left + prior[i]) >> 1)) & 255
        elif kind == 4:
            up = prior[i]
            p = left + up - up_left
            far_left, far_up, far_corner = abs(p - left), abs(p - up), abs(p - up_left)
            if far_left <= far_up and far_left <= far_corner:
                row[i] = (row[i] + left) & 255
            else:
                row[i] = (row[i] + (up if far_up <= far_corner else up_left)) & 255
    return row


def test_chromium_screenshot_shows_the_colours_of_the_page(run_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, write_html(run_dir), f"--screenshot={shot}", "--window-size=1200,900")
    data = shot.read_bytes()
    assert len(data) > 20_000, "a blank page compresses to a few KB"
    width, height, pixels = _png_pixels(data)
    assert (width, height) == (1200, 900)
    counts = Counter(pixels)
    assert len(counts) > 50  # text is anti-aliased: many shades, not a flat page
    assert counts.get(bytes.fromhex("1f3a5f"), 0) > 50_000  # the header band
    assert counts.get(bytes.fromhex("c62828"), 0) > 200  # a red "failed" badge
    assert counts.get(bytes.fromhex("1565c0"), 0) > 200  # a blue "changed" badge
