"""bench/masking.py end to end on a few outputs: both implementations run, each row says
what it measured, no secret is left and every `administratively down` is kept. No timing
is asserted: this machine's speed is not what the test is about."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parent.parent
BENCH = [sys.executable, str(ROOT / "bench" / "masking.py")]


def test_the_masking_bench_measures_old_and_new_side_by_side(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "masking.py"),
            "--sizes",
            "30,60",
            "--old-max",
            "30",
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("machine: ")
    assert "old: 60 outputs not measured (over --old-max 30)" in done.stdout
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert [(r["impl"], r["outputs"]) for r in rows] == [("new", 30), ("old", 30), ("new", 60)]
    for row in rows:
        assert row["secret_values"] == 4 * row["outputs"]
        assert row["secrets_leaked"] == 0
        assert row["words_kept"] == f"{row['outputs']}/{row['outputs']}"
        assert row["wall_s"] > 0 and row["peak_rss_mb"] > 0
