"""10,000 devices from a real Nautobot: netjob's fetch (GraphQL, only the fields it maps,
bounded parallel pages) side by side with pynautobot's own paged `devices.all()` (REST, as
nornir_nautobot and most scripts read it), then netjob's load from its cache. The Nautobot
is tests/nautobot_fixture.py's (its venv, Debian's PostgreSQL and Redis, seeded with
10,000 devices and the lab's), started here and stopped at the end. See bench/README.md.

    .venv/bin/python bench/sot.py [--runs 3]

pynautobot comes with the bench extra (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe, info  # noqa: E402  (bench/, on sys.path above)
from nautobot_fixture import start_nautobot  # noqa: E402  (tests/, on sys.path above)

from runner.load import load_inventories, refresh_inventory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import pynautobot

    with start_nautobot() as nautobot, tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")
        os.environ["BENCH_NAUTOBOT_TOKEN"] = nautobot.token
        text = f"kind: nautobot\nurl: {nautobot.url}\ntoken_env: BENCH_NAUTOBOT_TOKEN\n"
        source = Path(folder) / "nautobot.yaml"
        source.write_text(text)
        lean = Path(folder) / "lean.yaml"
        lean.write_text(text + "config_context: false\n")
        fetch, fetch_lean, cached, theirs = [], [], [], []
        count = their_count = 0
        for _ in range(args.runs):
            refresh_inventory(True)
            start = time.perf_counter()
            count = len(load_inventories(source).hosts)
            fetch.append(time.perf_counter() - start)
            start = time.perf_counter()
            load_inventories(lean)
            fetch_lean.append(time.perf_counter() - start)
            refresh_inventory(False)
            start = time.perf_counter()
            load_inventories(source)
            cached.append(time.perf_counter() - start)
            api = pynautobot.api(nautobot.url, token=nautobot.token)
            start = time.perf_counter()
            their_count = len(list(api.dcim.devices.all()))
            theirs.append(time.perf_counter() - start)
    other = statistics.median(theirs)
    print(describe(info()))
    print(f"Nautobot {nautobot.version}, pynautobot {pynautobot.__version__}, {args.runs} runs")
    print("| load | devices | median s | runs (s) |")
    print("|---|---:|---:|---|")
    rows = (
        ("netjob fetch (GraphQL, config contexts)", count, fetch),
        ("netjob fetch (GraphQL, config_context: false)", count, fetch_lean),
        ("netjob from its cache", count, cached),
        ("pynautobot devices.all()", their_count, theirs),
    )
    for label, n, times in rows:
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {label} | {n:,} | {statistics.median(times):.2f} | {runs} |")
    for label, times in (("with config contexts", fetch), ("without", fetch_lean)):
        print(f"netjob's fetch {label} / pynautobot's: {statistics.median(times) / other:.2f}")


if __name__ == "__main__":
    main()
