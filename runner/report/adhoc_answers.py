"""What each host answered in an ad-hoc run (`netjob cmd`), read back from its run folder
as `netjob show` reads it: folded for the console, or as JSON with --output json.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.base.errors import ExitCode
from runner.base.models import Status, TaskKind
from runner.base.run_layout import REPORT_JSON
from runner.report.document import HostDoc, ReportDoc, StepDoc, read_host, summary_json
from runner.report.fold import Fold, fold
from runner.report.history import report_data
from runner.report.noise import noise_key
from runner.report.outcome import exit_code

CONFIG_LABEL = "(config)"  # the config step's heading on the console


@dataclass(frozen=True)
class HostAnswers:
    """What one host said: each show command's output, and the config step's outcome."""

    status: str
    failure: str | None = None
    error: str | None = None
    outputs: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] | None = None  # status, note, diff, lines

    def as_dict(self) -> dict[str, Any]:
        config = {} if self.config is None else {"config": dict(self.config)}
        return {
            "status": self.status,
            "failure": self.failure,
            "error": self.error,
            "outputs": dict(self.outputs),
            **config,
        }


def answer(host: HostDoc) -> HostAnswers:
    """A host's answer from its host file (runner.report.document.read_host)."""
    outputs: dict[str, str] = {}
    config: dict[str, Any] | None = None
    for step in host.steps:
        if step.kind is TaskKind.SHOW:
            outputs.update(zip(step.commands, step.outputs, strict=False))
        else:
            config = {
                "status": step.status.value,
                "note": step.note,
                "diff": step.diff,
                "lines": list(step.commands),
            }
    failure = host.failure.value if host.failure else None
    return HostAnswers(host.status.value, failure, host.error, outputs, config)


def sections(
    hosts: Mapping[str, HostDoc], diff: bool = False, noise: Sequence[str] | None = None
) -> list[tuple[str, list[Fold]]]:
    """For the console: per command (and the config step, as CONFIG_LABEL), the hosts'
    texts folded. A host with no output for a command shows why (its failure, or what
    happened to the step), so it folds with the hosts that failed the same way. With
    `noise` (--fold-noise: extra regexes, or none), outputs fold as `netjob diff` compares
    them, noise lines dropped."""
    labels: dict[str, dict[str, str]] = {}
    for name, host in hosts.items():
        for step in host.steps:
            if step.kind is TaskKind.SHOW:
                for i, command in enumerate(step.commands):
                    text = step.outputs[i] if i < len(step.outputs) else _why(step, host)
                    labels.setdefault(command, {})[name] = text
            else:
                labels.setdefault(CONFIG_LABEL, {})[name] = _config_text(step, host, diff)
    key = None if noise is None else noise_key({n: h.platform for n, h in hosts.items()}, noise)
    return [
        (label, fold(texts, None if label == CONFIG_LABEL else key))
        for label, texts in labels.items()
    ]


def _why(step: StepDoc, host: HostDoc) -> str:
    if step.error:
        return f"!! {step.failure}: {step.error}\n"
    if host.error:
        return f"!! {host.failure}: {host.error}\n"
    return f"-- {step.status.value}" + (f": {step.note}" if step.note else "") + "\n"


def _config_text(step: StepDoc, host: HostDoc, diff: bool) -> str:
    if step.status in (Status.FAILED, Status.SKIPPED):
        return _why(step, host)
    text = f"-- {step.status.value}" + (f": {step.note}" if step.note else "") + "\n"
    if diff and step.diff:
        text += step.diff.rstrip("\n") + "\n"
    return text


@dataclass(frozen=True)
class AdhocRun:
    """An ad-hoc run read back from its folder: its report.json and each host's file."""

    run_dir: Path
    data: ReportDoc
    hosts: dict[str, HostDoc]

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(self.data)

    def document(self) -> dict[str, Any]:
        """`netjob cmd --output json`: the run, and host → command → output."""
        return {
            "run_id": self.data.run_id,
            "report": str(self.run_dir / REPORT_JSON),
            "interrupted": self.data.interrupted,
            "summary": summary_json(self.data.summary),
            "hosts": {n: answer(h).as_dict() for n, h in self.hosts.items()},
        }

    def sections(
        self, diff: bool = False, noise: Sequence[str] | None = None
    ) -> list[tuple[str, list[Fold]]]:
        return sections(self.hosts, diff, noise)


def read_answers(run_dir: Path) -> AdhocRun:
    """What each host of an ad-hoc run answered, read back from its run folder."""
    data = report_data(run_dir)
    return AdhocRun(run_dir, data, {name: read_host(run_dir, name) for name in data.hosts})
