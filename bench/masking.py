"""Masking over many outputs with as many distinct secrets (issue 21, item 6; bench/README.md,
Masking): the time and memory of masking N outputs as one run masks them, side by side.

Each output is one host's `show running-config` (about 3 KB: its own enable secret hash,
a local user's hash, an SNMP community, 24 interfaces, one of them described
`administratively down`), and a tenth of the outputs also quote their device secret in
a refusal. Every host has its own password, so the run's one Redactor holds N
credentials and learns 3N device secrets as it goes: 4N distinct secret values. It
masks each output in turn, as the run folder does with each host's result.

Two implementations, each in a fresh process per size (its peak RSS is that process's):
`new`, runner.base.redact as checked out, and `old`, runner/base/redact.py as of commit
OLD_COMMIT (read with `git show`; it rebuilt a regular expression of every device secret
seen, and held one of every credential). For each: the seconds for all outputs, per
output, for the last tenth of the outputs (flat if the cost per output does not grow
with the secrets seen), the CPU, and the process's peak and growth of memory.

    .venv/bin/python bench/masking.py [--sizes 1000,2000,4000] [--impls new,old]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from machine import Results, describe, info  # noqa: E402  (bench/, on sys.path above)

OLD_COMMIT = "fddf645"  # the last main before masking by whole tokens
_ALPHABET = string.ascii_letters + string.digits
_HASH = string.ascii_letters + string.digits + "./"


def _word(rnd: random.Random, n: int, alphabet: str = _ALPHABET) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(n))


def passwords(n: int) -> list[str]:
    rnd = random.Random(21)
    return [f"{_word(rnd, 10)}-{_word(rnd, 4)}" for _ in range(n)]


def running_config(i: int) -> tuple[str, str]:
    """Host i's running config and its device secret (its enable secret's hash)."""
    rnd = random.Random(i)
    secret = f"$1${_word(rnd, 4, _HASH)}${_word(rnd, 22, _HASH)}"
    lines = [
        "Building configuration...",
        "",
        f"hostname r{i:05d}",
        f"enable secret 5 {secret}",
        f"username ops privilege 15 secret 5 $1${_word(rnd, 4, _HASH)}${_word(rnd, 22, _HASH)}",
        f"snmp-server community {_word(rnd, 12)} RO",
        "ntp server 192.0.2.123",
    ]
    for n in range(24):
        lines += [
            f"interface GigabitEthernet0/{n}",
            f" description {'administratively down' if n == 3 else f'uplink {n}'}",
            f" ip address 192.0.2.{n + 1} 255.255.255.0",
            " shutdown" if n == 3 else " no shutdown",
            "!",
        ]
    lines.append("end")
    if i % 10 == 0:
        lines.append(f"% Invalid input (at token 3: '{secret}')")
    return "\n".join(lines) + "\n", secret


def _old_redact() -> ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:runner/base/redact.py"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "old_redact.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("old_redact", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def measure(impl: str, size: int) -> dict[str, Any]:
    """One measurement, in this process: `impl`'s Redactor over `size` outputs."""
    if impl == "old":
        redactor = _old_redact().Redactor(passwords(size))
    else:
        from runner.base.redact import Redactor

        redactor = Redactor(passwords(size))
    redactor.text("enable secret 5 $1$warm$up")  # the device patterns compiled, as in a run
    before = _rss_mb()
    cpu, started = time.process_time(), time.perf_counter()
    tenth = started
    kept = leaked = 0
    for i in range(size):
        if i == size - size // 10:
            tenth = time.perf_counter()
        text, secret = running_config(i)
        masked = redactor.text(text)
        leaked += secret in masked
        kept += "description administratively down" in masked
    wall = time.perf_counter() - started
    return {
        "impl": impl,
        "outputs": size,
        "secret_values": 4 * size,  # each host's password, 2 hashes and a community
        "wall_s": wall,
        "ms_per_output": wall / size * 1000,
        "last_tenth_ms_per_output": (time.perf_counter() - tenth) / (size // 10) * 1000,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_growth_mb": _rss_mb() - before,
        "secrets_leaked": leaked,
        "words_kept": f"{kept}/{size}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,2000,4000", help="outputs per measurement")
    parser.add_argument("--impls", default="new,old", help="new, old (commit OLD_COMMIT)")
    parser.add_argument(
        "--old-max",
        type=int,
        default=2000,
        help="the most outputs `old` masks (its time grows faster than the outputs)",
    )
    parser.add_argument("--results", default="bench/results.jsonl", help="'-': none")
    parser.add_argument("--one", nargs=2, metavar=("IMPL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child: one measurement, one JSON line
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    machine = info()
    print(describe(machine), flush=True)
    results = Results(None if args.results == "-" else Path(args.results), machine)
    for size in (int(s) for s in args.sizes.split(",")):
        for impl in args.impls.split(","):
            if impl == "old" and size > args.old_max:
                print(f"old: {size} outputs not measured (over --old-max {args.old_max})")
                continue
            child = subprocess.run(
                [sys.executable, __file__, "--one", impl, str(size)],
                capture_output=True,
                text=True,
                check=True,
            )
            results.emit(json.loads(child.stdout.splitlines()[-1]))


if __name__ == "__main__":
    main()
