"""What runs on a Dask cluster for netjob: the claim kept by the scheduler, and one host's
work on a poller (a Dask worker). runner.run.cluster, on the machine that ran `netjob run`,
submits `run_host` once per host.

At most once per host and run for anything that changes a device: Dask is at-least-once
(a task whose worker dies, retires or misses its heartbeat runs again elsewhere), so a
config host first claims (run, host) on the scheduler. `claim` runs on the scheduler's
event loop (`run_on_scheduler`), one call at a time, so exactly one attempt ever gets a
claim; any later attempt reports `unknown` without touching the device. Read-only hosts
claim nothing and may run again.

No secret travels in a task (task arguments live on the scheduler and are logged when a
task fails): the WorkItem carries the names `password_env` / `secret_env`, and the poller
reads the values from its own environment; the secrets the job rendered come sealed, and
the poller opens them with its own $NETJOB_CLUSTER_KEY (runner.run.sealing). What it
returns is masked with all of them before it leaves the poller, so no result the cluster
holds has them either.

The scheduler unpickles `claim` by reference: netjob must be installed there too.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from runner.base.errors import FailureClass, InputError, Remedy, advice
from runner.base.logs import LogFilter
from runner.base.models import Credentials, Host, HostResult, Status, WorkItem
from runner.base.redact import Redactor
from runner.base.watchdog import Watchdog
from runner.device.connection import NetmikoConnection
from runner.run.executor import Policy, RunLimits, execute
from runner.run.sealing import KEY_ENV, map_strings, secrets_of, unseal

log = logging.getLogger(__name__)

_CLAIMS = "_netjob_claims"  # the scheduler's attribute: {run: {host: poller}}


def claim(run: str, host: str, poller: str, dask_scheduler: Any = None) -> str | None:
    """On the scheduler: claim (run, host) for `poller`. None when this call got the claim,
    else the poller that holds it. Atomic: the event loop runs one such call at a time."""
    runs: dict[str, dict[str, str]] = dask_scheduler.__dict__.setdefault(_CLAIMS, {})
    hosts = runs.setdefault(run, {})
    previous = hosts.get(host)
    if previous is None:
        hosts[host] = poller
    return previous


def claims(run: str, dask_scheduler: Any = None) -> dict[str, str]:
    """On the scheduler: the hosts of `run` claimed so far, and by which poller."""
    return dict(dask_scheduler.__dict__.get(_CLAIMS, {}).get(run, {}))


def forget(run: str, dask_scheduler: Any = None) -> None:
    """On the scheduler: the run is over; its claims go (a run id is never used again)."""
    dask_scheduler.__dict__.get(_CLAIMS, {}).pop(run, None)


def topic(run: str) -> str:
    """The event topic a run's pollers report progress on (host and task names only)."""
    return f"netjob-{run}"


def run_host(
    run: str,
    item: WorkItem,
    policy: Policy,
    exclusive: bool,
    progress: bool,
    box: bytes | None = None,
) -> HostResult:
    """One host on this poller. Never raises: a raised task's arguments and traceback
    would be logged by Dask, and a host must always get a result."""
    from distributed import get_client, get_worker

    worker = get_worker()
    poller = worker.name if isinstance(worker.name, str) else worker.address
    name = item.host.name
    try:
        if exclusive:
            client = get_client()
            holder = client.run_on_scheduler(claim, run, name, poller)
            if holder is not None:
                return _unknown(name, holder, poller)
        if progress:
            worker.log_event(topic(run), [name, None])
        item = unseal(item, box, os.environ.get(KEY_ENV), poller)
        credentials = _credentials(item.host, poller)
        secrets = [s for s in (credentials.password, credentials.secret) if s]
        secrets += secrets_of(item) if box is not None else []
        _mask_logs(secrets)
        redactor = Redactor(secrets, False)
        notify = _notifier(worker, run, redactor) if progress else None
        result = execute(
            dataclasses.replace(item, credentials=credentials),
            connect=NetmikoConnection.open,
            policy=_files_here(policy),
            notify=notify,
            limits=_limits(policy, run, item.host.site),
        )
        masked = map_strings(result, redactor.text)
        return dataclasses.replace(masked, poller=poller)
    except InputError as exc:
        return failed(name, FailureClass.AUTH_FAILED, str(exc), poller)
    except BaseException as exc:  # a bug must become this host's result, not a lost host
        log.debug("internal error on %s", name, exc_info=True)
        why = f"internal error on poller {poller}: {type(exc).__name__}: {exc}"
        return failed(name, FailureClass.INTERNAL_ERROR, why, poller)


def _credentials(host: Host, poller: str) -> Credentials:
    """The host's credentials from this poller's environment, by the names the inventory
    gives (the values on the machine that ran `netjob run` never leave it)."""
    values: dict[str, str | None] = {}
    for kind, env in (("password", host.password_env), ("secret", host.secret_env)):
        values[kind] = os.environ.get(env) if env else None
        if env and not values[kind]:
            raise InputError(
                f"poller {poller}: ${env} ({kind}_env of host {host.name}) is not set; set "
                "it in the poller's environment, then restart its worker"
            )
    return Credentials(host.username, values["password"], values["secret"])


_filtered: set[int] = set()
_filter_lock = threading.Lock()


def _mask_logs(secrets: list[str]) -> None:
    """The worker's own log handlers (Dask's, which `get_worker_logs` reads) mask this
    poller's credentials, as netjob's do on a local run."""
    LogFilter.register(secrets)  # a set's difference: what it knows costs nothing again
    with _filter_lock:
        for handler in [*logging.getLogger().handlers, *logging.getLogger("distributed").handlers]:
            if id(handler) not in _filtered:
                handler.addFilter(LogFilter())
                _filtered.add(id(handler))


def _files_here(policy: Policy) -> Policy:
    """`get:` writes on this poller, not on the machine that ran `netjob run`: its run
    folder here is netjob-runs/<job>/<run-id> under the poller's working folder, or under
    $NETJOB_POLLER_DIR (files/<host>/<name> in it, as the note says)."""
    if policy.run_dir is None:
        return policy
    base = Path(os.environ.get("NETJOB_POLLER_DIR") or ".")
    here = base / "netjob-runs" / policy.run_dir.parent.name / policy.run_dir.name
    # The journal of started hosts is the client's, on its disk: none is kept here.
    return dataclasses.replace(policy, run_dir=here, started_log=None)


_gates: dict[tuple[str, str | None], Any] = {}
# One watchdog thread per poller process, for every run and host: one per task would
# start a thread that never ends (a thousand hosts: a thousand threads).
_WATCHDOG = Watchdog()


def _limits(policy: Policy, run: str, site: str | None) -> RunLimits:
    """--max-logins per site and cluster-wide: a distributed.Semaphore per (run, site)
    held by the scheduler, in place of a per-process gate; and this poller's watchdog."""
    from distributed import Semaphore

    with _filter_lock:
        gate = _gates.get((run, site))
        if gate is None:
            name = f"netjob-{run}-logins-{site}"
            gate = Semaphore(max_leases=policy.max_logins, name=name)
            _gates[(run, site)] = gate
    return RunLimits(gate, _WATCHDOG)


def _notifier(worker: Any, run: str, redactor: Redactor) -> Any:
    """Progress events go through the scheduler, which keeps them: a task's name, which may
    quote a line or a loop's item, is masked as the result is."""

    def notify(host: str, task: str, done: int | None = None, total: int | None = None) -> None:
        task = redactor.text(task)
        worker.log_event(topic(run), [host, task] if done is None else [host, task, done, total])

    return notify


def _unknown(host: str, holder: str, poller: str) -> HostResult:
    why = (
        f"claimed by poller {holder}, whose result never came back (this is a later attempt, "
        "on "
        f"{poller}, which did not touch the device): it may or may not have been changed; "
        + advice("look at the device", (Remedy.RETRY_UNKNOWN,))
    )
    return failed(host, FailureClass.UNKNOWN, why, poller)


def failed(host: str, failure: FailureClass, why: str, poller: str | None = None) -> HostResult:
    """A host that failed before any step ran, on a poller or (poller None) on the scheduler's
    side of a cluster run."""
    return HostResult(
        host=host,
        status=Status.FAILED,
        steps=(),
        failure=failure,
        error=why,
        started=time.time(),
        poller=poller,
    )
