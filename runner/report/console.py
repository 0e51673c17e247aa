"""What a person sees on the terminal: a line per host as it finishes, a summary table,
plans and host listings. Everything here arrives already redacted."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from runner.base.errors import FailureClass
from runner.base.models import (
    Host,
    HostResult,
    Job,
    Report,
    RunProgress,
    Status,
    TaskKind,
)
from runner.base.run_layout import REPORT_JSON
from runner.report.fold import Fold, fold, host_ranges, natural_key

if TYPE_CHECKING:  # records only: `netjob hosts` starts without the report's reader
    from runner.load.host_patterns import Inventory
    from runner.render.planning import PlannedHost
    from runner.report.document import ComplianceDoc, HostDoc, ReportDoc

_STYLE = {
    Status.OK: "green",
    Status.CHANGED: "yellow",
    Status.FAILED: "bold red",
    Status.SKIPPED: "dim",
}


def plural(count: int, word: str) -> str:
    """`1 host`, `2 hosts`: every count a person reads."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def kept_back(host: HostDoc | HostResult) -> bool:
    """A host the interrupt kept from starting: skipped, its reason `interrupted`."""
    return host.status is Status.SKIPPED and host.failure == FailureClass.INTERRUPTED.value


class View:
    """With `verbose` (-v), what devices said is printed once, folded, at the end of the run
    (`folded`)."""

    def __init__(
        self,
        console: Console,
        verbose: bool = False,
        quiet: bool = False,
        diff: bool = False,
    ) -> None:
        self.console = console
        self.verbose = verbose
        self.quiet = quiet
        self.diff = diff
        self.printed: set[str] = set()  # hosts whose line is on the screen already
        self.told = False  # the interrupt's notice is printed

    def interrupted(self) -> None:
        """The first Ctrl-C, said at once and once; the hosts it keeps from starting get
        one line at the end (summary), not one each."""
        if not self.told and not self.quiet:
            self.told = True
            self._plain(
                "interrupted: no other host starts; hosts in flight get the grace period "
                "to finish (Ctrl-C again to stop them now)",
                "yellow",
            )

    def _plain(self, text: str, style: str | None = None) -> None:
        self.console.print(text, style=style, highlight=False, markup=False, soft_wrap=True)

    # A reporter (runner.report.reporters): the plain view has no use for the workers' news.
    wants_progress = False

    def progress(self, news: RunProgress) -> None:
        return None

    def run_done(self, report: Report) -> None:
        return None  # the CLI prints the summary once the run has returned

    def host_done(self, result: HostResult) -> None:
        if self.quiet:
            return
        if kept_back(result):
            self.interrupted()  # when the run did not say so itself (scheduler.Interrupt)
            return
        self.printed.add(result.host)
        line = Text()
        if result.noncompliant and result.status is Status.OK:
            # A host that failed a check is not `ok`, wherever its status is shown.
            line.append("non-compliant ", style="magenta")
        else:
            line.append(f"{result.status.value:<8}", style=_STYLE[result.status])
        line.append(f"{result.host}  {result.duration:.2f}s")
        if result.error:
            why = f"{result.failure.value}: {result.error}" if result.failure else result.error
            line.append(f"  {why}", style="red" if result.failed else None)
        failing = [c for s in result.steps for c in s.checks if c.status != "pass"]
        if failing:
            line.append(f"  non-compliant: {plural(len(failing), 'check')}", style="magenta")
        self.console.print(line, soft_wrap=True)
        # With -v, what devices said (outputs, and config steps' notes and diffs) comes
        # once, folded, at the end of the run (`folded`), not here as well.
        shows_diff = self.diff and not self.verbose
        for step in result.steps:
            # A parse that failed left a step `ok` with no rows: say so without -D.
            if step.note and "parse failed" in step.note and not shows_diff:
                self.console.print(
                    f"  [{step.task}] {step.note}",
                    style="yellow",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
        if shows_diff:
            for step in result.steps:
                if step.diff or step.note:
                    self.console.print(
                        f"  [{step.task}] {step.note or 'changed'}",
                        highlight=False,
                        markup=False,
                        soft_wrap=True,
                    )
                for text in (step.diff or "").splitlines():
                    style = {"+": "green", "-": "red"}.get(text[:1])
                    self.console.print(
                        f"    {text}", style=style, highlight=False, markup=False, soft_wrap=True
                    )

    def summary(self, data: ReportDoc, run_dir: Path) -> None:
        """A run's summary, from its report.json: the same for `run` and `report`."""
        hosts = data.hosts
        held = sorted((n for n, h in hosts.items() if kept_back(h)), key=natural_key)
        if held:
            self._plain(
                f"{'skipped':<8}{plural(len(held), 'host')} the interrupt kept from starting: "
                f"{host_ranges(held)}",
                "dim",
            )
        self._failed({n: h for n, h in hosts.items() if h.status is Status.FAILED})
        self._compliance(data.compliance)
        summary = data.summary
        # `changed` only when something changed: a show or audit run reads "N ok, K failed".
        parts = [f"{summary.ok} ok", *([f"{summary.changed} changed"] * bool(summary.changed))]
        if len(held):
            parts.append(f"{len(held)} skipped (interrupted)")
        if summary.skipped - len(held):
            parts.append(f"{summary.skipped - len(held)} skipped")
        parts.append(f"{summary.failed} failed")
        head = "INTERRUPTED: " if data.interrupted else ""
        head = "RUNNING, so far: " if data.running is not None else head
        if data.stopped and not data.interrupted:
            self.console.print(f"ROLLOUT STOPPED: {data.stopped}", style="bold red")
        dry_run = " (--check: no config sent)" if data.check else ""
        self.console.print(
            f"{head}{plural(len(hosts), 'host')}: {', '.join(parts)} "
            f"in {data.duration_s:.1f}s{dry_run}",
            highlight=False,
        )
        for saved in data.saved:  # where save_to files went (runner.render.save_paths)
            count = saved.files
            self.console.print(
                f"saved: {count} file{'' if count == 1 else 's'} in {saved.folder} "
                f"(task '{saved.task}')",
                highlight=False,
                soft_wrap=True,
            )
        report = run_dir / REPORT_JSON
        # A run still going, or killed before its end, has none: its folder is what
        # there is (the lines above said which).
        where = (
            f"report: {report}" if report.exists() else f"run folder (no {REPORT_JSON}): {run_dir}"
        )
        self.console.print(where, highlight=False, soft_wrap=True)

    def _failed(self, failed: Mapping[str, HostDoc]) -> None:
        """On a terminal, a table; piped (cron, CI) or without colour (plain lines, as the
        README says), one plain line per host, and none for a host whose line was printed
        as it finished."""
        if not failed:
            return
        if self.console.is_terminal and not self.console.no_color:
            table = Table(title="failed hosts", title_justify="left")
            for column in ("host", "failure", "what happened; what to try"):
                table.add_column(column, overflow="fold")
            for name in sorted(failed, key=natural_key):
                host = failed[name]
                table.add_row(name, _value(host.failure), host.error or "")
            self.console.print(table)
            return
        for name in sorted(failed, key=natural_key):
            if name not in self.printed:
                host = failed[name]
                why = f"{host.failure.value}: {host.error}" if host.failure else host.error
                self._plain(f"{'failed':<8}{name}  {why or ''}".rstrip())

    def _compliance(self, data: ComplianceDoc | None) -> None:
        if data is None:
            return
        failing = [(rule, item) for rule, r in data.rules.items() for item in r.failing]
        failing.sort(key=lambda f: (natural_key(f[1].host), f[0]))
        if failing and self.console.is_terminal:
            table = Table(title="failed checks", title_justify="left")
            for column in ("host", "rule", "status", "evidence"):
                table.add_column(column, overflow="fold")
            for rule, item in failing:
                table.add_row(item.host, rule, item.status.value, item.evidence)
            self.console.print(table)
        for rule, item in failing if not self.console.is_terminal else ():
            evidence = f": {item.evidence}" if item.evidence else ""
            self._plain(f"{'check':<8}{item.host}  '{rule}' {item.status.value}{evidence}")
        self.console.print(
            f"compliance: {plural(data.compliant, 'host')} compliant, {data.noncompliant} not"
            + (f", {data.unchecked} not checked" if data.unchecked else "")
            + f" ({plural(len(data.rules), 'rule')})",
            highlight=False,
        )

    def outputs(self, data: HostDoc, task: str | None, dry_run: bool = False) -> None:
        """What a device said in a past run (`netjob show`), as its host log has it."""
        from runner.report.run_folder import step_log

        for step in data.steps:
            if task is None or step.task == task:
                for text in step_log(step, dry_run):
                    self._plain(text)

    def folded(self, hosts: Mapping[str, HostDoc], noise: Sequence[str] | None = None) -> None:
        """Each command's outputs (each other step's note and diff) once per distinct text,
        under the hosts that gave it: the end of `netjob run -v`. With `noise` (--fold-noise:
        the job's `normalize:`), outputs fold as `netjob diff` compares them."""
        from runner.report.noise import noise_key

        texts: dict[str, dict[str, str]] = {}
        shows: set[str] = set()  # the labels of show commands: only outputs have noise
        for name, host in hosts.items():
            for step in host.steps:
                if step.kind is TaskKind.SHOW and step.outputs:
                    for command, output in zip(step.commands, step.outputs, strict=False):
                        shows.add(f"[{step.task}] {command}")
                        texts.setdefault(f"[{step.task}] {command}", {})[name] = output
                elif step.kind is not TaskKind.SHOW and (step.note or step.diff):
                    lines = [f"-- {step.status.value}: {step.note or ''}".rstrip(": ")]
                    lines.append(step.diff or "")
                    texts.setdefault(f"[{step.task}]", {})[name] = "\n".join(lines)
        key = None if noise is None else noise_key({n: h.platform for n, h in hosts.items()}, noise)
        for label, found in texts.items():
            self.print_folds(label, fold(found, key if label in shows else None))

    def print_folds(self, label: str, folds: Sequence[Fold]) -> None:
        self._plain(f"== {label}", "bold")
        for item in folds:
            self._plain(item.header, "cyan")
            for line in item.lines:
                self._plain(f"  {line}", "red" if line.startswith("!! ") else None)

    def tasks(self, job: Job) -> None:
        self.console.print(
            f"job '{job.name}' ({job.path}), hosts: {job.hosts}", highlight=False, markup=False
        )
        for task in job.every_task:
            tags = f"  tags: {', '.join(task.tags)}" if task.tags else ""
            role = f", {task.role.replace('_', '-')}" if task.role else ""
            self.console.print(
                f"  [{task.kind.value}{role}] {task.name}{tags}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )

    def plan(self, items: Sequence[PlannedHost]) -> None:
        from runner.report.plan_view import print_plan  # `netjob plan` alone needs it

        print_plan(self.console, items)

    def hosts(self, inventory: Inventory, hosts: Sequence[Host]) -> None:
        title = f"{plural(len(hosts), 'host')} from {inventory.source}"
        table = Table(title=title, title_justify="left")
        for column in ("host", "address", "platform", "groups", "vars"):
            table.add_column(column, overflow="fold")
        for host in hosts:
            variables = ", ".join(f"{k}={v}" for k, v in host.vars.items())
            table.add_row(
                host.name,
                f"{host.address}:{host.port}",
                host.platform,
                ",".join(host.groups),
                variables,
            )
        self.console.print(table)


def _value(failure: FailureClass | None) -> str:
    """A failure class as a table cell: its value, or nothing."""
    return failure.value if failure is not None else ""


def host_view(host: Host) -> dict[str, object]:
    """A host as `netjob hosts` shows it: merged data, secrets only by their source."""
    return {
        **host.facts(),
        "username": host.username,
        "password": host.credential_source("password"),
        "secret": host.credential_source("secret"),
        "connection": vars(host.connection),
        "vars": dict(host.vars),
    }


class LiveView:
    """The live display of a run on a terminal: a bar with hosts done, failed and in
    flight and the rate; with -v, the task each in-flight host is on. Failed hosts are
    still printed as lines above it, so nothing is only on a transient screen. A host
    moving a file (put:/get:) shows its bytes, `r003  stage image 12.0/20.0 MB`, with or
    without -v (the workers send at most a few such updates a second per host)."""

    STALL = 5.0  # seconds without a finished host before the line names the hosts in flight

    def __init__(self, view: View, total: int) -> None:
        self.view = view
        self.flight: dict[str, str] = {}
        self.moving: set[str] = set()  # hosts whose line shows a transfer's bytes
        self.failed = 0
        # Here, not at the top: only a run on a terminal pays for rich's progress and live.
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            TextColumn("hosts"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            console=view.console,
        )
        self.task = self.bar.add_task("hosts", total=total, stats="")
        self.started = self.moved = time.monotonic()  # moved: when a host last finished
        # Rendered at each refresh, so a stall shows without news from the workers.
        self.live = Live(console=view.console, refresh_per_second=8, get_renderable=self._render)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.live.refresh()
        self.live.__exit__(None, None, None)

    wants_progress = True  # a reporter that shows each host's task and a transfer's bytes

    def run_done(self, report: Report) -> None:
        return None

    def progress(self, news: RunProgress) -> None:
        if news.done is not None and news.total is not None:
            self.moving.add(news.host)
            moved = f"{news.done / 1e6:.1f}/{news.total / 1e6:.1f} MB"
            self.flight[news.host] = f"{news.task} {moved}"
        else:
            self.moving.discard(news.host)
            self.flight[news.host] = news.task or "connecting"

    def host_done(self, result: HostResult) -> None:
        self.flight.pop(result.host, None)
        self.moving.discard(result.host)
        self.moved = time.monotonic()
        if result.failed:
            self.failed += 1
        # Failed hosts' lines, the interrupt's notice, and with -v every host's outputs.
        if result.failed or self.view.verbose or kept_back(result):
            self.view.host_done(result)
        # No refresh here: Live's own thread redraws 8 times a second. Redrawing per host
        # cost the main process ~1 ms a host, half its CPU on a 1,000-host run (issue 16).
        self.bar.advance(self.task)

    def _render(self) -> RenderableType:
        done = int(self.bar.tasks[0].completed) if self.bar.tasks else 0
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(
            self.task,
            stats=f"failed {self.failed}  in flight {len(self.flight)}  {rate:.1f} hosts/s",
        )
        flight = dict(self.flight)  # the refresh thread renders too
        shown = (
            flight if self.view.verbose else {h: t for h, t in flight.items() if h in self.moving}
        )
        parts: list[RenderableType] = [self.bar]
        stalled = time.monotonic() - self.moved
        if not self.view.verbose and flight and stalled >= self.STALL:
            # -v lists every host in flight anyway; without it, a stall names who it waits for.
            waiting = ", ".join(f"{h} ({t})" for h, t in list(flight.items())[:5])
            more = f" and {len(flight) - 5} more" if len(flight) > 5 else ""
            parts.append(Text(f"no host finished for {stalled:.0f}s; waiting for {waiting}{more}"))
        if shown:
            parts.append(self._table(shown))
        return Group(*parts) if len(parts) > 1 else self.bar

    def _table(self, shown: Mapping[str, str]) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 1))
        for host, task in list(shown.items())[:15]:
            table.add_row(host, task)
        if len(shown) > 15:
            table.add_row("...", f"and {len(shown) - 15} more")
        return table
