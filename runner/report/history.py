"""Past runs of a job: find them, read them back, compare them (`netjob diff`, `netjob
report`). A run folder is reports/<job>/<run-id>; the job's outputs sit in its store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.base.errors import FailureClass, InputError, SelectionError, StoreError
from runner.base.models import Host, Status, TaskKind
from runner.base.platforms import DEFAULT as DEFAULT_PLATFORM
from runner.base.run_layout import LATEST, MANIFEST, REPORT_JSON
from runner.load.job import load_job
from runner.report import readback
from runner.report.document import HostDoc, ReportDoc, read_host, read_report
from runner.report.drift import Drift, DriftKind, diff_outputs, render_drift
from runner.report.fold import host_ranges, natural_key
from runner.report.noise import normalize
from runner.report.run_folder import job_folder

if TYPE_CHECKING:
    from runner.report.outcome import PastRun

Key = tuple[str, str, str]  # host, task, command


def runs(reports_dir: Path, job_path: Path, unfinished: bool = False) -> list[Path]:
    """Every finished run of the job, oldest first (run ids sort by time); with
    `unfinished`, also the runs that never wrote their report.json (cut short, or running)."""
    folder = job_folder(reports_dir, job_path)
    if not folder.is_dir() and not job_path.is_file() and (reports_dir / job_path.name).is_dir():
        # A runs folder by name (`adhoc` of netjob cmd, made from another folder). The job's
        # own comes first: `cmd --retry-failed` must read the runs its `cmd` wrote, which
        # are under adhoc-<hash> when another folder's `cmd` (or a job adhoc.yaml) has adhoc.
        folder = reports_dir / job_path.name
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if _is_run(p, unfinished)), key=_run_order)


def _is_run(path: Path, unfinished: bool = True) -> bool:
    if not path.is_dir() or path.is_symlink():
        return False
    return (path / REPORT_JSON).is_file() or (unfinished and (path / MANIFEST).is_file())


def _run_order(run: Path) -> tuple[str, int]:
    """By run id, which sorts by time: 20261124-112233 < …-112233-2 < …-112233-10."""
    day, _, rest = run.name.partition("-")
    clock, _, n = rest.partition("-")
    return day + clock, int(n) if n.isdigit() else 1


def cut_short(run: Path) -> bool:
    """A run that never wrote its report.json: killed (or still running)."""
    return not (run / REPORT_JSON).is_file()


def latest_attempts(
    reports_dir: Path, job_path: Path, hosts: set[str]
) -> tuple[dict[str, str], list[Path]]:
    """For --retry-failed: each host's status in the newest run of the job that has it (a
    run cut short counts, read back from its files: runner.report.readback), and which
    runs cut short were read. Newest first, until all `hosts` are found. An InputError if
    a run still going has some of `hosts` unfinished."""
    found: dict[str, str] = {}
    short: list[Path] = []
    every = runs(reports_dir, job_path, unfinished=True)
    for run in every:  # a run still going owns its hosts, however old it is
        if cut_short(run) and (run / MANIFEST).is_file():
            readback.refuse_if_owned(run, hosts)
    for run in reversed(every):
        if hosts <= found.keys():
            break
        if cut_short(run):
            short.append(run)
        for name, host in report_data(run).hosts.items():
            # A host whose result never came back (from a cluster, or in flight when the run
            # was killed): "unknown", not "failed".
            unknown = host.status is Status.FAILED and host.failure is FailureClass.UNKNOWN
            found.setdefault(name, "unknown" if unknown else host.status.value)
    return found, short


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
    for host in sorted(read_report(run).hosts):
        data = read_host(run, host)
        platforms[host] = data.platform or DEFAULT_PLATFORM
        for step in data.steps:
            if step.kind is not TaskKind.SHOW:
                continue  # config steps' outputs are session echo, not state
            for command, text in zip(step.commands, step.outputs, strict=False):
                texts[(host, step.task, command)] = text
    return texts, platforms


def drift(before: Path, after: Path, extra: tuple[str, ...] = ()) -> tuple[Drift[Key], ...]:
    try:
        old, platforms = outputs(before)
        new, later = outputs(after)
    except (OSError, ValueError, KeyError, TypeError, StoreError) as exc:
        raise InputError(f"cannot read the runs {before.name} and {after.name}: {exc}") from None
    platforms.update(later)
    return diff_outputs(old, new, lambda key, text: normalize(text, platforms[key[0]], extra))


def resolve_run(target: str | None, reports_dir: Path) -> Path:
    """A run folder from what a user types: nothing (the newest run of any job), a run
    folder, a job file (its latest run) or a run id."""
    if target is None:
        newest = [max(found, key=_run_order) for job in _dirs(reports_dir) if (found := _runs(job))]
        if not newest:
            raise InputError(f"no runs under {reports_dir}; run a job first (or pass --reports)")
        return max(newest, key=lambda p: p.stat().st_mtime)
    if target == LATEST:  # the word, as the README's `latest` links: the newest run
        return resolve_run(None, reports_dir)
    path = Path(target)
    if path.is_symlink() and path.name == LATEST:
        path = path.resolve()  # reports/<job>/latest names the job's newest run
    if _is_run(path):
        return path
    if not path.suffix and (reports_dir / target).is_dir():  # a runs folder by name
        found = runs(reports_dir, Path(target), unfinished=True)
        if found:
            return found[-1]
    if path.suffix in (".yaml", ".yml"):
        found = runs(reports_dir, path, unfinished=True)
        if not found:
            raise InputError(f"no runs of {path} under {reports_dir}")
        return found[-1]
    matches = sorted(p for p in reports_dir.glob(f"*/{target}") if _is_run(p))
    if not matches:
        raise InputError(
            f"no run {target!r} under {reports_dir}: give a run folder, a job "
            "file or a run id (see the report: line of a run)"
        )
    return matches[-1]


def _dirs(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []


def _runs(job: Path) -> list[Path]:
    return [p for p in job.iterdir() if _is_run(p)]


def read_run(run: Path) -> PastRun:
    """A past run: its report.json (read back, for a run cut short) and its exit code."""
    from runner.report.outcome import PastRun

    return PastRun(run, report_data(run), cut_short(run))


def report_data(run: Path) -> ReportDoc:
    """A run's report.json, or for a run cut short, the same document read back from what
    it wrote: its run.json and the host files written as each host finished."""
    if cut_short(run) and (run / MANIFEST).is_file():
        return readback.recovered(run)
    try:
        return read_report(run)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{run / REPORT_JSON}: cannot read: {exc}") from None


def host_data(run: Path, host: str) -> HostDoc:
    if host not in report_data(run).hosts:
        raise InputError(f"host {host!r} is not in the run {run}")
    try:
        return read_host(run, host)
    except (OSError, ValueError, KeyError, TypeError, StoreError) as exc:
        raise InputError(f"{run}: cannot read {host}'s results: {exc}") from None


def hosts_data(run: Path, pattern: str | None = None) -> dict[str, HostDoc]:
    """Each host's data with its outputs (host_data), for the hosts of the run that match
    a host pattern as --limit takes it (`all`, `r00*`, `r001,r003`, `~re`, `&`, `!`), in
    natural order (r2 before r10). Hosts whose files the run never wrote are left out."""
    from runner.load.host_patterns import Inventory  # host patterns, on the run's host names

    names = list(report_data(run).hosts)
    plain = pattern is not None and pattern != "all" and not set(pattern) & set(",:&!~*?[@")
    if plain and pattern not in names:
        raise InputError(
            f"host {pattern!r} is not in the run {run}; its hosts: {host_ranges(names)}"
        )
    if pattern is not None:
        run_hosts = Inventory({n: Host(name=n, address="") for n in names}, source=run)
        try:
            chosen = {h.name for h in run_hosts.select(pattern)}
        except SelectionError as exc:
            raise InputError(f"{exc}; the run's hosts: {host_ranges(names)}") from None
        names = [n for n in names if n in chosen]
    found: dict[str, HostDoc] = {}
    for name in sorted(names, key=natural_key):
        try:
            found[name] = read_host(run, name)
        except FileNotFoundError:
            continue  # never written: a host skipped or lost before its files
        except (OSError, ValueError, KeyError, TypeError, StoreError) as exc:
            raise InputError(f"{run}: cannot read {name}'s results: {exc}") from None
    return found


@dataclass(frozen=True)
class HostLog:
    """One host of `netjob show`: the heading above its outputs, if it gets one (when
    several hosts are shown, or it failed), and its data for View.outputs."""

    name: str
    heading: str | None
    data: HostDoc


@dataclass(frozen=True)
class HostLogs:
    """The hosts of a past run that match a pattern (`netjob show`), the tasks they ran
    in order, and whether the run was a dry run (--check: no config sent)."""

    hosts: tuple[HostLog, ...]
    tasks: tuple[str, ...]
    dry_run: bool


def host_logs(run: Path, pattern: str) -> HostLogs:
    found = hosts_data(run, pattern)
    dry_run = bool(report_data(run).check)
    tasks = tuple(dict.fromkeys(s.task for data in found.values() for s in data.steps))
    logs = []
    for name, data in found.items():
        heading = None
        if len(found) > 1 or data.error:  # as the host log's head says it
            why = f"  {data.failure}: {data.error}" if data.error else ""
            heading = f"# {name}: {data.status.value}{why}"
        logs.append(HostLog(name, heading, data))
    return HostLogs(tuple(logs), tasks, dry_run)


@dataclass(frozen=True)
class RunDiff:
    """`netjob diff`: the two runs compared (their ids), the drift as text, and whether
    anything drifted."""

    before: str
    after: str
    text: str
    drifted: bool


def compare(reports_dir: Path, job_path: Path, chosen: list[str]) -> RunDiff:
    """The drift between two runs of a job (`pick`), the job's noise rules applied."""
    before, after = pick(reports_dir, job_path, chosen)
    # `netjob diff adhoc`: runs with no job file (netjob cmd) have no noise rules.
    rules = load_job(job_path).normalize if job_path.is_file() else ()
    drifts = drift(before, after, rules)
    changed = any(d.kind is not DriftKind.SAME for d in drifts)
    return RunDiff(before.name, after.name, render_drift(drifts), changed)
