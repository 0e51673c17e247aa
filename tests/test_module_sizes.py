"""No module of netjob over 450 lines (issue 23): a module that size holds more than one
job, and a newcomer reads it whole to find one. The lab is its own package (netjob_lab/),
outside runner/, and outside this rule."""

from __future__ import annotations

from pathlib import Path

RUNNER = Path(__file__).resolve().parent.parent / "runner"
LIMIT = 450


def test_no_module_of_the_runner_is_over_450_lines() -> None:
    long = {}
    for path in sorted(RUNNER.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            long[path.relative_to(RUNNER).as_posix()] = lines
    assert long == {}
