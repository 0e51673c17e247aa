"""`netjob rollback RUN`: each host's running config put back to the one RUN kept before
its first config line, with the platform's own replace; itself a run, with its report."""

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

import runner.base
import runner.core
import runner.load
import runner.report
import runner.run
from runner.base import NetjobError
from runner.cli.app import (
    AskBecomePass,
    AskPass,
    AskVaultPass,
    ChangeId,
    ConnectTimeout,
    InventoryOpt,
    Limit,
    User,
    VaultPasswordFile,
    Verbose,
    Workers,
    app,
    check_change_id,
    command_line,
    fail,
    logins,
    make_console,
    password_prompt,
    print_report,
    run_inventories,
    setup_logging,
    vault_from,
)
from runner.cli.cmd_run import Confirm


@app.command()
def rollback(
    run: Annotated[
        str,
        typer.Argument(
            help="The run to go back from: a run folder, a job file (its latest run) or a run id.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--check", "-C", help="Show each host's diff (running → kept); send nothing."),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", "-D", help="Show each host's diff when not --check too.")
    ] = False,
    inventory: InventoryOpt = None,
    limit: Limit = None,
    workers: Workers = runner.base.DEFAULT_WORKERS,
    reports: Annotated[Path, typer.Option("--reports", help="Where run folders are.")] = Path(
        "reports"
    ),
    user: User = None,
    timeout: ConnectTimeout = None,
    ask_pass: AskPass = False,
    ask_become_pass: AskBecomePass = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours, no live bar.")] = False,
    verbose: Verbose = 0,
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
    change_id: ChangeId = None,
    confirm: Confirm = None,
) -> None:
    """Put back each host's running config from before RUN's first config line (IOS/IOS-XE
    and EOS `configure replace`, NX-OS `rollback running-config file`, Junos `load override`
    + `commit`, IOS-XR `load` + `commit replace`); a host already on it is unchanged.
    With --confirm, each replace goes under the device's revert timer and is confirmed
    from a fresh login, as `netjob run --confirm` does. Writes reports/rollback/<run-id>/.

    Example: netjob rollback playbooks/set_ntp.yaml --check --limit core"""
    setup_logging(verbose >= 2)
    check_change_id(change_id)
    console = make_console(no_color)
    view = runner.report.View(console, diff=diff or dry_run)
    try:
        folder = runner.report.resolve_run(run, reports)
        paths = run_inventories(folder, inventory)
        vault = vault_from(vault_password_file, ask_vault_pass)
        selection, without = runner.run.rollback_selection(folder, paths, limit, vault)
        if confirm is not None:
            selection = runner.load.with_confirm(selection, confirm)
        if without:
            more = f" and {len(without) - 10} more" if len(without) > 10 else ""
            typer.echo(
                f"netjob: note: left out, run {folder.name} kept no config of: "
                f"{', '.join(without[:10])}{more}",
                err=True,
            )
        prompt = password_prompt(ask_pass)
        chosen = logins(selection.hosts, user, timeout, ask_become_pass)
        options = runner.core.RunOptions(
            workers=workers,
            reports_dir=reports,
            policy=runner.run.Policy.given(dry_run=dry_run),
            processes=runner.run.processes_for_this_machine(),
            change_id=change_id,
            command=command_line(),
        )
        selection = dataclasses.replace(selection, hosts=chosen)
        report = runner.core.run(selection, options, prompt, reporters=[view])
    except (NetjobError, OSError, ValueError) as exc:
        fail(str(exc))
    raise typer.Exit(int(print_report(report.run_dir, "table", view)))
