"""Real headless Chromium for the tests of report.html: run it on a page (its DOM after
scripts, or a screenshot), and read a PNG screenshot's pixels with only the stdlib."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

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


def chromium(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
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


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
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
        row = unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + width * bpp]), prior, bpp)
        rows.append(bytes(row))
        prior = row
    pixels = [row[x : x + 3] for row in rows for x in range(0, len(row), bpp)]
    return width, height, pixels


def unfilter(kind: int, row: bytearray, prior: bytearray, bpp: int) -> bytearray:
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


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # kept after the run; git ignores it
_PROBE = re.compile(r'data-probe="([^"]*)"')


def probe(tmp_path: Path, page: Path, script: str, window: str = "1280,900") -> Any:
    """What `script` (a function body returning JSON-able data) answers in the page, run in
    Chromium after the page's own script, the page's Content-Security-Policy kept (the
    probe is let in by its hash, as the page's script is)."""
    wrapped = (
        "document.documentElement.setAttribute('data-probe', "
        f"JSON.stringify((function () {{ {script} }})()));"
    )
    digest = base64.b64encode(hashlib.sha256(wrapped.encode()).digest()).decode()
    text = page.read_text()
    assert text.count("script-src 'sha256-") == 1
    text = text.replace("script-src 'sha256-", f"script-src 'sha256-{digest}' 'sha256-")
    copy = tmp_path / f"probe-{page.name}"
    copy.write_text(text.replace("</body>", f"<script>{wrapped}</script></body>"))
    dom = chromium(tmp_path, copy, f"--window-size={window}", "--dump-dom").stdout
    found = _PROBE.search(dom)
    assert found is not None, "the probe did not run: " + dom[-500:]
    return json.loads(html.unescape(found.group(1)))


def screenshot(tmp_path: Path, page: Path, name: str, window: str = "1280,900") -> Path:
    """A PNG of the page's first screen at `window`, kept as tests/artifacts/<name>."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    chromium(tmp_path, page, f"--screenshot={shot}", f"--window-size={window}")
    print(f"screenshot: {shot}")  # where to look: pytest -s, or a failure's captured output
    return shot
