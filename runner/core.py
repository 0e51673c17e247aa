"""Wiring: load → expand → run → report. The one entry point the CLI and the API call."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base.errors import ExitCode, InputError, SelectionError
from runner.base.models import Host, HostResult, Job, Report, TaskKind, WorkItem

# Everything else is imported where it is used, so each command pays only for its own
# rooms: netmiko, paramiko, hier_config and distributed only when hosts run (inside
# `run`), Jinja2 only when a job is rendered, the job reader, `-e` parsing and the rollout
# only by the commands that take them: `--help`, `--version`, `hosts` and `report` start
# fast (issue 13; tests/test_startup_imports.py).
if TYPE_CHECKING:
    from rich.console import Console

    from runner.device.connection import Connector
    from runner.load.credentials import Prompt
    from runner.load.host_patterns import Inventory
    from runner.load.vault import Vault as Vault  # re-exported: the CLI's annotations name it
    from runner.render.planning import PlannedHost
    from runner.report.adhoc_answers import AdhocRun as AdhocRun
    from runner.report.change import ChangeDoc
    from runner.report.console import LiveView as LiveView
    from runner.report.console import View as View
    from runner.report.document import HostDoc
    from runner.report.history import HostLogs as HostLogs
    from runner.report.history import RunDiff as RunDiff
    from runner.report.outcome import PastRun as PastRun
    from runner.report.reporters import Reporter
    from runner.report.run_folder import RunWriter
    from runner.report.run_list import PastRunLine as PastRunLine
    from runner.run import scheduler
    from runner.run.cluster import ClusterOptions as ClusterOptions
    from runner.run.confirm_after import Seen as Seen
    from runner.run.executor import Policy as Policy
    from runner.run.rollout import Amount
    from runner.run.runners import BatchRunner

log = logging.getLogger(__name__)

# Hosts worked on at once, unless told (--workers/--forks, run_job(workers=)).
DEFAULT_WORKERS = 20


@dataclass(frozen=True)
class Selection:
    job: Job
    inventory: Inventory
    hosts: tuple[Host, ...]
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    # --retry-failed: hosts left out because their last result is `unknown` (never "done")
    unknown: tuple[str, ...] = ()
    limit: str | None = None  # --limit as given, for the change record
    inventories: tuple[Path, ...] = ()  # the inventory files read, for the change record


@dataclass(frozen=True)
class TaskFilter:
    """Ansible's habits: --tags, --skip-tags, --start-at-task."""

    tags: tuple[str, ...] = ()
    skip_tags: tuple[str, ...] = ()
    start_at: str | None = None

    def apply(self, job: Job) -> Job:
        tasks = list(job.tasks)
        if self.start_at is not None:
            names = [t.name for t in tasks]
            if self.start_at not in names:
                raise SelectionError(
                    f"--start-at-task {self.start_at!r}: no such task in {job.path}; "
                    f"tasks: {', '.join(names)}"
                )
            tasks = tasks[names.index(self.start_at) :]
        if self.tags:
            tasks = [t for t in tasks if set(t.tags) & set(self.tags)]
        tasks = [t for t in tasks if not set(t.tags) & set(self.skip_tags)]
        if not tasks:
            raise SelectionError(
                f"no task of {job.path} is left after --tags/--skip-tags/--start-at-task"
            )
        return dataclasses.replace(job, tasks=tuple(tasks))


def load_inventories(paths: Path | Sequence[Path], vault: Vault | None = None) -> Inventory:
    """One or more inventories in netjob's, Nornir's or Ansible's format, merged."""
    from runner.load.inventories import load_any, merge_inventories

    if isinstance(paths, Path):  # one path: no merge needed
        return load_any(paths, vault)
    return merge_inventories([load_any(p, vault) for p in paths])


def refresh_inventory(on: bool = True) -> None:
    """--refresh-inventory: NetBox/Nautobot inventories are fetched anew in this process."""
    from runner.load.sot_spec import refresh

    refresh(on)


def select(
    job_path: Path,
    inventory_path: Path | Sequence[Path],
    limit: str | None = None,
    extra_vars: Iterable[str] = (),
    tasks: TaskFilter | None = None,
    vault: Vault | None = None,
) -> Selection:
    """Load the job and inventory and pick the hosts: the job's `hosts:` ∩ --limit."""
    from runner.load.job import load_job
    from runner.render.planning import refuse_unregistered

    whole = load_job(job_path)
    refuse_unregistered(whole)  # a misspelt name, whatever the task filter keeps
    job = (tasks or TaskFilter()).apply(whole)
    refuse_unregistered(job, whole)
    inventory = load_inventories(inventory_path, vault)
    extra = parse_extra_vars(extra_vars)
    hosts = inventory.select(job.hosts, limit)
    if not hosts:
        raise SelectionError(
            f"no host matches both the job's hosts '{job.hosts}' and --limit '{limit}'; "
            "see `netjob hosts`"
        )
    paths = (inventory_path,) if isinstance(inventory_path, Path) else tuple(inventory_path)
    return Selection(job, inventory, tuple(hosts), extra, limit=limit, inventories=paths)


def only_unfinished(
    selection: Selection,
    reports_dir: Path,
    on_note: Callable[[str], None] | None = None,
    include_unknown: bool = False,
) -> Selection:
    """For --retry-failed: only the hosts whose most recent attempt, across this job's runs,
    did not succeed (failed, skipped, never reached), and those no run has tried. A run cut
    short (no report.json) is read back from its host files; `on_note` hears about it."""
    from runner.report import history

    wanted = {h.name for h in selection.hosts}
    try:
        latest, short = history.latest_attempts(reports_dir, selection.job.path, wanted)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"--retry-failed: cannot read the runs of {selection.job.path}: {exc}"
        ) from None
    if not latest:
        raise InputError(
            f"--retry-failed: no earlier run of {selection.job.path} under {reports_dir}; "
            "run the job once without it"
        )
    for run in short:
        if on_note is not None:
            past = read_run(run)  # still running: none of the selected hosts is its
            why = past.running or f"was cut short: {past.stopped}"
            on_note(f"run {run}{':' if past.running else ''} {why}")
    # An `unknown` host may have been changed: running it again is a person's decision.
    done = ("ok", "changed") if include_unknown else ("ok", "changed", "unknown")
    unknown = [h.name for h in selection.hosts if latest.get(h.name) == "unknown"]
    if unknown and not include_unknown and on_note is not None:
        on_note(
            f"left out, their result never came back (from the cluster, or in flight when "
            f"the run was killed: they may or may not have been changed): {', '.join(unknown)}"
            "; look at the devices, then add --include-unknown to run them again"
        )
    hosts = tuple(h for h in selection.hosts if latest.get(h.name) not in done)
    left_out = () if include_unknown else tuple(unknown)
    return dataclasses.replace(selection, hosts=hosts, unknown=left_out)


def with_confirm(selection: Selection, given: str) -> Selection:
    """`--confirm 5m` (or per platform, `--confirm ios=1m,junos=1m,default=30s`): every
    config and template task without its own `confirm:` goes under the device's revert
    timer. Which platforms can, for how long, is checked when the job is expanded
    (runner.render.expansion.check_confirms), before anything connects."""
    from runner.base.models import TaskKind

    seconds, by_platform = _confirm_option(given)
    kinds = (TaskKind.CONFIG, TaskKind.TEMPLATE, TaskKind.REPLACE)  # (rollback: REPLACE)
    job = selection.job
    if not any(t.kind in kinds for t in job.tasks):
        raise InputError(f"--confirm {given}: {job.path} has no config or template task")
    tasks = tuple(
        dataclasses.replace(t, confirm=seconds, confirm_by_platform=by_platform)
        if t.kind in kinds and t.confirm is None and not t.confirm_by_platform
        else t
        for t in job.tasks
    )
    return dataclasses.replace(selection, job=dataclasses.replace(job, tasks=tasks))


def _confirm_option(given: str) -> tuple[float | None, dict[str, float]]:
    from runner.base import platform_names
    from runner.base.revert_timer import parse_duration

    def duration(text: str) -> float:
        seconds = parse_duration(text)
        if seconds is None:
            raise InputError(
                f"--confirm {given!r}: {text!r} is not a duration; write it as 5m, 90s or 1h "
                "(per platform: ios=1m,default=30s)"
            )
        return seconds

    if "=" not in given:
        return duration(given), {}
    by_platform: dict[str, float] = {}
    for part in given.split(","):
        name, _, text = (piece.strip() for piece in part.partition("="))
        key = name if name == platform_names.DEFAULT_KEY else platform_names.resolve(name)
        if key is None:
            raise InputError(f"--confirm {given!r}: {platform_names.refusal(name, ('default',))}")
        by_platform[key] = duration(text)
    return None, by_platform


def plan(selection: Selection) -> list[WorkItem]:
    """Render every step for every host; contact nothing."""
    from runner.device import capabilities
    from runner.render.expansion import expand

    return expand(selection.job, selection.hosts, selection.extra_vars, capable=capabilities)


def _policy() -> Policy:
    from runner.run.executor import Policy

    return Policy()


@dataclass(frozen=True)
class RunOptions:
    workers: int = DEFAULT_WORKERS
    reports_dir: Path = Path("reports")
    policy: Policy = field(default_factory=_policy)
    serial: Amount | None = None  # hosts per batch
    max_fail: Amount | None = None  # failures that stop the rollout before the next batch
    grace: float = 10.0  # seconds in-flight hosts get after Ctrl-C
    processes: int = 1  # worker processes; the workers are spread over them
    # A Dask cluster of pollers in place of this machine's threads (runner.run.cluster).
    cluster: ClusterOptions | None = None
    html: bool = True  # write report.html (a page to share) beside report.json
    # Mask secrets devices print (`secret 5 …`, `snmp-server community …`); credentials
    # and secret-looking variables are masked whatever this says.
    device_secrets_masked: bool = True
    change_id: str | None = None  # --change-id: the ticket the run's change record names
    command: tuple[str, ...] | None = None  # the command line, for the change record


def run(
    selection: Selection,
    options: RunOptions | None = None,
    prompt: Prompt | None = None,
    on_result: Callable[[HostResult], None] | None = None,
    connect: Connector | None = None,  # None: NetmikoConnection.open
    environ: Mapping[str, str] | None = None,
    interrupt: scheduler.Interrupt | None = None,
    on_progress: scheduler.OnProgress | None = None,
    reporters: Sequence[Reporter] = (),
    runner: BatchRunner | None = None,
) -> Report:
    """Render everything (a template error fails here, before any connection), then run
    batch after batch; hosts never started get a result saying why.

    Each host's result, the workers' news and the finished Report go to `reporters`
    (runner.report.reporters; `on_result`/`on_progress` are plain functions as one), after
    the run folder. `runner` is where batches run (runner.run.runners; None: the one the
    options ask for: threads, worker processes or a cluster)."""
    from runner.base.logs import LogFilter
    from runner.base.redact import Redactor
    from runner.device import capabilities, sshkeys
    from runner.load.credentials import resolve_credentials
    from runner.render.expansion import expand
    from runner.report import readback
    from runner.report.disk import ReportGuard
    from runner.report.reporters import Callbacks, FanOut, HtmlPage
    from runner.report.run_folder import RunWriter
    from runner.run import rollout, runners, scheduler
    from runner.run.executor import RunLimits

    options = options or RunOptions()
    if options.cluster is not None and any(t.confirm is not None for t in selection.job.tasks):
        raise InputError(
            "--confirm (or a task's confirm:) with --cluster: the pollers cannot keep the "
            "run folder's record of changes under revert timers; run it from this machine"
        )
    if options.cluster is not None:
        options = dataclasses.replace(
            options, cluster=_sealing(options.cluster, selection, environ)
        )
    runner = runner or runners.choose(
        workers=options.workers,
        processes=options.processes,
        grace=options.grace,
        connect=lambda: connect or _netmiko(),
        cluster=options.cluster,
        max_fail=options.max_fail,
    )
    fan_out = FanOut(
        [Callbacks(on_result, on_progress), *reporters, *([HtmlPage()] if options.html else [])]
    )
    # Where the pollers of a cluster run, they read credentials from their own environment.
    local = runner.local
    # A job of show steps only needs no enable mode: an unset secret_env is no error there.
    needs_enable = any(t.kind is not TaskKind.SHOW for t in selection.job.tasks)
    credentials = (
        resolve_credentials(selection.hosts, environ, prompt, needs_enable) if local else {}
    )
    if credentials:  # keys readable, bastions' secrets set: before anything connects
        sshkeys.preflight(selection.hosts, credentials, environ)
    items = expand(
        selection.job, selection.hosts, selection.extra_vars, credentials, capable=capabilities
    )
    runner.preflight(items, options.serial)
    secrets = _secrets(credentials.values()) + _secret_vars(selection)
    LogFilter.register(secrets)
    # The reports folder is checked before any device is contacted (exit 4 if it fails).
    guard = ReportGuard(options.reports_dir)

    def open_writer() -> RunWriter:
        opened = RunWriter(
            options.reports_dir,
            selection.job,
            Redactor(secrets, device_patterns=options.device_secrets_masked),
            {
                "inventory": str(selection.inventory.source),
                "inventory_snapshots": selection.inventory.snapshots,
                "workers": options.workers,
                "check": options.policy.dry_run,  # report.json's key for a dry run
                "change": _change_record(selection, options),
            },
        )
        # run.json names the run's hosts, so a run cut short can be read back.
        opened.begin([item.host.name for item in items], journal=runner.local)
        return opened

    writer = guard.open(open_writer)
    writer.platforms = {h.name: h.platform for h in selection.hosts}
    # `get:` writes under the run folder: the workers (threads, processes, pollers) learn it.
    policy = dataclasses.replace(
        options.policy, run_dir=writer.run_dir, started_log=writer.started_log
    )
    interrupt = interrupt or scheduler.Interrupt()
    stop = interrupt.stop

    def record(result: HostResult) -> None:
        result = readback.given_up(result, writer.run_dir)  # a change left under a timer
        fan_out.host_done(guard.host_done(writer, result, stop))  # a write error: no new hosts

    batch = runners.Batch(
        policy=policy,
        # The run's login gate and watchdog, for its threads here (worker processes and
        # pollers make their own).
        limits=RunLimits.start(policy),
        gate=runners.FailureGate(options.max_fail if options.serial is None else None, len(items)),
        record=record,
        interrupt=interrupt,
        on_progress=fan_out.progress if fan_out.wants_progress else None,
    )
    parts = rollout.batches(items, options.serial)
    failed = ran = 0
    stopped: str | None = None
    with _signals_to(interrupt):
        for number, part in enumerate(parts, 1):
            if runner(part, batch):
                stopped = "interrupted"
                break
            ran += len(part)
            failed = sum(1 for r in writer.results.values() if r.failed)
            if number < len(parts) and rollout.over(options.max_fail, failed, ran):
                stopped = (
                    f"stopped after batch {number} of {len(parts)}: {failed} of {ran} "
                    f"hosts failed, over --max-fail {options.max_fail}"
                )
                break
    stopped = stopped or batch.gate.reason
    if guard.error is not None:
        stopped = guard.reason
    for item in items:
        if item.host.name not in writer.results:
            if stopped == "interrupted":
                record(scheduler.skipped_by_interrupt(item.host.name))
            else:
                record(scheduler.not_run(item.host.name, f"not run: {stopped}"))
    report = guard.finish(writer, interrupted=stopped == "interrupted", stopped=stopped)
    if guard.error is None:
        fan_out.run_done(report)
    guard.raise_if_failed(writer)
    return report


def after_run(
    folder: Path,
    inventory: Sequence[Path],
    limit: str | None = None,
    vault: Vault | None = None,
    verify_only: bool = False,
    environ: Mapping[str, str] | None = None,
    connect: Connector | None = None,
) -> list[Seen]:
    """`netjob confirm RUN` / `netjob verify RUN`: the run's changes under revert timers
    (its confirm/ records), confirmed or looked at from a fresh login each."""
    from runner.base.models import Credentials
    from runner.base.pending_confirm import read_all
    from runner.load.credentials import resolve_credentials
    from runner.run import confirm_after

    recorded = {change.host for change in read_all(folder)}
    if not recorded:
        raise InputError(
            f"{folder}: no change of this run went under a revert timer (it has no confirm/ "
            "records); only a run with --confirm (or a task's confirm:) has"
        )
    hosts = [
        h for h in load_inventories(inventory, vault).select("all", limit) if h.name in recorded
    ]
    unknown = sorted(recorded - {h.name for h in hosts})
    if unknown and limit is None:
        raise SelectionError(
            f"{folder}: host(s) {', '.join(unknown)} of the run are not in the inventory; "
            "give the inventory the run used (-i)"
        )
    if not hosts:
        raise SelectionError(f"--limit '{limit}' selects no host with a change in {folder}")
    credentials = resolve_credentials(hosts, environ, None)
    items = [WorkItem(h, (), credentials.get(h.name, Credentials(h.username))) for h in hosts]
    act = confirm_after.verify if verify_only else confirm_after.confirm_pending
    return act(folder, items, connect or _netmiko())


def _change_record(selection: Selection, options: RunOptions) -> ChangeDoc:
    from runner.report.provenance import gather

    return gather(
        job=selection.job.path,
        hosts=selection.job.hosts,
        inventories=selection.inventories,
        limit=selection.limit,
        extra_vars=selection.extra_vars,
        change_id=options.change_id,
        command=options.command,
    )


def _netmiko() -> Connector:
    from runner.device.connection import NetmikoConnection

    return NetmikoConnection.open


def processes_for_this_machine() -> int:
    """The CLI's default for --processes: one per CPU this process may run on (a
    container's share, not the host's count), at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


@contextlib.contextmanager
def _signals_to(interrupt: scheduler.Interrupt) -> Iterator[None]:
    """While hosts run, Ctrl-C and SIGTERM become events, so nothing collected is lost.
    Only the main thread may install handlers; elsewhere (an embedding app) skip it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        sig: signal.signal(sig, interrupt.signal) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _secret_vars(selection: Selection) -> list[str]:
    from runner.base.redact import secret_values

    found = set(secret_values(dict(selection.extra_vars)) + secret_values(dict(selection.job.vars)))
    for host in selection.hosts:
        found.update(secret_values(dict(host.vars)))
    # Very short values ("15") would mask harmless text everywhere; credentials have no floor.
    return sorted(v for v in found if len(v) >= 4)


def _sealing(
    cluster: ClusterOptions, selection: Selection, environ: Mapping[str, str] | None
) -> ClusterOptions:
    """The cluster options with what seals the job's secrets for the pollers: the run's
    secret-looking variables and $NETJOB_CLUSTER_KEY (runner.run.sealing)."""
    from runner.run import sealing

    env = os.environ if environ is None else environ
    return dataclasses.replace(
        cluster,
        secrets=sealing.job_secrets(selection.extra_vars, selection.job.vars),
        key=env.get(sealing.KEY_ENV) or None,
    )


def _secrets(credentials: Iterable[Any]) -> list[str]:
    return [s for c in credentials for s in (c.password, c.secret, c.passphrase) if s]


def run_job(
    job: str | Path,
    inventory: str | Path | Sequence[str | Path] = "inventory.yaml",
    limit: str | None = None,
    extra_vars: Sequence[str] = (),
    workers: int = DEFAULT_WORKERS,
    reports_dir: str | Path = "reports",
    processes: int = 1,
    cluster: str | ClusterOptions | None = None,
    confirm: str | None = None,
    **kwargs: Any,
) -> Report:
    """The Python API: run a job file and return its Report (see the README); `confirm`
    ("5m") is `--confirm`."""
    paths = (
        [Path(inventory)] if isinstance(inventory, (str, Path)) else [Path(p) for p in inventory]
    )
    from runner.run.cluster import ClusterOptions

    selection = select(Path(job), paths, limit, extra_vars)
    if confirm is not None:
        selection = with_confirm(selection, confirm)
    pollers = ClusterOptions(cluster) if isinstance(cluster, str) else cluster
    options = RunOptions(
        workers=workers, reports_dir=Path(reports_dir), processes=processes, cluster=pollers
    )
    return run(selection, options, **kwargs)


# The CLI's facade: `netjob` parses, calls these, prints, exits. The report room's console
# (rich's tables and live bar), history, netmiko and Dask are imported inside each function,
# when a command needs them: `--help`, `--version`, `hosts` and `plan` start fast.


def log_to_stderr(verbose: bool) -> None:
    """The log on stderr, secrets masked: everything at DEBUG if `verbose`, else CRITICAL."""
    from runner.base.logs import log_to_stderr as to_stderr

    to_stderr(verbose)


def vault_from_file(path: Path) -> Vault:
    """--vault-password-file: the password in the file (an executable file: its output)."""
    from runner.load.vault import Vault

    return Vault.from_file(path)


def vault_from_password(password: str) -> Vault:
    """--ask-vault-pass: the password typed."""
    from runner.load.vault import Vault

    return Vault(password)


def parse_extra_vars(given: Iterable[str]) -> dict[str, Any]:
    """-e/--extra-vars, as runner.load.extra_vars reads them."""
    from runner.load.extra_vars import parse_extra_vars as parse

    return parse(given)


def console_view(
    console: Console,
    verbose: bool = False,
    quiet: bool = False,
    diff: bool = False,
) -> View:
    """What a person sees: hosts as they finish, summaries, plans, listings, outputs."""
    from runner.report.console import View

    return View(console, verbose=verbose, quiet=quiet, diff=diff)


def live_view(view: View, total: int) -> LiveView:
    """The live bar over `total` hosts, for a terminal (a context manager)."""
    from runner.report.console import LiveView

    return LiveView(view, total)


def host_view(host: Host) -> dict[str, object]:
    """A host as `netjob hosts --output json/yaml` shows it: secrets only by their source."""
    from runner.report.console import host_view as view_of

    return view_of(host)


def masked_hosts(hosts: Iterable[Host]) -> list[Host]:
    """The hosts with the values of secret-looking variables masked (`netjob hosts`)."""
    from runner.base.redact import mask_secret_vars

    return [dataclasses.replace(h, vars=mask_secret_vars(h.vars)) for h in hosts]


def decide(items: Sequence[WorkItem]) -> list[PlannedHost]:
    """The plan as `netjob plan` shows it: each `when:` that reads no device output decided
    now, as the run decides it (skipped, with the reason, or rendered)."""
    from runner.render.planning import decide as decided

    return decided(items)


def masked_plan(items: list[PlannedHost], selection: Selection) -> list[PlannedHost]:
    """The plan with the values of secret-looking variables (and secrets the commands
    spell out, `enable secret 0 ...`) masked, as every log and report masks them."""
    from runner.base.redact import Redactor, secret_values

    found = secret_values(dict(selection.extra_vars)) + secret_values(dict(selection.job.vars))
    for host in selection.hosts:
        found += secret_values(dict(host.vars))
    text = Redactor(found).text
    return [
        dataclasses.replace(
            item,
            steps=tuple(
                dataclasses.replace(
                    planned,
                    why=text(planned.why),
                    step=dataclasses.replace(
                        planned.step,
                        task=text(planned.step.task),
                        commands=tuple(text(c) for c in planned.step.commands),
                        sources=tuple(text(s) for s in planned.step.sources),
                        checks=tuple(c.render(text) for c in planned.step.checks),
                    ),
                )
                for planned in item.steps
            ),
        )
        for item in items
    ]


def inventory_as_netjob_yaml(paths: Sequence[Path], vault: Vault | None = None) -> str:
    """`netjob inventory convert`: the inventories, merged, in netjob's own format."""
    from runner.load.inventories import to_netjob_yaml

    return to_netjob_yaml(load_inventories(paths, vault))


def write_private(path: Path, text: str) -> None:
    """A new owner-only (0600) file, never written through a symbolic link."""
    from runner.base.safe_files import write_private as write

    write(path, text)


def platform_table() -> str:
    """What netjob does on each platform it knows, in Markdown (the README's table)."""
    from runner.base.platforms import support_table

    return support_table()


def platform_rows() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The same table as its header and rows, for a terminal."""
    from runner.base.platforms import SUPPORT_HEADER, support_rows

    return SUPPORT_HEADER, support_rows()


def with_ssh_options(
    selection: Selection, private_key: str | None, ssh_config: str | None
) -> Selection:
    """--private-key and --ssh-config, for the hosts whose inventory sets none."""
    from runner.load.ssh_options import with_cli

    return dataclasses.replace(selection, hosts=with_cli(selection.hosts, private_key, ssh_config))


def parse_amount(text: str, option: str) -> Amount:
    """--serial / --max-fail: N hosts or N% of them."""
    from runner.run.rollout import Amount

    return Amount.parse(text, option)


def policy(
    dry_run: bool = False,
    host_timeout: float | None = None,
    retries: int | None = None,
    max_logins: int | None = None,
) -> Policy:
    """How each host is run (imports netmiko): the executor's defaults where None."""
    from runner.run.executor import Policy

    given: dict[str, Any] = {
        "host_timeout": host_timeout,
        "retries": retries,
        "max_logins": max_logins,
    }
    return Policy(dry_run=dry_run, **{k: v for k, v in given.items() if v is not None})


def new_interrupt(listener: Callable[[], None]) -> scheduler.Interrupt:
    """Ctrl-C / SIGTERM for a run (`run(interrupt=)`); `listener` hears the first at once."""
    from runner.run.scheduler import Interrupt

    interrupt = Interrupt()
    interrupt.listeners.append(listener)
    return interrupt


def cluster_options(address: str | None, insecure: bool) -> ClusterOptions | None:
    """--cluster and --insecure (imports netmiko): None without an address."""
    from runner.run.cluster import ClusterOptions

    return ClusterOptions(address, insecure=insecure) if address else None


def dask_install_hint() -> str:
    """How to install what `netjob cluster` needs (imports netmiko)."""
    from runner.run.cluster import INSTALL

    return INSTALL


def adhoc_job(
    commands: Sequence[str],
    config: Sequence[str] = (),
    per_platform: Sequence[str] = (),
    hosts: Sequence[Host] = (),
) -> Job:
    """`netjob cmd`: the commands, config lines and `--for` commands as a job in memory,
    refused if one of `hosts` would get no command."""
    from runner.load.adhoc import adhoc_job as job_of
    from runner.load.adhoc import refuse_uncovered

    job = job_of(commands, config, per_platform)
    refuse_uncovered(job, hosts)
    return job


def adhoc_answers(run_dir: Path) -> AdhocRun:
    """What each host of an ad-hoc run answered, read back from its run folder."""
    from runner.report.adhoc_answers import read_run as read

    return read(run_dir)


def find_run(target: str | None, reports_dir: Path) -> Path:
    """A run folder from what a person typed: nothing (the newest run), a run folder, a
    job file (its latest run) or a run id."""
    from runner.report.history import resolve_run

    return resolve_run(target, reports_dir)


def read_run(run_dir: Path) -> PastRun:
    """A past run: its report.json (read back, for a run cut short) and its exit code."""
    from runner.report.history import cut_short, report_data
    from runner.report.outcome import PastRun

    return PastRun(run_dir, report_data(run_dir), cut_short(run_dir))


def exit_code(data: Mapping[str, Any]) -> ExitCode:
    """A run's exit code, from its report.json (see the README's table)."""
    from runner.report.outcome import exit_code as code_of

    return code_of(data)


def host_outputs(run_dir: Path, pattern: str | None = None) -> dict[str, HostDoc]:
    """Each host's data with its outputs, for the hosts of a past run that match a host
    pattern as --limit takes it (all of them by default), in natural order."""
    from runner.report.history import hosts_data

    return hosts_data(run_dir, pattern)


def host_logs(run_dir: Path, pattern: str) -> HostLogs:
    """`netjob show`: the matching hosts' logs, the tasks they ran, and whether the run was
    a dry run."""
    from runner.report.history import host_logs as logs

    return logs(run_dir, pattern)


def run_history(reports_dir: Path, job: Path | None = None) -> list[PastRunLine]:
    """`netjob history`: the past runs (of `job`, or of every job), newest first."""
    from runner.report.run_list import past_runs

    return past_runs(reports_dir, job)


def history_text(lines: list[PastRunLine]) -> str:
    from runner.report.run_list import history_text as text

    return text(lines)


def diff_runs(job: Path, chosen: Sequence[str], reports_dir: Path) -> RunDiff:
    """`netjob diff`: the drift between two runs of a job (the last two, or those named)."""
    from runner.report.history import compare

    return compare(reports_dir, job, list(chosen))


def run_inventories(run_dir: Path) -> list[Path]:
    """The inventories a run read, as its change record has them (report.json, or run.json
    for a run cut short); none when it recorded none."""
    for name in ("report.json", "run.json"):
        try:
            document = json.loads((run_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        change = document.get("change") if isinstance(document, dict) else None
        if isinstance(change, dict):
            return [_same_inventory(i, run_dir) for i in change.get("inventories") or ()]
    return []


def _same_inventory(recorded: Any, run_dir: Path) -> Path:
    """A path the run recorded, as long as the file there is the one it read (a relative
    path read from another folder may be another file of the same name)."""
    from runner.report.provenance import sha256_of

    file = recorded.get("file") if isinstance(recorded, dict) else None
    if not isinstance(file, str):
        raise InputError(f"run {run_dir.name}: its change record names no inventory file")
    path, wanted = Path(file), recorded.get("sha256")
    if wanted and sha256_of(path) != wanted:
        raise InputError(
            f"run {run_dir.name} read the inventory {file} (sha256 {str(wanted)[:12]}), and "
            f"{path} here is not that file: pass the run's inventory with -i"
        )
    return path


def rollback_selection(
    run_dir: Path, inventory_paths: Sequence[Path], limit: str | None, vault: Vault | None = None
) -> tuple[Selection, list[str]]:
    """`netjob rollback RUN`: the hosts of the inventory (∩ --limit) RUN kept a config
    for, under a job that puts each one back (runner.run.rollback); and the names of the
    hosts it kept none for."""
    from runner.run.rollback import kept_hosts, rollback_job

    inventory = load_inventories(list(inventory_paths), vault)
    chosen, without = kept_hosts(run_dir, inventory.select(limit))
    if not chosen:
        raise SelectionError(
            f"run {run_dir.name} kept no running config of a host matching --limit '{limit}'"
        )
    paths = tuple(inventory_paths)
    job = rollback_job(run_dir)
    return Selection(job, inventory, tuple(chosen), limit=limit, inventories=paths), without
