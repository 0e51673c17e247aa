"""What the tests of report files share: the schema in the repo, and a short audit job run
on in-memory devices (tests/fakes.py) in which r3 refuses the login."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fakes import FakeFleet
from fixture_types import Write

from runner import core
from runner.base.errors import AuthenticationError

SCHEMA: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "schema" / "report.schema.json").read_text()
)


def audit_run(inventory_file: Path, write: Write, show: str, config: str) -> Path:
    """The run folder of a two-task job: `show` (YAML: a command or a list) with a check
    that passes on every host and one that never does, then `config` (a YAML list)."""
    job = write(
        "audit.yaml",
        f"tasks:\n  - name: v\n    show: {show}\n"
        "    checks: [{name: says r, contains: 'r'}, {name: never, contains: zzz}]\n"
        f"  - {{name: c, config: {config}}}\n",
    )
    fleet = FakeFleet(fail_connect={"r3": AuthenticationError("authentication failed")})
    report = core.run(
        core.select(job, inventory_file),
        core.RunOptions(reports_dir=inventory_file.parent / "reports"),
        connect=fleet,
        environ={"TEST_PASSWORD": "x"},
    )
    return report.run_dir
