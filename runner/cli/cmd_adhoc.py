"""`netjob cmd`: ad-hoc commands on many hosts, their answers folded on the console."""

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

import runner.base
import runner.core
import runner.load
import runner.report
import runner.run
from runner.base import NetjobError, SelectionError
from runner.cli.app import (
    AskBecomePass,
    AskPass,
    AskVaultPass,
    ChangeId,
    ConnectTimeout,
    ExtraVars,
    FoldNoise,
    HostTimeout,
    InventoryOpt,
    Limit,
    RefreshInventory,
    Retries,
    User,
    VaultPasswordFile,
    Verbose,
    Workers,
    app,
    check_change_id,
    check_fold_noise,
    command_line,
    fail,
    inventories,
    logins,
    make_console,
    password_prompt,
    print_report,
    setup_logging,
    vault_from,
)
from runner.cli.login_opts import PrivateKey, SshConfig
from runner.cli.retry_opts import (
    IncludeUnknown,
    MaxLogins,
    RetryFailed,
    check_retry,
    unfinished,
)


@app.command("cmd")
def cmd(
    commands: Annotated[
        list[str] | None,
        typer.Argument(
            help="Show commands to run, each one argument (quote it).", show_default=False
        ),
    ] = None,
    per_platform: Annotated[
        list[str] | None,
        typer.Option(
            "--for",
            metavar="<PLATFORM=COMMAND>",
            help="A show command for the hosts of one platform only, in place of the "
            "arguments (repeatable; PLATFORM read as an inventory's platform: is): one line "
            "for a mixed fleet. See `netjob platforms`.",
            show_default=False,
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
    dry_run: Annotated[
        bool,
        typer.Option("--check", "-C", help="Show what --config would change; send nothing."),
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", "-D", help="Show --config's diff.")] = False,
    inventory: InventoryOpt = None,
    refresh_inventory: RefreshInventory = False,
    limit: Limit = None,
    extra_vars: ExtraVars = None,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="table (folded, for people) or json (host → command → output)."
        ),
    ] = "table",
    workers: Workers = runner.base.DEFAULT_WORKERS,
    reports: Annotated[Path, typer.Option("--reports", help="Where run folders go.")] = Path(
        "reports"
    ),
    retry_failed: RetryFailed = False,
    include_unknown: IncludeUnknown = False,
    user: User = None,
    timeout: ConnectTimeout = None,
    ask_pass: AskPass = False,
    ask_become_pass: AskBecomePass = False,
    host_timeout: HostTimeout = 300.0,
    retries: Retries = 2,
    max_logins: MaxLogins = 20,
    quiet: Annotated[
        bool,
        typer.Option(
            "-q",
            "--quiet",
            help="The answers only: no live bar, no summary (a failed host's answer says "
            "why; the exit code is run's).",
        ),
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours, no live bar.")] = False,
    verbose: Verbose = 0,
    fold_noise: FoldNoise = False,
    change_id: ChangeId = None,
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
    private_key: PrivateKey = None,
    ssh_config: SshConfig = None,
) -> None:
    """Run commands on hosts and print what each said; identical answers are printed once,
    under the hosts that gave them. Writes reports/adhoc/<run-id>/ like a job.

    Example: netjob cmd "show version" --for huawei='display version' --limit core"""
    setup_logging(verbose >= 2)
    if output not in ("table", "json"):
        fail(f"--output {output!r}: expected table or json")
    check_fold_noise(fold_noise, output)
    check_change_id(change_id)
    check_retry(retry_failed, include_unknown)
    console = make_console(no_color)
    view = runner.report.View(console, quiet=True)
    try:
        vault = vault_from(vault_password_file, ask_vault_pass)
        inventory_data = runner.load.load_inventories(inventories(inventory), vault)
        hosts = list(
            runner.load.with_cli(tuple(inventory_data.select(limit)), private_key, ssh_config)
        )
        if not hosts:
            raise SelectionError(f"no host matches --limit '{limit}'; see `netjob hosts`")
        job = runner.load.adhoc_job(commands or [], config or [], per_platform or [])
        extra = runner.load.parse_extra_vars(extra_vars or ())
        paths = tuple(inventories(inventory))
        selection = runner.load.Selection(
            job, inventory_data, tuple(hosts), extra, limit=limit, inventories=paths
        )
        if retry_failed:  # the hosts whose last `netjob cmd` here did not succeed
            notes = output != "table"  # -o json: stdout is the document's alone
            selection = unfinished(selection, reports, include_unknown, "netjob cmd", notes)
        # The hosts that will run, each with a command (--for): before any prompt.
        runner.load.refuse_uncovered(job, selection.hosts)
        prompt = password_prompt(ask_pass)
        chosen = logins(selection.hosts, user, timeout, ask_become_pass)
        selection = dataclasses.replace(selection, hosts=tuple(chosen))
        options = runner.core.RunOptions(
            workers=workers,
            reports_dir=reports,
            # netmiko: imported once hosts are to run
            policy=runner.run.Policy.given(
                dry_run=dry_run, host_timeout=host_timeout, retries=retries, max_logins=max_logins
            ),
            processes=runner.run.processes_for_this_machine(),
            change_id=change_id,
            command=command_line(),
        )
        if output == "table" and console.is_terminal and not console.no_color and not quiet:
            with runner.report.LiveView(view, len(selection.hosts)) as live:
                report = runner.core.run(selection, options, prompt, reporters=[live])
        else:
            report = runner.core.run(selection, options, prompt)
        answers = runner.report.read_answers(report.run_dir)
    except (NetjobError, OSError, ValueError) as exc:
        fail(str(exc))
    if output == "json":
        typer.echo(json.dumps(answers.document(), indent=1))
        raise typer.Exit(int(answers.exit_code))
    for label, folds in answers.sections(diff=diff or dry_run, noise=() if fold_noise else None):
        view.print_folds(label, folds)  # one heading, then each distinct answer under its hosts
    if quiet:
        raise typer.Exit(int(answers.exit_code))
    raise typer.Exit(int(print_report(report.run_dir, "table", runner.report.View(console))))
