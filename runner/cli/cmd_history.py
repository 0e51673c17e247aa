"""`netjob report`, `netjob show`, `netjob diff` and `netjob history`: past runs."""

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

import runner.report
from runner.base import ExitCode, NetjobError
from runner.cli.app import (
    Job,
    Output,
    app,
    check_output,
    fail,
    make_console,
    print_report,
)

Reports = Annotated[Path, typer.Option("--reports", help="Where run folders are.")]


@app.command()
def report(
    run: Annotated[
        str | None,
        typer.Argument(
            help="A run folder, a job file (its latest run) or a run id; default: the newest run.",
            show_default=False,
        ),
    ] = None,
    reports: Reports = Path("reports"),
    output: Output = "table",
) -> None:
    """Show a past run's summary; exit with the run's own exit code.

    Example: netjob report playbooks/compliance_audit.yaml"""
    check_output(output)
    try:
        folder = runner.report.resolve_run(run, reports)
        past = runner.report.read_run(folder)
        if output == "table":
            for line in past.change_lines:
                typer.echo(line)
        if past.cut_short and output == "table":
            typer.echo(f"run {folder}: {past.running or past.stopped}")
        code = print_report(folder, output, runner.report.View(make_console()))
    except NetjobError as exc:
        fail(str(exc))
    raise typer.Exit(int(code))


@app.command()
def show(
    run: Annotated[
        str,
        typer.Argument(
            help="A run folder, a job file (its latest run) or a run id.", show_default=False
        ),
    ],
    host: Annotated[
        str,
        typer.Argument(
            help="The host, or hosts as --limit takes them: all, 'r00*', r001,r003, ~regex.",
            show_default=False,
        ),
    ],
    task: Annotated[str | None, typer.Argument(help="Only this task.", show_default=False)] = None,
    reports: Reports = Path("reports"),
) -> None:
    """Print what devices said in a past run, as their host logs have it.

    Example: netjob show playbooks/show_ip_int_brief.yaml 'r00*' interfaces"""
    try:
        folder = runner.report.resolve_run(run, reports)
        logs = runner.report.host_logs(folder, host)
    except NetjobError as exc:
        fail(str(exc))
    if task is not None and task not in logs.tasks:
        fail(f"host {host} has no task {task!r} in that run; its tasks: {', '.join(logs.tasks)}")
    view = runner.report.View(make_console())
    for log in logs.hosts:
        if log.heading is not None:
            view.console.print(log.heading, highlight=False, markup=False, soft_wrap=True)
        view.outputs(log.data, task, logs.dry_run)


@app.command("diff")
def diff_runs(
    job: Job,
    run: Annotated[
        list[str] | None,
        typer.Option("--run", help="A run id; twice: before and after (default: the last two)."),
    ] = None,
    reports: Annotated[Path, typer.Option("--reports", help="Where run folders are.")] = Path(
        "reports"
    ),
) -> None:
    """Show what the devices say differently between two runs of a job, noise removed.
    Exit 0: no drift; 1: drift.

    Example: netjob diff playbooks/drift_watch.yaml"""
    try:
        found = runner.report.compare(reports, job, list(run or []))
    except NetjobError as exc:
        fail(str(exc))
    typer.echo(f"netjob diff: {found.before} -> {found.after}")
    typer.echo(found.text, nl=False)
    raise typer.Exit(int(ExitCode.HOSTS_FAILED if found.drifted else ExitCode.OK))


@app.command("history")
def history(
    job: Annotated[
        Path | None,
        typer.Argument(help="Only this job file's runs; default: every job's.", show_default=False),
    ] = None,
    reports: Reports = Path("reports"),
    last: Annotated[
        int, typer.Option("--last", "-n", min=0, metavar="<N>", help="The newest N runs; 0: all.")
    ] = 20,
    output: Annotated[
        str, typer.Option("--output", "-o", help="table (for people) or json.")
    ] = "table",
) -> None:
    """List past runs, newest first: when, change id, who, job, hosts and outcome.

    Example: netjob history --last 5"""
    if output not in ("table", "json"):
        fail(f"--output {output!r}: expected table or json")
    try:
        lines = runner.report.past_runs(reports, job)
    except NetjobError as exc:
        fail(str(exc))
    shown = lines[:last] if last else lines
    if output == "json":
        typer.echo(json.dumps([dataclasses.asdict(line) for line in shown], indent=1))
        return
    typer.echo(runner.report.history_text(shown), nl=False)
    if len(shown) < len(lines):
        typer.echo(f"({len(lines) - len(shown)} older runs not shown; --last 0 lists all)")
