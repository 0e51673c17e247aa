"""A past run as the CLI prints and judges it: its report.json (or, for a run cut short,
the same document read back) and what decides its exit code (the README's table), so no
caller outside the report room reads the document's keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.base.errors import ExitCode


def exit_code(data: Mapping[str, Any]) -> ExitCode:
    """A run's exit code, from its report.json (see the README's table)."""
    if data["interrupted"]:
        return ExitCode.INTERRUPTED
    if data["summary"]["failed"] or data["stopped"]:
        return ExitCode.HOSTS_FAILED
    return (
        ExitCode.NONCOMPLIANT if (data.get("compliance") or {}).get("noncompliant") else ExitCode.OK
    )


@dataclass(frozen=True)
class PastRun:
    """A run folder read back (runner.report.history.report_data). `document` is the
    report.json as written, for `--output json/yaml` and the console's summary."""

    folder: Path
    document: dict[str, Any]
    cut_short: bool  # no report.json: killed (or still running); read back from host files

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(self.document)

    @property
    def stopped(self) -> str | None:
        """Why the run stopped early (interrupted, --max-fail, cut short), or None."""
        stopped: str | None = self.document["stopped"]
        return stopped

    @property
    def check(self) -> bool:
        """A --check run: no config was sent."""
        return bool(self.document.get("check"))
