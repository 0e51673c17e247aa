"""Time to first output: the median wall time of `netjob --version` and `netjob hosts`,
each a fresh process, as a person at a shell runs them (see bench/README.md, Startup).

    .venv/bin/python bench/startup.py [--runs 10] [--netjob .venv/bin/netjob]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (["--version"], ["hosts", "-i", "inventory.yaml"], ["--help"])


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--netjob", default=str(ROOT / ".venv" / "bin" / "netjob"))
    args = parser.parse_args()
    timed([args.netjob, "--version"])  # warm the file cache: every row starts equal
    for command in COMMANDS:
        times = [timed([args.netjob, *command]) for _ in range(args.runs)]
        print(
            f"netjob {' '.join(command):28} median {statistics.median(times):.3f} s  "
            f"min {min(times):.3f}  max {max(times):.3f}  ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
