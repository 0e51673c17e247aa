"""Wiring: load → select → render → run → report. The one entry point the CLI and the API
call for a run; everything else the CLI needs is on each room's face (runner.load,
runner.render, runner.run, runner.report, runner.base)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base.errors import SelectionError
from runner.base.models import DEFAULT_WORKERS, HostResult, Report, TaskKind, WorkItem
from runner.load.selection import Selection as Selection  # what select() returns
from runner.load.selection import TaskFilter as TaskFilter

# Everything else is imported where it is used: netmiko and Dask only when hosts run,
# Jinja2 only when a job is rendered, so `--help`, `hosts` and `report` start fast (issue 13).
if TYPE_CHECKING:
    from runner.device.connection import Connector
    from runner.load.credentials import Prompt
    from runner.load.vault import Vault
    from runner.report.recording import Recording
    from runner.report.reporters import Reporter
    from runner.run.cluster import ClusterOptions
    from runner.run.executor import Policy
    from runner.run.rollout import Amount
    from runner.run.runners import BatchRunner
    from runner.run.scheduler import Interrupt, OnProgress


def select(
    job_path: Path,
    inventory_path: Path | Sequence[Path],
    limit: str | None = None,
    extra_vars: Iterable[str] = (),
    tasks: TaskFilter | None = None,
    vault: Vault | None = None,
) -> Selection:
    """Load the job and inventory and pick the hosts: the job's `hosts:` ∩ --limit."""
    from runner.load.extra_vars import parse_extra_vars
    from runner.load.inventories import load_inventories
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
    interrupt: Interrupt | None = None,
    on_progress: OnProgress | None = None,
    reporters: Sequence[Reporter] = (),
    runner: BatchRunner | None = None,
) -> Report:
    """Render everything (a template error fails here, before any connection), then run
    batch after batch; hosts never started get a result saying why.

    Each host's result, the workers' news and the finished Report go to `reporters`
    (runner.report.reporters; `on_result`/`on_progress` are plain functions as one), after
    the run folder. `runner` is where batches run (runner.run.runners; None: the one the
    options ask for: threads, worker processes or a cluster)."""
    from runner.base.redact import Redactor
    from runner.report.recording import open_run
    from runner.report.reporters import Callbacks, HtmlPage
    from runner.run import runners, sealing
    from runner.run.scheduler import Interrupt

    options = options or RunOptions()
    if options.cluster is not None:
        cluster = sealing.for_cluster(options.cluster, selection, environ)
        options = dataclasses.replace(options, cluster=cluster)
    runner = runner or runners.choose(
        workers=options.workers,
        processes=options.processes,
        grace=options.grace,
        connect=None if connect is None else lambda: connect,
        cluster=options.cluster,
        max_fail=options.max_fail,
    )
    items, secrets = _render(selection, runner.local, environ, prompt)
    runner.preflight(items, options.serial)
    interrupt = interrupt or Interrupt()
    recording = open_run(
        options.reports_dir,
        selection,
        items,
        Redactor(secrets, device_patterns=options.device_secrets_masked),
        [Callbacks(on_result, on_progress), *reporters, *([HtmlPage()] if options.html else [])],
        interrupt.stop,
        workers=options.workers,
        dry_run=options.policy.dry_run,
        change_id=options.change_id,
        command=options.command,
        journal=runner.local,
    )
    return recording.finish(items, _run_batches(runner, items, options, recording, interrupt))


def _run_batches(
    runner: BatchRunner,
    items: list[WorkItem],
    options: RunOptions,
    recording: Recording,
    interrupt: Interrupt,
) -> str | None:
    """Batch after batch on `runner`, Ctrl-C and SIGTERM as events meanwhile: why the run
    stopped early, or None."""
    from runner.run import runners
    from runner.run.executor import RunLimits
    from runner.run.scheduler import signals_to

    # `get:` writes under the run folder: the workers (threads, processes, pollers) learn it.
    writer, fan_out = recording.writer, recording.fan_out
    policy = dataclasses.replace(
        options.policy, run_dir=writer.run_dir, started_log=writer.started_log
    )
    batch = runners.Batch(
        policy=policy,
        # The run's login gate and watchdog, for its threads here (worker processes and
        # pollers make their own).
        limits=RunLimits.start(policy),
        gate=runners.FailureGate(options.max_fail if options.serial is None else None, len(items)),
        record=recording.record,
        interrupt=interrupt,
        on_progress=fan_out.progress if fan_out.wants_progress else None,
    )
    with signals_to(interrupt):
        return runners.run_batches(
            runner, items, batch, options.serial, options.max_fail, recording.failed
        )


def _render(
    selection: Selection,
    local: bool,
    environ: Mapping[str, str] | None,
    prompt: Prompt | None,
) -> tuple[list[WorkItem], list[str]]:
    """The credentials (the pollers of a cluster read their own), then every step for
    every host; and the secrets to mask, registered with the log."""
    from runner.base.logs import LogFilter
    from runner.device import capabilities, sshkeys
    from runner.load.credentials import resolve_credentials
    from runner.render.expansion import expand

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
    found = [s for c in credentials.values() for s in (c.password, c.secret, c.passphrase) if s]
    # Very short values ("15") would mask harmless text everywhere; credentials have no floor.
    secrets = found + [v for v in selection.secret_vars() if len(v) >= 4]
    LogFilter.register(secrets)
    return items, secrets


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
    from runner.load.selection import with_confirm
    from runner.run.cluster import ClusterOptions

    paths = (
        [Path(inventory)] if isinstance(inventory, (str, Path)) else [Path(p) for p in inventory]
    )
    selection = select(Path(job), paths, limit, extra_vars)
    if confirm is not None:
        selection = with_confirm(selection, confirm)
    pollers = ClusterOptions(cluster) if isinstance(cluster, str) else cluster
    options = RunOptions(
        workers=workers, reports_dir=Path(reports_dir), processes=processes, cluster=pollers
    )
    return run(selection, options, **kwargs)
