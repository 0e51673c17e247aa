"""The cluster executor: WorkItems run on a Dask distributed cluster of pollers, with the
contract of scheduler.run and procs.run_sharded (every host gets exactly one HostResult,
delivered through `on_result` in the calling thread, so the one reporter needs no locks).

- Each host is one task (runner.run.poller.run_host), pinned to pollers that advertise its
  site as a resource (`dask worker --resources site_ams=32`); a host without a site goes
  to any poller. At most `workers` hosts per site are submitted at a time: Dask hands
  resource-restricted tasks to workers up front, so a crash touches few hosts.
- Config hosts are claimed on the scheduler before their session opens (runner.run.poller):
  Dask may run a task again, netjob never pushes twice. A task lost after its claim (its
  poller died, retired, or the scheduler went away) is `unknown`, never resubmitted; one
  lost before any claim is safe to run elsewhere, and is.
- A site that no poller serves for `no_poller_wait` seconds fails its hosts `no_poller`.
- No secret is in any task: credentials come from each poller's environment, and the
  secret values a job renders travel sealed (runner.run.sealing); plain TCP is refused
  unless `insecure` (anyone who reaches the scheduler can run code on the pollers);
  versions must match everywhere.

`distributed` is imported only here and in runner.run.poller, and only when a run uses a
cluster: netjob without the `dask` extra works as before.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import queue
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from runner.base.errors import ClusterError, FailureClass, Remedy, advice
from runner.base.models import Credentials, HostResult, RunProgress, TaskKind, WorkItem
from runner.run import poller, scheduler, sealing
from runner.run.executor import Policy

log = logging.getLogger(__name__)

DASK_INSTALL = "pip install 'netjob[dask]'"
_CHECKED = ("python", "dask", "distributed", "cloudpickle", "msgpack", "tornado", "netjob")
_ATTEMPTS = 3  # submissions of a host that no attempt has claimed (a poller died first)


@dataclass(frozen=True)
class ClusterOptions:
    address: str  # tls://HOST:8786 (tcp:// only with insecure)
    insecure: bool = False
    security: Any = field(default=None, repr=False)  # a distributed Security; None: dask config
    no_poller_wait: float = 30.0  # seconds a site may have no poller before its hosts fail
    connect_timeout: float = 15.0
    # The run's secret-looking variables, and the key that seals them (runner.run.sealing).
    secrets: tuple[str, ...] = field(default=(), repr=False)
    key: str | None = field(default=None, repr=False)


def run(
    items: Sequence[WorkItem],
    options: ClusterOptions,
    workers: int,
    policy: Policy,
    on_result: scheduler.OnResult,
    grace: float,
    interrupt: scheduler.Interrupt,
    on_progress: scheduler.OnProgress | None = None,
) -> bool:
    """Run every item on the cluster; True when interrupted (as scheduler.run)."""
    client = _checked(options, items)
    flight = _Flight(client, items, workers, policy, on_result, on_progress, options)
    try:
        flight.run(interrupt, grace)
    finally:
        flight.close()
    return interrupt.stop.is_set()


def preflight(options: ClusterOptions, items: Sequence[WorkItem]) -> None:
    """What run() refuses, refused before a run folder exists: plain TCP without insecure,
    an unreachable scheduler, version skew, a credential that would travel."""
    _checked(options, items).close()


def _checked(options: ClusterOptions, items: Sequence[WorkItem]) -> Any:
    _refuse_plain_secrets(items)
    sealing.refuse_without_key(items, options.secrets, options.key)
    client = connect(options)
    try:
        check_versions(client)
    except BaseException:
        client.close()
        raise
    return client


def connect(options: ClusterOptions) -> Any:
    """A Client of the scheduler at `options.address`, refusing plain TCP unless insecure."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(f"--cluster needs Dask distributed: {DASK_INSTALL}") from None
    address = options.address
    scheme = address.split("://", 1)[0] if "://" in address else "tcp"
    if scheme != "tls" and not options.insecure:
        raise ClusterError(
            f"--cluster {address}: plain {scheme.upper()} has no authentication (whoever "
            "reaches the scheduler runs code on every poller); use tls:// with certificates "
            "(README: Running on a cluster), or add --insecure on a network you trust"
        )
    if scheme == "tls" and not _has_tls(options.security):
        # Caught here, not by Client: a Client that fails on TLS is closed by its __del__
        # at exit, which waits 30 s and prints a traceback.
        raise ClusterError(
            f"--cluster {address}: tls:// needs this machine's certificates, and none are "
            "set; set DASK_DISTRIBUTED__COMM__TLS__CA_FILE and "
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT/KEY (README: Running on a cluster)"
        )
    try:
        return Client(
            address,
            security=options.security,
            timeout=options.connect_timeout,
            set_as_default=False,
        )
    except Exception as exc:
        raise ClusterError(
            f"--cluster {address}: cannot connect to the scheduler ({type(exc).__name__}: "
            f"{exc}); check the address, that `dask scheduler` runs, and its TLS certificates "
            "(DASK_DISTRIBUTED__COMM__TLS__* on this machine)"
        ) from None


def _has_tls(security: Any) -> bool:
    """Whether a TLS context can be made from `security` (or Dask's config)."""
    from distributed.security import Security

    try:
        args = (security or Security()).get_connection_args("client")
    except Exception:  # a certificate file that cannot be read: Client says which
        return True
    return args.get("ssl_context") is not None


def check_versions(client: Any) -> None:
    """Version skew breaks unpickling halfway through a run: refuse it at the start, in one
    line naming the poller (or the scheduler) and the package."""
    found = client.get_versions(packages=["netjob"])
    ours = found["client"]["packages"]
    others = [("scheduler", found["scheduler"])] + [
        (f"poller {address}", info) for address, info in sorted(found["workers"].items())
    ]
    for who, info in others:
        theirs = (info or {}).get("packages", {})
        for package in _CHECKED:
            mine, their = _comparable(package, ours), _comparable(package, theirs)
            if mine != their:
                raise ClusterError(
                    f"{who} has {package} {theirs.get(package) or 'missing'}, this machine "
                    f"{ours.get(package) or 'missing'}; install the same versions everywhere "
                    f"({DASK_INSTALL}, same netjob version)"
                )


def _comparable(package: str, packages: dict[str, Any]) -> str | None:
    version = packages.get(package)
    if package == "python" and version:  # pickles cross patch releases, not minor ones
        return ".".join(str(version).split(".")[:2])
    return None if version is None else str(version)


def _refuse_plain_secrets(items: Sequence[WorkItem]) -> None:
    for item in items:
        host = item.host
        if host.password is not None or host.secret is not None or not host.password_env:
            raise ClusterError(
                f"host {host.name}: on a cluster, credentials come from each poller's "
                "environment and never travel in a task; give the host password_env (and "
                "secret_env) in the inventory and set those variables on every poller"
            )


def exclusive(item: WorkItem, policy: Policy) -> bool:
    """Whether the host may change its device: then it runs at most once per run."""
    changes = any(s.kind in (TaskKind.CONFIG, TaskKind.TEMPLATE) for s in item.steps)
    return changes and not policy.dry_run


def _stripped(item: WorkItem) -> WorkItem:
    """The item as it travels: names of environment variables, never their values."""
    host = replace(item.host, password=None, secret=None)
    return replace(item, host=host, credentials=Credentials(host.username))


@dataclass(eq=False)
class _Task:
    item: WorkItem
    future: Any
    exclusive: bool
    attempt: int


class _Flight:
    """The hosts of one run on the cluster: queued per site, in flight, and done."""

    def __init__(
        self,
        client: Any,
        items: Sequence[WorkItem],
        workers: int,
        policy: Policy,
        on_result: scheduler.OnResult,
        on_progress: scheduler.OnProgress | None,
        options: ClusterOptions,
    ) -> None:
        self.client = client
        self.run_id = uuid.uuid4().hex[:12]
        self.policy = policy
        self.per_site = max(1, workers)
        self.on_result = on_result
        self.on_progress = on_progress
        self.options = options
        self.queues: dict[str | None, collections.deque[WorkItem]] = collections.defaultdict(
            collections.deque
        )
        self.boxes: dict[str, bytes | None] = {}  # each host's sealed secrets
        for item in items:
            sealed, self.boxes[item.host.name] = sealing.seal(
                _stripped(item), options.secrets, options.key
            )
            self.queues[item.host.site].append(sealed)
        self.pending = {item.host.name for item in items}
        self.flying: dict[str, _Task] = {}
        self.inbox: queue.Queue[Any] = queue.Queue()  # done futures and RunProgress
        self.unserved: dict[str | None, float] = {}  # site → when it was first seen unserved
        self.next_check = 0.0
        self.lost = False
        self.attempts: collections.Counter[str] = collections.Counter()
        if on_progress is not None:
            client.subscribe_topic(poller.topic(self.run_id), self._event)

    def _event(self, event: tuple[float, list[Any]]) -> None:  # the client's loop
        host, task, *moved = event[1]  # moved: [done, total] bytes of a put:/get:
        if host is not None:
            self.inbox.put(RunProgress(host, task, *moved[:2]))

    def run(self, interrupt: scheduler.Interrupt, grace: float) -> None:
        try:
            while self.pending and not interrupt.stop.is_set() and not self._lost():
                self._submit()
                self._check_pollers()
                self._take(0.2)
        except KeyboardInterrupt:  # API callers who install no signal handler
            interrupt.stop.set()
        if self.lost:
            self._give_up("the cluster's scheduler was lost (its claims with it)")
        elif self.pending:
            self._drain(time.monotonic() + grace, interrupt)

    def close(self) -> None:
        """Every host still pending gets its result; the run's claims go; the client closes."""
        self._give_up("the run was interrupted")
        if not self.lost:
            with contextlib.suppress(Exception):
                self.client.run_on_scheduler(poller.forget, self.run_id)
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)

    def _lost(self) -> bool:
        self.lost = self.lost or self.client.status != "running"
        return self.lost

    def _submit(self) -> None:
        for site, todo in self.queues.items():
            in_site = sum(1 for t in self.flying.values() if t.item.host.site == site)
            while todo and in_site < self.per_site:
                self._send(todo.popleft())
                in_site += 1

    def _send(self, item: WorkItem) -> None:
        name = item.host.name
        self.attempts[name] += 1
        site = item.host.site
        alone = exclusive(item, self.policy)
        future = self.client.submit(
            poller.run_host,
            self.run_id,
            item,
            self.policy,
            alone,
            self.on_progress is not None,
            self.boxes[name],
            key=f"netjob-{self.run_id}-{name}-{self.attempts[name]}",
            pure=False,
            resources={f"site_{site}": 1} if site else None,
        )
        self.flying[name] = _Task(item, future, alone, self.attempts[name])
        future.add_done_callback(self.inbox.put)

    def _take(self, timeout: float) -> None:
        """Handle what came in: a wait of up to `timeout`, then whatever else is there."""
        with contextlib.suppress(queue.Empty):
            message = self.inbox.get(timeout=timeout)
            while True:
                self._handle(message)
                message = self.inbox.get_nowait()

    def _handle(self, message: Any) -> None:
        if isinstance(message, RunProgress):
            if self.on_progress is not None and message.host in self.flying:
                self.on_progress(message)
            return
        name = next((n for n, t in self.flying.items() if t.future is message), None)
        if name is None:
            return  # a future we gave up on already
        task = self.flying[name]
        if message.status == "finished":
            self._finished(name, task)
        elif message.status == "cancelled":
            self.lost = True  # we cancel nothing we still track: the scheduler went away
        else:
            self._errored(name, task, message.exception())

    def _finished(self, name: str, task: _Task) -> None:
        try:
            result = task.future.result(timeout=30)
        except Exception as exc:  # its poller died before handing the result over
            self._errored(name, task, exc)
            return
        self.flying.pop(name)
        task.future.release()
        self._result(result)

    def _errored(self, name: str, task: _Task, error: BaseException) -> None:
        """The task failed in Dask (its poller died, left, or could not run it)."""
        self.flying.pop(name)
        task.future.release()
        holder = self._claims().get(name) if task.exclusive else None
        if holder is not None:
            why = f"its poller {holder} died or left while working on it ({_said(error)})"
            self._result(_unknown(name, why))
        elif self.attempts[name] < _ATTEMPTS:
            log.info("host %s: not claimed when its task failed (%s); again", name, error)
            self.queues[task.item.host.site].appendleft(task.item)
        else:
            why = f"its task failed {_ATTEMPTS} times on the cluster; last: {_said(error)}"
            self._result(scheduler.interrupted(name, why))

    def _claims(self) -> dict[str, str]:
        try:
            claimed: dict[str, str] = self.client.run_on_scheduler(poller.claims, self.run_id)
        except Exception:  # the scheduler is gone: any claim may exist
            self.lost = True
            return {n: "(unknown: the scheduler was lost)" for n in self.flying}
        return claimed

    def _check_pollers(self) -> None:
        """A site with hosts to run and no poller: its hosts fail `no_poller` after the wait."""
        now = time.monotonic()
        if now < self.next_check:
            return
        self.next_check = now + 1.0
        try:
            served = _served(self.client.scheduler_info(n_workers=-1)["workers"])
        except Exception:  # the scheduler is going away: run() sees it next
            return
        waiting = {s for s, q in self.queues.items() if q}
        waiting |= {t.item.host.site for t in self.flying.values()}
        for site in waiting:
            if site in served:
                self.unserved.pop(site, None)
            elif now - self.unserved.setdefault(site, now) > self.options.no_poller_wait:
                self._no_poller(site)

    def _no_poller(self, site: str | None) -> None:
        which = f"site {site}" if site else "hosts without a site"
        why = (
            f"no poller serves {which} (none has been connected with resource "
            f"site_{site or '...'} for {self.options.no_poller_wait:g}s); start "
            f"`dask worker --resources site_{site}=32` on a poller that reaches it"
        )
        for item in self.queues.pop(site, collections.deque()):
            self._result(poller.failed(item.host.name, FailureClass.NO_POLLER, why))
        for name, task in list(self.flying.items()):
            if task.item.host.site == site:
                self._errored_out(name, task, why, FailureClass.NO_POLLER)

    def _errored_out(self, name: str, task: _Task, why: str, failure: FailureClass) -> None:
        """Stop waiting for a task: `unknown` if its host was claimed, else `failure`."""
        self.flying.pop(name)
        with contextlib.suppress(Exception):
            task.future.cancel()
        claimed = task.exclusive and name in self._claims()
        self._result(_unknown(name, why) if claimed else poller.failed(name, failure, why))

    def _drain(self, deadline: float, interrupt: scheduler.Interrupt) -> None:
        """Interrupted: nothing new starts; in-flight hosts get until `deadline`."""
        for todo in self.queues.values():
            for item in todo:
                self._result(scheduler.skipped_by_interrupt(item.host.name))
            todo.clear()
        while self.flying and not interrupt.abandon.is_set() and not self._lost():
            if time.monotonic() > deadline:
                break
            self._take(0.2)

    def _give_up(self, reason: str) -> None:
        """Every host without a result gets one: in flight and claimed (or, the scheduler
        lost, possibly claimed) `unknown`, the others failed `interrupted`."""
        claimed = self._claims() if self.flying and not self.lost else {}
        for name, task in list(self.flying.items()):
            self.flying.pop(name)
            if task.exclusive and (self.lost or name in claimed):
                self._result(_unknown(name, f"{reason} while it was on the cluster"))
            else:
                why = f"abandoned: {reason}" if name in claimed else f"not finished: {reason}"
                self._result(scheduler.interrupted(name, why))
        for todo in self.queues.values():
            for item in todo:
                self._result(scheduler.interrupted(item.host.name, f"not started: {reason}"))
            todo.clear()

    def _result(self, result: HostResult) -> None:
        if result.host in self.pending:
            self.pending.discard(result.host)
            self.on_result(result)


def _served(workers: dict[str, Any]) -> set[str | None]:
    """The sites the connected pollers serve (None in the set: some poller exists)."""
    served: set[str | None] = set()
    for info in workers.values():
        served.add(None)
        for resource, amount in (info.get("resources") or {}).items():
            if resource.startswith("site_") and amount > 0:
                served.add(resource[len("site_") :])
    return served


def _said(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _unknown(host: str, why: str) -> HostResult:
    return poller.failed(
        host,
        FailureClass.UNKNOWN,
        f"{why}: it may or may not have been changed; "
        + advice("look at the device", (Remedy.RETRY_UNKNOWN,)),
    )
