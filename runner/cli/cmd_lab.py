"""`netjob lab`: the built-in lab in the foreground.

The lab is a package of its own (netjob_lab, `pip install 'netjob[lab]'`) that netjob runs
without: this command is the one place runner imports it, from inside the command, so every
other command starts without it (and without asyncssh) and this one says how to install it.
What the lab simulates (its platforms, faults, commands) is read from the lab itself.
"""

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from runner.base import NetjobError
from runner.cli.app import (
    MS,
    PORT,
    N,
    app,
    fail,
    setup_logging,
)


@app.command()
def lab(
    devices: Annotated[
        int,
        typer.Option(
            "--devices", "-n", min=1, max=5000, metavar=N, help="How many devices to serve."
        ),
    ] = 6,
    port: Annotated[
        int,
        typer.Option(
            "--port", "-p", min=1, max=65535, metavar=PORT, help="The first device's port."
        ),
    ] = 10022,
    inventory_out: Annotated[
        Path | None,
        typer.Option("--inventory-out", help="Write an inventory for the lab to this file."),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            help="DEVICE=FAULT[:VALUE], repeatable: auth_fail, refuse, "
            "silent, garbage_banner, close_auth, close_after_auth, hang, drop, pager, "
            "latency:MS, login_latency:MS, big_config:MB, "
            "session_limit:N, reject:CMD, stale_prompt:N, legacy, flash_free:BYTES, "
            "cut_after_commit:S, link_up_after:N.",
        ),
    ] = None,
    platforms: Annotated[
        str | None,
        typer.Option(
            "--platforms",
            metavar="TYPES",
            help="Comma list of netmiko device types the lab simulates, given to the "
            "devices in turn (--commands lists them). Default: Cisco IOS.",
        ),
    ] = None,
    first: Annotated[
        int,
        typer.Option(
            "--first", min=1, metavar=N, help="Number of the first device (r{first:03d})."
        ),
    ] = 1,
    latency_ms: Annotated[
        int,
        typer.Option("--latency-ms", min=0, metavar=MS, help="Added to every command's answer."),
    ] = 0,
    login_latency_ms: Annotated[
        int, typer.Option("--login-latency-ms", min=0, metavar=MS, help="Added to every login.")
    ] = 0,
    verbose: Annotated[
        int, typer.Option("-v", "--verbose", count=True, help="Debug log on stderr.")
    ] = 0,
    commands: Annotated[
        bool,
        typer.Option(
            "--commands", help="Print the commands each platform's devices accept, and exit."
        ),
    ] = False,
) -> None:
    """Serve simulated network devices (Cisco IOS by default) on 127.0.0.1 until interrupted.

    Example: netjob lab --devices 20 --port 10022 --inventory-out lab.yaml"""
    try:
        from netjob_lab.catalog import render
        from netjob_lab.faults import parse_faults
        from netjob_lab.inventory import inventory_yaml
        from netjob_lab.server import Lab, LabConfig
    except ModuleNotFoundError as exc:
        _not_installed(exc)
    if commands:
        typer.echo(render(), nl=False)
        return
    setup_logging(verbose >= 1)
    try:
        config = LabConfig(
            devices=devices,
            port=port,
            faults=parse_faults(fault or []),
            latency_ms=latency_ms,
            login_latency_ms=login_latency_ms,
            first=first,
            # One key across restarts, as devices keep theirs: netjob checks host keys.
            host_key_file=os.environ.get("NETJOB_LAB_HOST_KEY")
            or str(Path.home() / ".netjob" / "lab_host_key"),
        )
        if platforms is not None:  # else the lab's own default
            names = tuple(p.strip() for p in platforms.split(",") if p.strip())
            config = replace(config, platforms=names)
        server = Lab(config).start()
    except (NetjobError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    start, end = server.endpoints[0], server.endpoints[-1]
    typer.echo(
        f"netjob lab: {devices} devices {start.hostname}..{end.hostname} on "
        f"{config.host}:{start.port}-{end.port}; user {config.username}, password "
        f"{config.password}, enable {config.secret} (test credentials). Ctrl-C stops."
    )
    if inventory_out is not None:
        # Written only now that every device listens: its existence means "ready".
        tmp = inventory_out.with_name(f".{inventory_out.name}.tmp")
        tmp.write_text(inventory_yaml(server.endpoints, config))
        tmp.replace(inventory_out)
        typer.echo(f"netjob lab: inventory written to {inventory_out}")
    server.serve_forever()


def _not_installed(exc: ModuleNotFoundError) -> NoReturn:
    """The lab, or what only the lab needs (asyncssh), is not installed: say how to install
    it. A module missing inside an installed lab or runner is a bug, and raised as one."""
    missing = exc.name or ""
    if missing != "netjob_lab" and missing.split(".")[0] in ("netjob_lab", "runner"):
        raise exc
    what = "the lab" if missing == "netjob_lab" else f"{missing}, which the lab needs,"
    fail(f"{what} is not installed; install it with: pip install 'netjob[lab]'")
