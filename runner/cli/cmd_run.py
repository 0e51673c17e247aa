"""`netjob run` and `netjob plan`."""

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

import runner.base
import runner.core
import runner.load
import runner.render
import runner.report
import runner.run
from runner.base import ExitCode, NetjobError, ReportWriteError
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
    Job,
    Limit,
    ListTasks,
    N,
    Output,
    RefreshInventory,
    Retries,
    ShowSecrets,
    SkipTags,
    StartAt,
    Tags,
    User,
    VaultPasswordFile,
    Verbose,
    Workers,
    app,
    check_change_id,
    check_fold_noise,
    check_output,
    command_line,
    fail,
    inventories,
    logins,
    make_console,
    no_prompts_on_a_cluster,
    password_prompt,
    print_report,
    setup_logging,
    task_filter,
    vault_from,
)
from runner.cli.cluster_opts import Cluster, Insecure
from runner.cli.login_opts import PrivateKey, SshConfig
from runner.cli.retry_opts import (
    IncludeUnknown,
    MaxLogins,
    RetryFailed,
    check_retry,
    unfinished,
)

Confirm = Annotated[
    str | None,
    typer.Option(
        "--confirm",
        help="Apply each host's config under the device's revert timer (5m, 90s), "
        "confirm it from a fresh login; unconfirmed, the device reverts by itself.",
    ),
]


@app.command()
def run(
    job: Job,
    tags: Tags = None,
    skip_tags: SkipTags = None,
    start_at_task: StartAt = None,
    list_tasks: ListTasks = False,
    output: Output = "table",
    inventory: InventoryOpt = None,
    refresh_inventory: RefreshInventory = False,
    limit: Limit = None,
    extra_vars: ExtraVars = None,
    workers: Workers = runner.base.DEFAULT_WORKERS,
    reports: Annotated[Path, typer.Option("--reports", help="Where run folders go.")] = Path(
        "reports"
    ),
    retry_failed: RetryFailed = False,
    include_unknown: IncludeUnknown = False,
    cluster: Cluster = None,
    insecure: Insecure = False,
    host_timeout: HostTimeout = 300.0,
    retries: Retries = 2,
    max_logins: MaxLogins = 20,
    processes: Annotated[
        int,
        typer.Option(
            "--processes",
            "-P",
            min=0,
            max=64,
            metavar=N,
            help="Worker processes, the workers spread over them (past the GIL); 0: one "
            "per CPU. A process is only started for every 200 hosts.",
        ),
    ] = 0,
    serial: Annotated[
        str | None, typer.Option("--serial", help="Roll out in batches of N hosts or N% of them.")
    ] = None,
    max_fail: Annotated[
        str | None,
        typer.Option(
            "--max-fail",
            help="Start no more hosts once more than N (or N%) failed: checked before each "
            "--serial batch, or, without --serial, as each host ends (N% of all hosts); "
            "hosts in flight finish, the rest are skipped.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--check",
            "-C",
            help="Read each config step's running config and show what "
            "would change; never enter config mode.",
        ),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", "-D", help="Show each config step's diff (what was sent).")
    ] = False,
    user: User = None,
    timeout: ConnectTimeout = None,
    ask_pass: AskPass = False,
    ask_become_pass: AskBecomePass = False,
    html: Annotated[
        bool,
        typer.Option(
            "--html/--no-html",
            help=f"Write {runner.base.REPORT_HTML} beside {runner.base.REPORT_JSON}.",
        ),
    ] = True,
    keep_device_secrets: Annotated[
        bool,
        typer.Option(
            "--keep-device-secrets",
            help="Do not mask secrets in device output "
            "(e.g. backups meant for a restore); credentials stay masked.",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "-q",
            "--quiet",
            help="Print the summary only: no line per host as it finishes; the summary "
            "still names each failed host and failing check, one line each.",
        ),
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours and no live bar: plain lines.")
    ] = False,
    verbose: Verbose = 0,
    fold_noise: FoldNoise = False,
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
    private_key: PrivateKey = None,
    ssh_config: SshConfig = None,
    confirm: Confirm = None,
    change_id: ChangeId = None,
) -> None:
    """Run a job on its hosts.

    Example: netjob run playbooks/set_ntp.yaml -e ntp_server=192.0.2.10"""
    setup_logging(verbose >= 2)
    check_output(output)
    check_fold_noise(fold_noise, output)
    check_change_id(change_id)
    check_retry(retry_failed, include_unknown)
    # With --output json/yaml, stdout is for the document alone.
    console = make_console(no_color)
    view = runner.report.View(
        console,
        verbose=verbose >= 1,
        quiet=quiet or output != "table",
        diff=diff or dry_run,
    )
    try:
        selection = runner.core.select(
            job,
            inventories(inventory),
            limit,
            extra_vars or (),
            task_filter(tags, skip_tags, start_at_task),
            vault_from(vault_password_file, ask_vault_pass),
        )
        selection = runner.load.with_ssh_options(selection, private_key, ssh_config)
        if confirm is not None:
            selection = runner.load.with_confirm(selection, confirm)
        if list_tasks:
            view.tasks(selection.job)
            raise typer.Exit(int(ExitCode.OK))
        if retry_failed:
            selection = unfinished(selection, reports, include_unknown, str(job), output != "table")
        # netmiko: imported once hosts are to run
        policy = runner.run.Policy.given(
            host_timeout=host_timeout, retries=retries, max_logins=max_logins, dry_run=dry_run
        )
        interrupt = runner.run.Interrupt(view.interrupted)

        no_prompts_on_a_cluster(cluster, ask_pass, ask_become_pass)
        prompt = password_prompt(ask_pass)
        hosts = logins(selection.hosts, user, timeout, ask_become_pass)
        selection = dataclasses.replace(selection, hosts=hosts)
        options = runner.core.RunOptions(
            workers=workers,
            reports_dir=reports,
            policy=policy,
            processes=processes or runner.run.processes_for_this_machine(),
            serial=runner.run.Amount.parse(serial, "--serial") if serial else None,
            max_fail=runner.run.Amount.parse(max_fail, "--max-fail") if max_fail else None,
            html=html,
            device_secrets_masked=not keep_device_secrets,
            cluster=runner.run.ClusterOptions(cluster, insecure=insecure) if cluster else None,
            change_id=change_id,
            command=command_line(),
        )
        # A live bar only where a person watches: a terminal, colours allowed, not -q.
        if console.is_terminal and not console.no_color and not view.quiet:
            with runner.report.LiveView(view, len(selection.hosts)) as live:
                report = runner.core.run(
                    selection, options, prompt=prompt, interrupt=interrupt, reporters=[live]
                )
        else:
            report = runner.core.run(
                selection, options, prompt=prompt, interrupt=interrupt, reporters=[view]
            )
    except ReportWriteError as exc:
        fail(str(exc), ExitCode.REPORT_NOT_WRITTEN)
    except NetjobError as exc:
        fail(str(exc))
    if (view.verbose or fold_noise) and not view.quiet:
        # -v: what devices said, each distinct output once (--fold-noise: without noise).
        noise = selection.job.normalize if fold_noise else None
        view.folded(runner.report.hosts_data(report.run_dir), noise)
    raise typer.Exit(int(print_report(report.run_dir, output, view)))


@app.command()
def plan(
    job: Job,
    tags: Tags = None,
    skip_tags: SkipTags = None,
    start_at_task: StartAt = None,
    list_tasks: ListTasks = False,
    inventory: InventoryOpt = None,
    refresh_inventory: RefreshInventory = False,
    limit: Limit = None,
    extra_vars: ExtraVars = None,
    show_secrets: ShowSecrets = False,
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
    confirm: Confirm = None,
) -> None:
    """Render every command for every host and print them; connect to nothing.

    Example: netjob plan playbooks/set_ntp.yaml -e ntp_server=192.0.2.10"""
    try:
        selection = runner.core.select(
            job,
            inventories(inventory),
            limit,
            extra_vars or (),
            task_filter(tags, skip_tags, start_at_task),
            vault_from(vault_password_file, ask_vault_pass),
        )
        if confirm is not None:
            selection = runner.load.with_confirm(selection, confirm)
        if list_tasks:
            runner.report.View(make_console()).tasks(selection.job)
            raise typer.Exit(int(ExitCode.OK))
        items = runner.render.decide(runner.core.plan(selection))
    except NetjobError as exc:
        fail(str(exc))
    view = runner.report.View(make_console())
    view.plan(items if show_secrets else runner.render.masked_plan(items, selection))
