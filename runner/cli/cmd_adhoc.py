"""`netjob cmd`: ad-hoc commands on many hosts, their answers folded on the console."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from runner import core
from runner.base.errors import NetjobError, SelectionError
from runner.cli.app import (
    AskBecomePass,
    AskPass,
    ConnectTimeout,
    ExtraVars,
    InventoryOpt,
    Limit,
    User,
    Verbose,
    Workers,
    app,
    exit_code,
    fail,
    inventories,
    logins,
    make_console,
    password_prompt,
    print_report,
    setup_logging,
)
from runner.load import adhoc
from runner.report import adhoc_answers
from runner.report.console import LiveView, View
from runner.report.fold import Fold


@app.command("cmd")
def cmd(
    commands: Annotated[
        list[str] | None,
        typer.Argument(
            help="Show commands to run, each one argument (quote it).", show_default=False
        ),
    ] = None,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            "-c",
            help="A config line to apply (repeatable), idempotent as in jobs; "
            "applied before the commands.",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", "-C", help="Show what --config would change; send nothing."),
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", "-D", help="Show --config's diff.")] = False,
    inventory: InventoryOpt = None,
    limit: Limit = None,
    extra_vars: ExtraVars = None,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="table (folded, for people) or json (host → command → output)."
        ),
    ] = "table",
    workers: Workers = core.DEFAULT_WORKERS,
    reports: Annotated[Path, typer.Option("--reports", help="Where run folders go.")] = Path(
        "reports"
    ),
    user: User = None,
    timeout: ConnectTimeout = None,
    ask_pass: AskPass = False,
    ask_become_pass: AskBecomePass = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours, no live bar.")] = False,
    verbose: Verbose = 0,
) -> None:
    """Run commands on hosts and print what each said; identical answers are printed once,
    under the hosts that gave them. Writes reports/adhoc/<run-id>/ like a job.

    Example: netjob cmd "show clock" "show version" --limit core"""
    setup_logging(verbose >= 2)
    if output not in ("table", "json"):
        fail(f"--output {output!r}: expected table or json")
    console = make_console(no_color)
    view = View(console, quiet=True)
    try:
        job = adhoc.adhoc_job(commands or [], config or [])
        inventory_data = core.load_inventories(inventories(inventory))
        hosts = inventory_data.select(limit)
        if not hosts:
            raise SelectionError(f"no host matches --limit '{limit}'; see `netjob hosts`")
        extra = core.parse_extra_vars(extra_vars or ())
        prompt = password_prompt(ask_pass)
        chosen = logins(hosts, user, timeout, ask_become_pass)
        selection = core.Selection(job, inventory_data, chosen, extra)
        from runner.report.history import report_data
        from runner.report.run_folder import load_host
        from runner.run.executor import Policy  # netmiko: imported once hosts are to run

        options = core.RunOptions(
            workers=workers,
            reports_dir=reports,
            policy=Policy(check=check),
            processes=core.processes_for_this_machine(),
        )
        if output == "table" and console.is_terminal and not console.no_color:
            with LiveView(view, len(hosts)) as live:
                report = core.run(
                    selection, options, prompt, on_result=live.host_done, on_progress=live.progress
                )
        else:
            report = core.run(selection, options, prompt)
        data = report_data(report.run_dir)
        hosts_data = {name: load_host(report.run_dir, name) for name in data["hosts"]}
    except (NetjobError, OSError, ValueError) as exc:
        fail(str(exc))
    if output == "json":
        document = {
            "run_id": data["run_id"],
            "report": str(report.run_dir / "report.json"),
            "interrupted": data["interrupted"],
            "summary": data["summary"],
            "hosts": {n: adhoc_answers.answer(h).as_dict() for n, h in hosts_data.items()},
        }
        typer.echo(json.dumps(document, indent=1))
        raise typer.Exit(int(exit_code(data)))
    for label, folds in adhoc_answers.sections(hosts_data, diff=diff or check):
        _print_section(console, label, folds)
    raise typer.Exit(int(print_report(report.run_dir, "table", View(console))))


def _print_section(console: Console, label: str, folds: list[Fold]) -> None:
    console.print(f"== {label}", style="bold", highlight=False, markup=False, soft_wrap=True)
    for item in folds:
        console.print(item.header, style="cyan", highlight=False, markup=False, soft_wrap=True)
        for line in item.text.rstrip("\n").splitlines():
            style = "red" if line.startswith("!! ") else None
            console.print(f"  {line}", style=style, highlight=False, markup=False, soft_wrap=True)
