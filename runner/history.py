"""Past runs of a job: find them, read them back, compare them (`netjob diff`, `netjob
report`). A run folder is reports/<job>/<run-id>; the job's outputs sit in its store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runner.drift import Drift, StoreError, diff_outputs, normalize
from runner.errors import InputError
from runner.platforms import DEFAULT as DEFAULT_PLATFORM
from runner.reporter import job_folder, load_host

Key = tuple[str, str, str]  # host, task, command


def runs(reports_dir: Path, job_path: Path) -> list[Path]:
    """Every finished run of the job, oldest first (run ids sort by time)."""
    folder = job_folder(reports_dir, job_path)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and not p.is_symlink() and (p / "report.json").is_file()
    )


def pick(reports_dir: Path, job_path: Path, chosen: list[str]) -> tuple[Path, Path]:
    """The two runs to compare: the ones named (run ids or folders), or the last two."""
    found = runs(reports_dir, job_path)
    if chosen:
        if len(chosen) != 2:
            raise InputError("--run: give it twice (before, after), or not at all for the last two")
        return _find(found, chosen[0], job_path), _find(found, chosen[1], job_path)
    if len(found) < 2:
        raise InputError(
            f"netjob diff needs two runs of {job_path} under {reports_dir}; "
            f"found {len(found)}: run the job again first"
        )
    return found[-2], found[-1]


def _find(found: list[Path], name: str, job_path: Path) -> Path:
    for run in found:
        if name in (run.name, str(run)):
            return run
    known = ", ".join(r.name for r in found[-5:]) or "none"
    raise InputError(f"no run {name!r} of {job_path}; the latest are: {known}")


def outputs(run: Path) -> tuple[dict[Key, str], dict[str, str]]:
    """Each show command's output in a run, by (host, task, command), and hosts' platforms."""
    texts: dict[Key, str] = {}
    platforms: dict[str, str] = {}
    report = json.loads((run / "report.json").read_text())
    for host in sorted(report["hosts"]):
        data: dict[str, Any] = load_host(run, host)
        platforms[host] = data.get("platform") or DEFAULT_PLATFORM
        for step in data["steps"]:
            if step["kind"] != "show":
                continue  # config steps' outputs are session echo, not state
            for command, text in zip(step["commands"], step["outputs"], strict=False):
                texts[(host, step["task"], command)] = text
    return texts, platforms


def drift(before: Path, after: Path, extra: tuple[str, ...] = ()) -> tuple[Drift[Key], ...]:
    try:
        old, platforms = outputs(before)
        new, later = outputs(after)
    except (OSError, ValueError, KeyError, StoreError) as exc:
        raise InputError(f"cannot read the runs {before.name} and {after.name}: {exc}") from None
    platforms.update(later)
    return diff_outputs(old, new, lambda key, text: normalize(text, platforms[key[0]], extra))


def resolve_run(target: str | None, reports_dir: Path) -> Path:
    """A run folder from what a user types: nothing (the newest run of any job), a run
    folder, a job file (its latest run) or a run id."""
    if target is None:
        latest = [p for p in reports_dir.glob("*/latest") if (p / "report.json").is_file()]
        if not latest:
            raise InputError(f"no runs under {reports_dir}; run a job first (or pass --reports)")
        return max(latest, key=lambda p: (p / "report.json").stat().st_mtime).resolve()
    path = Path(target)
    if (path / "report.json").is_file():
        return path
    if path.suffix in (".yaml", ".yml"):
        found = runs(reports_dir, path)
        if not found:
            raise InputError(f"no runs of {path} under {reports_dir}")
        return found[-1]
    matches = sorted(p for p in reports_dir.glob(f"*/{target}") if (p / "report.json").is_file())
    if not matches:
        raise InputError(
            f"no run {target!r} under {reports_dir}: give a run folder, a job "
            "file or a run id (see the report: line of a run)"
        )
    return matches[-1]


def report_data(run: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((run / "report.json").read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{run / 'report.json'}: cannot read: {exc}") from None
    return data


def host_data(run: Path, host: str) -> dict[str, Any]:
    if host not in report_data(run)["hosts"]:
        raise InputError(f"host {host!r} is not in the run {run}")
    try:
        return load_host(run, host)
    except (OSError, ValueError, StoreError) as exc:
        raise InputError(f"{run}: cannot read {host}'s results: {exc}") from None
