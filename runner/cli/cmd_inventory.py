"""`netjob hosts` and `netjob inventory convert`."""

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml

import runner.base
import runner.load
import runner.report
from runner.base import NetjobError
from runner.cli.app import (
    AskVaultPass,
    InventoryOpt,
    Limit,
    Output,
    RefreshInventory,
    ShowSecrets,
    VaultPasswordFile,
    app,
    check_output,
    fail,
    inventories,
    make_console,
    vault_from,
)


@app.command()
def hosts(
    inventory: InventoryOpt = None,
    refresh_inventory: RefreshInventory = False,
    limit: Limit = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --output json.")] = False,
    output: Output = "table",
    show_secrets: ShowSecrets = False,
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
) -> None:
    """List the hosts that match, with their merged variables.

    Example: netjob hosts --limit core --output yaml"""
    check_output(output)
    try:
        vault = vault_from(vault_password_file, ask_vault_pass)
        inv = runner.load.load_inventories(inventories(inventory), vault)
        chosen = inv.select(limit)
    except NetjobError as exc:
        fail(str(exc))
    if not show_secrets:
        chosen = runner.base.masked_hosts(chosen)
    if as_json or output == "json":
        typer.echo(json.dumps([runner.report.host_view(h) for h in chosen], indent=1, default=str))
    elif output == "yaml":
        listing = json.loads(json.dumps([runner.report.host_view(h) for h in chosen], default=str))
        typer.echo(yaml.safe_dump(listing, sort_keys=False), nl=False)
    else:
        runner.report.View(make_console()).hosts(inv, chosen)


inventory_app = typer.Typer(
    help="Inventories: convert Nornir or Ansible ones to netjob's format.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(inventory_app, name="inventory")


@inventory_app.command("convert")
def inventory_convert(
    inventory: InventoryOpt = None,
    refresh_inventory: RefreshInventory = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write this new file instead of printing.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Let --out replace a file.")] = False,
    vault_password_file: VaultPasswordFile = None,
    ask_vault_pass: AskVaultPass = False,
) -> None:
    """Print an inventory (Nornir, Ansible or netjob; several -i merge) in netjob's format.

    Example: netjob inventory convert -i examples/ansible/inventory.yml --out converted.yaml"""
    try:
        vault = vault_from(vault_password_file, ask_vault_pass)
        text = runner.load.to_netjob_yaml(
            runner.load.load_inventories(inventories(inventory), vault)
        )
    except NetjobError as exc:
        fail(str(exc))
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        fail(f"{out} exists; pick another --out, or add --force to replace it")
    # It may hold plain-text passwords taken from the source: owner-only, like reports.
    runner.base.write_private(out, text)
    typer.echo(f"netjob: wrote {out}", err=True)


@app.command()
def platforms(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Markdown, as on a pipe (the README's table).")
    ] = False,
) -> None:
    """Print what netjob does on each platform it knows: a table on a terminal, the
    README's Markdown table on a pipe or with --markdown. What the built-in lab
    simulates: netjob lab --commands.

    Example: netjob platforms
    """
    console = make_console()
    if markdown or not console.is_terminal:
        typer.echo(runner.base.support_table(), nl=False)
        return
    from rich.table import Table  # here: the other commands start without it

    header, rows = runner.base.SUPPORT_HEADER, runner.base.support_rows()
    table = Table(*header, show_lines=True)
    for row in rows:
        table.add_row(*(cell.replace("`", "") for cell in row))
    console.print(table)
    console.print("The built-in lab's platforms and commands: netjob lab --commands")
