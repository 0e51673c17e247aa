"""`netjob confirm RUN` and `netjob verify RUN`: changes a run left under the devices'
revert timers (--confirm), finished by hand or looked at."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

import runner.base
import runner.load
import runner.report
import runner.run
from runner.base import ExitCode, NetjobError
from runner.cli.app import (
    AskBecomePass,
    AskPass,
    AskVaultPass,
    InventoryOpt,
    Limit,
    User,
    VaultPasswordFile,
    app,
    fail,
    logins,
    password_prompt,
    run_inventories,
    vault_from,
)
from runner.cli.login_opts import PrivateKey, SshConfig

Run = Annotated[
    str,
    typer.Argument(
        help="A run folder, a job file (its latest run) or a run id.", show_default=False
    ),
]
Reports = Annotated[Path, typer.Option("--reports", help="Where run folders are.")]


@dataclass(frozen=True)
class Login:
    """The login options of the run being finished: a fresh login needs what it needed."""

    user: str | None
    ask_pass: bool
    ask_become_pass: bool
    private_key: str | None
    ssh_config: str | None


@app.command("confirm")
def confirm_run(
    run: Run,
    inventory: InventoryOpt = None,
    limit: Limit = None,
    reports: Reports = Path("reports"),
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
    user: User = None,
    ask_pass: AskPass = False,
    ask_become_pass: AskBecomePass = False,
    private_key: PrivateKey = None,
    ssh_config: SshConfig = None,
) -> None:
    """Confirm, from a fresh login each, the changes a run left pending under the devices'
    revert timers (a run killed between commit and confirm); exit 1 unless all confirmed.

    Example: netjob confirm reports/set_ntp/latest"""
    login = Login(user, ask_pass, ask_become_pass, private_key, ssh_config)
    vault = vault_from(vault_password_file, ask_vault_pass)
    _after(run, inventory, limit, reports, vault, login, False)


@app.command("verify")
def verify_run(
    run: Run,
    inventory: InventoryOpt = None,
    limit: Limit = None,
    reports: Reports = Path("reports"),
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
    user: User = None,
    ask_pass: AskPass = False,
    ask_become_pass: AskBecomePass = False,
    private_key: PrivateKey = None,
    ssh_config: SshConfig = None,
) -> None:
    """Log in to each host of a --confirm run and see which carry the change and which
    reverted; exit 1 while any is reverted, pending or unknown.

    Example: netjob verify reports/set_ntp/latest"""
    login = Login(user, ask_pass, ask_become_pass, private_key, ssh_config)
    vault = vault_from(vault_password_file, ask_vault_pass)
    _after(run, inventory, limit, reports, vault, login, True)


def _after(
    run: str,
    inventory: list[Path] | None,
    limit: str | None,
    reports: Path,
    vault: "runner.load.Vault | None",
    login: Login,
    verify_only: bool,
) -> None:
    def logged_in(hosts: tuple[runner.base.Host, ...]) -> tuple[runner.base.Host, ...]:
        hosts = runner.load.with_cli(hosts, login.private_key, login.ssh_config)
        return logins(hosts, login.user, None, login.ask_become_pass)

    try:
        folder = runner.report.resolve_run(run, reports)
        seen = runner.run.after_run(
            folder,
            run_inventories(folder, inventory),
            limit,
            vault,
            verify_only,
            prompt=password_prompt(login.ask_pass),
            logins=logged_in,
        )
    except NetjobError as exc:
        fail(str(exc))
    for item in seen:
        change = item.change
        where = f"{change.outcome:<9}  {change.host}  task '{change.task}'"
        typer.echo(f"{where}: the device carries {item.carries}")
    kept = sum(1 for item in seen if item.change.outcome == "confirmed")
    typer.echo(f"{len(seen)} host(s): {kept} confirmed, {len(seen) - kept} not")
    raise typer.Exit(int(ExitCode.OK if kept == len(seen) else ExitCode.HOSTS_FAILED))
