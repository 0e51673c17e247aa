"""`netjob report`, `netjob show` and `netjob diff`: past runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runner.base.errors import ExitCode, NetjobError
from runner.cli.app import (
    Job,
    Output,
    app,
    check_output,
    fail,
    make_console,
    print_report,
)
from runner.report.console import View

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
    from runner.report.history import cut_short, report_data, resolve_run

    check_output(output)
    try:
        folder = resolve_run(run, reports)
        if cut_short(folder) and output == "table":
            typer.echo(f"run {folder}: {report_data(folder)['stopped']}")
        code = print_report(folder, output, View(make_console()))
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
    from runner.report.history import hosts_data, report_data, resolve_run

    try:
        folder = resolve_run(run, reports)
        found = hosts_data(folder, host)
        check = bool(report_data(folder).get("check"))
    except NetjobError as exc:
        fail(str(exc))
    tasks = list(dict.fromkeys(s["task"] for data in found.values() for s in data["steps"]))
    if task is not None and task not in tasks:
        fail(f"host {host} has no task {task!r} in that run; its tasks: {', '.join(tasks)}")
    view = View(make_console())
    for name, data in found.items():
        if len(found) > 1 or data["error"]:  # as the host log's head says it
            why = f"  {data['failure']}: {data['error']}" if data["error"] else ""
            view.console.print(
                f"# {name}: {data['status']}{why}", highlight=False, markup=False, soft_wrap=True
            )
        view.outputs(data, task, check)


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
    from runner.load.job import load_job
    from runner.report import history
    from runner.report.drift import DriftKind, render_drift

    try:
        before, after = history.pick(reports, job, run or [])
        # `netjob diff adhoc`: runs with no job file (netjob cmd) have no noise rules.
        normalize = load_job(job).normalize if job.is_file() else ()
        drifts = history.drift(before, after, normalize)
    except NetjobError as exc:
        fail(str(exc))
    typer.echo(f"netjob diff: {before.name} -> {after.name}")
    typer.echo(render_drift(drifts), nl=False)
    drifted = any(d.kind is not DriftKind.SAME for d in drifts)
    raise typer.Exit(int(ExitCode.HOSTS_FAILED if drifted else ExitCode.OK))
