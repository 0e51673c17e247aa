"""Wiring: load → expand → run → report. The one entry point the CLI and the API call."""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner import scheduler
from runner.connection import Connector, NetmikoConnection
from runner.errors import InputError, SelectionError
from runner.executor import execute
from runner.inventory import Inventory, Prompt, load_inventory, resolve_credentials
from runner.models import Host, HostResult, Job, Report, WorkItem
from runner.playbook import load_job
from runner.redact import Redactor
from runner.reporter import RunWriter
from runner.schema import At, mapping
from runner.yamlio import load_yaml


@dataclass(frozen=True)
class Selection:
    job: Job
    inventory: Inventory
    hosts: tuple[Host, ...]
    extra_vars: Mapping[str, Any] = field(default_factory=dict)


def parse_extra_vars(values: Iterable[str]) -> dict[str, Any]:
    """`-e key=value` (a string) and `-e @vars.yaml` (a mapping); later ones win."""
    result: dict[str, Any] = {}
    for value in values:
        if value.startswith("@"):
            path = Path(value[1:])
            result.update(mapping(load_yaml(path), At(path, "")))
        elif "=" in value and value.split("=", 1)[0].strip().isidentifier():
            key, _, text = value.partition("=")
            result[key.strip()] = text
        else:
            raise InputError(f"-e {value!r}: expected key=value or @file.yaml")
    return result


def select(
    job_path: Path, inventory_path: Path, limit: str | None = None, extra_vars: Iterable[str] = ()
) -> Selection:
    """Load the job and inventory and pick the hosts: the job's `hosts:` ∩ --limit."""
    job = load_job(job_path)
    inventory = load_inventory(inventory_path)
    extra = parse_extra_vars(extra_vars)
    hosts = inventory.select(job.hosts, limit)
    if not hosts:
        raise SelectionError(
            f"no host matches both the job's hosts '{job.hosts}' and --limit '{limit}'; "
            "see `netjob hosts`"
        )
    return Selection(job, inventory, tuple(hosts), extra)


def plan(selection: Selection) -> list[WorkItem]:
    """Render every step for every host; contact nothing."""
    return scheduler.expand(selection.job, selection.hosts, selection.extra_vars)


def run(
    selection: Selection,
    workers: int = scheduler.DEFAULT_WORKERS,
    reports_dir: Path = Path("reports"),
    prompt: Prompt | None = None,
    on_result: Callable[[HostResult], None] | None = None,
    connect: Connector = NetmikoConnection.open,
    environ: Mapping[str, str] | None = None,
    interrupt: scheduler.Interrupt | None = None,
) -> Report:
    """Render everything (a template error fails here, before any connection), then run."""
    credentials = resolve_credentials(selection.hosts, environ, prompt)
    items = scheduler.expand(selection.job, selection.hosts, selection.extra_vars, credentials)
    redactor = Redactor(_secrets(credentials.values()))
    writer = RunWriter(
        reports_dir,
        selection.job,
        redactor,
        {"inventory": str(selection.inventory.source), "workers": workers},
    )

    def record(result: HostResult) -> None:
        summary = writer.host_done(result)
        if on_result is not None:
            on_result(summary)

    interrupt = interrupt or scheduler.Interrupt()
    with _signals_to(interrupt):
        stopped = scheduler.run(
            items,
            functools.partial(execute, connect=connect),
            workers,
            record,
            interrupt=interrupt,
        )
    return writer.finish(interrupted=stopped)


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


def _secrets(credentials: Iterable[Any]) -> list[str]:
    return [s for c in credentials for s in (c.password, c.secret) if s]


def run_job(
    job: str | Path,
    inventory: str | Path = "inventory.yaml",
    limit: str | None = None,
    extra_vars: Sequence[str] = (),
    workers: int = scheduler.DEFAULT_WORKERS,
    reports_dir: str | Path = "reports",
    **kwargs: Any,
) -> Report:
    """The Python API: run a job file and return its Report (see the README)."""
    selection = select(Path(job), Path(inventory), limit, extra_vars)
    return run(selection, workers, Path(reports_dir), **kwargs)
