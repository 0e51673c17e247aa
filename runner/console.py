"""What a person sees on the terminal: a line per host as it finishes, a summary table,
plans and host listings. Everything here arrives already redacted."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

from runner.inventory import Inventory
from runner.models import Host, HostResult, Job, Progress, Status, WorkItem

_STYLE = {
    Status.OK: "green",
    Status.CHANGED: "yellow",
    Status.FAILED: "bold red",
    Status.SKIPPED: "dim",
}


class View:
    def __init__(
        self, console: Console, verbose: bool = False, quiet: bool = False, diff: bool = False
    ) -> None:
        self.console = console
        self.verbose = verbose
        self.quiet = quiet
        self.diff = diff

    def host_done(self, result: HostResult) -> None:
        if self.quiet:
            return
        line = Text()
        if result.noncompliant and result.status is Status.OK:
            # A host that failed a check is not `ok`, wherever its status is shown.
            line.append("non-compliant ", style="magenta")
        else:
            line.append(f"{result.status.value:<8}", style=_STYLE[result.status])
        line.append(f"{result.host}  {result.duration:.2f}s")
        if result.error:
            line.append(f"  {result.failure}: {result.error}", style="red")
        failing = [c for s in result.steps for c in s.checks if c.status != "pass"]
        if failing:
            line.append(f"  non-compliant: {len(failing)} check(s)", style="magenta")
        self.console.print(line, soft_wrap=True)
        for step in result.steps:
            # A parse that failed left a step `ok` with no rows: say so without -D.
            if step.note and "parse failed" in step.note and not self.diff:
                self.console.print(
                    f"  [{step.task}] {step.note}",
                    style="yellow",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
        if self.diff:
            for step in result.steps:
                if step.diff or step.note:
                    self.console.print(
                        f"  [{step.task}] {step.note or 'changed'}",
                        highlight=False,
                        markup=False,
                        soft_wrap=True,
                    )
                for text in (step.diff or "").splitlines():
                    style = "green" if text.startswith("+") else None
                    self.console.print(
                        f"    {text}", style=style, highlight=False, markup=False, soft_wrap=True
                    )

    def summary(self, data: Mapping[str, Any], run_dir: Path) -> None:
        """A run's summary, from its report.json: the same for `run` and `report`."""
        hosts = data["hosts"]
        failed = {n: h for n, h in hosts.items() if h["status"] == "failed"}
        if failed:
            table = Table(title="failed hosts", title_justify="left")
            for column in ("host", "failure", "what happened; what to try"):
                table.add_column(column, overflow="fold")
            for name, host in sorted(failed.items()):
                table.add_row(name, host["failure"] or "", host["error"] or "")
            self.console.print(table)
        self._compliance(data.get("compliance") or {})
        summary = data["summary"]
        parts = [
            f"{summary[s.value]} {s.value}"
            for s in Status
            if summary[s.value] or s is not Status.SKIPPED
        ]
        head = "INTERRUPTED: " if data["interrupted"] else ""
        if data["stopped"] and not data["interrupted"]:
            self.console.print(f"ROLLOUT STOPPED: {data['stopped']}", style="bold red")
        check = " (--check: no config sent)" if data.get("check") else ""
        self.console.print(
            f"{head}{len(hosts)} host{'' if len(hosts) == 1 else 's'}: {', '.join(parts)} "
            f"in {data['duration_s']:.1f}s{check}",
            highlight=False,
        )
        for saved in data.get("saved") or ():  # where save_to files went (runner.savepaths)
            count = saved["files"]
            self.console.print(
                f"saved: {count} file{'' if count == 1 else 's'} in {saved['folder']} "
                f"(task '{saved['task']}')",
                highlight=False,
                soft_wrap=True,
            )
        self.console.print(f"report: {run_dir / 'report.json'}", highlight=False, soft_wrap=True)

    def _compliance(self, data: Mapping[str, Any]) -> None:
        if not data:
            return
        failing = [(rule, item) for rule, r in data["rules"].items() for item in r["failing"]]
        if failing:
            table = Table(title="failed checks", title_justify="left")
            for column in ("host", "rule", "status", "evidence"):
                table.add_column(column, overflow="fold")
            for rule, item in sorted(failing, key=lambda f: (f[1]["host"], f[0])):
                table.add_row(item["host"], rule, item["status"], item["evidence"])
            self.console.print(table)
        self.console.print(
            f"compliance: {data['compliant']} hosts compliant, {data['noncompliant']} not "
            f"({len(data['rules'])} rules)",
            highlight=False,
        )

    def outputs(self, data: Mapping[str, Any], task: str | None) -> None:
        """What a device said in a past run (`netjob show`)."""
        for step in data["steps"]:
            if task is not None and step["task"] != task:
                continue
            self.console.print(
                f"== {step['task']} [{step['kind']}] {step['status']}",
                highlight=False,
                markup=False,
            )
            for i, command in enumerate(step["commands"]):
                self.console.print(f">>> {command}", highlight=False, markup=False)
                if step["kind"] == "show" and i < len(step["outputs"]):
                    self.console.print(
                        step["outputs"][i].rstrip("\n"),
                        highlight=False,
                        markup=False,
                        soft_wrap=True,
                    )
            if step["kind"] != "show":
                for output in step["outputs"]:
                    self.console.print(
                        output.rstrip("\n"), highlight=False, markup=False, soft_wrap=True
                    )
            if step.get("error"):
                self.console.print(
                    f"!! {step['failure']}: {step['error']}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )

    def tasks(self, job: Job) -> None:
        self.console.print(
            f"job '{job.name}' ({job.path}), hosts: {job.hosts}", highlight=False, markup=False
        )
        for task in job.tasks:
            tags = f"  tags: {', '.join(task.tags)}" if task.tags else ""
            self.console.print(
                f"  [{task.kind.value}] {task.name}{tags}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )

    def plan(self, items: Sequence[WorkItem]) -> None:
        for item in items:
            host = item.host
            self.console.print(
                f"# {host.name} ({host.address}:{host.port}, {host.platform})",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            for step in item.steps:
                save = " (then save)" if step.save else ""
                later = " (rendered on the device: uses saved outputs or when:)"
                self.console.print(
                    f"  [{step.kind.value}] {step.task}{save}{later if step.sources else ''}",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
                for command in step.commands or step.sources:
                    self.console.print(
                        f"    {command}", highlight=False, markup=False, soft_wrap=True
                    )
        self.console.print(
            f"{len(items)} hosts, {sum(len(i.steps) for i in items)} steps; nothing was contacted",
            highlight=False,
        )

    def hosts(self, inventory: Inventory, hosts: Sequence[Host]) -> None:
        table = Table(title=f"{len(hosts)} hosts from {inventory.source}", title_justify="left")
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


def host_view(host: Host) -> dict[str, object]:
    """A host as `netjob hosts` shows it: merged data, secrets only by their source."""
    return {
        **host.facts(),
        "username": host.username,
        "password": "(plain text)"
        if host.password
        else (f"${host.password_env}" if host.password_env else None),
        "secret": "(plain text)"
        if host.secret
        else (f"${host.secret_env}" if host.secret_env else None),
        "connection": vars(host.connection),
        "vars": dict(host.vars),
    }


class LiveView:
    """The live display of a run on a terminal: a bar with hosts done, failed and in
    flight and the rate; with -v, the task each in-flight host is on. Failed hosts are
    still printed as lines above it, so nothing is only on a transient screen. A host
    moving a file (put:/get:) shows its bytes, `r003  stage image 12.0/20.0 MB`, with or
    without -v (the workers send at most a few such updates a second per host)."""

    def __init__(self, view: View, total: int) -> None:
        self.view = view
        self.flight: dict[str, str] = {}
        self.moving: set[str] = set()  # hosts whose line shows a transfer's bytes
        self.failed = 0
        self.bar = RichProgress(
            TextColumn("hosts"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            console=view.console,
        )
        self.task = self.bar.add_task("hosts", total=total, stats="")
        self.started = time.monotonic()
        self.live = Live(self._render(), console=view.console, refresh_per_second=8)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.live.update(self._render(), refresh=True)
        self.live.__exit__(None, None, None)

    def progress(self, news: Progress) -> None:
        if news.done is not None and news.total is not None:
            self.moving.add(news.host)
            moved = f"{news.done / 1e6:.1f}/{news.total / 1e6:.1f} MB"
            self.flight[news.host] = f"{news.task} {moved}"
        else:
            self.moving.discard(news.host)
            self.flight[news.host] = news.task or "connecting"
        self.live.update(self._render())

    def host_done(self, result: HostResult) -> None:
        self.flight.pop(result.host, None)
        self.moving.discard(result.host)
        if result.failed:
            self.failed += 1
            self.view.host_done(result)
        self.bar.advance(self.task)
        self.live.update(self._render())

    def _render(self) -> RenderableType:
        done = int(self.bar.tasks[0].completed) if self.bar.tasks else 0
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(
            self.task,
            stats=f"failed {self.failed}  in flight {len(self.flight)}  {rate:.1f} hosts/s",
        )
        shown = (
            self.flight
            if self.view.verbose
            else {h: t for h, t in self.flight.items() if h in self.moving}
        )
        if not shown:
            return self.bar
        table = Table(box=None, show_header=False, padding=(0, 1))
        for host, task in list(shown.items())[:15]:
            table.add_row(host, task)
        if len(shown) > 15:
            table.add_row("...", f"and {len(shown) - 15} more")
        return Group(self.bar, table)
