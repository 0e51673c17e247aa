"""The `netjob` command: parse, call runner.core, print, exit. No logic lives here.

Errors are one line on stderr, never a traceback; exit codes are runner.errors.ExitCode.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import yaml
from rich.console import Console

from runner import __version__, core
from runner.console import LiveView, View, host_view
from runner.errors import ExitCode, NetjobError
from runner.executor import Policy
from runner.models import Report
from runner.redact import LogFilter
from runner.rollout import Amount
from runner.scheduler import DEFAULT_WORKERS

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")

app = typer.Typer(
    name="netjob",
    help="Run YAML job files against many network devices over SSH.\n\n"
    "Example: netjob run playbooks/show_ip_int_brief.yaml --limit core",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Job = Annotated[
    Path, typer.Argument(help="The job file, e.g. playbooks/show_version.yaml.", show_default=False)
]
InventoryOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "-i",
        "--inventory",
        help="Inventory file or folder (netjob, Nornir SimpleInventory or Ansible YAML); "
        "repeat to merge several. Default: inventory.yaml.",
    ),
]


def _inventories(given: list[Path] | None) -> list[Path]:
    return given or [Path("inventory.yaml")]


Limit = Annotated[
    str | None,
    typer.Option("--limit", "-l", help="Hosts, groups or globs, comma-separated; !x excludes."),
]
ExtraVars = Annotated[
    list[str] | None,
    typer.Option(
        "-e", "--extra-vars", help="key=value or @file.yaml; beats inventory and job vars."
    ),
]
Verbose = Annotated[
    int,
    typer.Option(
        "-v",
        "--verbose",
        count=True,
        help="-v: the task each in-flight host is on; -vv: debug log on stderr.",
    ),
]
Tags = Annotated[
    list[str] | None, typer.Option("--tags", "-t", help="Only tasks with one of these tags.")
]
SkipTags = Annotated[
    list[str] | None, typer.Option("--skip-tags", help="Leave out tasks with these tags.")
]
StartAt = Annotated[
    str | None, typer.Option("--start-at-task", help="Begin at the task of this name.")
]
Output = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        help="table (for people), json or yaml (for tools; the "
        "format is schema/report.schema.json).",
    ),
]
ListTasks = Annotated[
    bool, typer.Option("--list-tasks", help="List the tasks that would run, and stop.")
]


def _task_filter(
    tags: list[str] | None, skip: list[str] | None, start: str | None
) -> core.TaskFilter:
    return core.TaskFilter(_split(tags), _split(skip), start)


def _split(values: list[str] | None) -> tuple[str, ...]:
    """`--tags a,b --tags c` → (a, b, c)."""
    return tuple(t.strip() for v in values or () for t in v.split(",") if t.strip())


def _fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    # One line, whatever the input held: control characters are shown escaped.
    line = _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], message)
    typer.echo(f"netjob: error: {line}", err=True)
    raise typer.Exit(int(code))


def _console(no_color: bool = False) -> Console:
    return Console(highlight=False, no_color=no_color or "NO_COLOR" in os.environ)


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(LogFilter())  # the same redaction as every file netjob writes
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.CRITICAL,
        format="%(asctime)s %(threadName)s %(name)s: %(message)s",
        handlers=[handler],
    )
    if not verbose:  # paramiko logs tracebacks of its own on failed sessions
        logging.getLogger("paramiko").setLevel(logging.CRITICAL + 1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"netjob {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Run YAML job files against many network devices over SSH."""


@app.command()
def run(
    job: Job,
    tags: Tags = None,
    skip_tags: SkipTags = None,
    start_at_task: StartAt = None,
    list_tasks: ListTasks = False,
    output: Output = "table",
    inventory: InventoryOpt = None,
    limit: Limit = None,
    extra_vars: ExtraVars = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=5000, help="Hosts worked on at once.")
    ] = DEFAULT_WORKERS,
    reports: Annotated[Path, typer.Option("--reports", help="Where run folders go.")] = Path(
        "reports"
    ),
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed", help="Run only the hosts that did not succeed in this job's last run."
        ),
    ] = False,
    host_timeout: Annotated[
        float,
        typer.Option(
            "--host-timeout", min=1, help="Seconds one host may take in all; then it is cut off."
        ),
    ] = 300.0,
    retries: Annotated[
        int,
        typer.Option(
            "--retries", min=0, max=10, help="Retries of failed logins (never of sent config)."
        ),
    ] = 2,
    max_logins: Annotated[
        int,
        typer.Option(
            "--max-logins", min=1, help="Logins in flight at once (spares TACACS/RADIUS)."
        ),
    ] = 20,
    processes: Annotated[
        int,
        typer.Option(
            "--processes",
            "-P",
            min=1,
            max=64,
            help="Worker processes; the workers are spread over them (past the GIL).",
        ),
    ] = 1,
    serial: Annotated[
        str | None, typer.Option("--serial", help="Roll out in batches of N hosts or N% of them.")
    ] = None,
    max_fail: Annotated[
        str | None,
        typer.Option(
            "--max-fail", help="Stop before the next batch once more than N (or N%) failed."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Read each config step's running config and show what "
            "would change; never enter config mode.",
        ),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show each config step's diff (what was sent).")
    ] = False,
    ask_pass: Annotated[
        bool,
        typer.Option("--ask-pass", "-k", help="Prompt for passwords not set in the environment."),
    ] = False,
    html: Annotated[
        bool, typer.Option("--html/--no-html", help="Write report.html beside report.json.")
    ] = True,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print the summary only.")] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours and no live bar: plain lines.")
    ] = False,
    verbose: Verbose = 0,
) -> None:
    """Run a job on its hosts.

    Example: netjob run playbooks/set_ntp.yaml -e ntp_server=192.0.2.10"""
    _setup_logging(verbose >= 2)
    _check_output(output)
    # With --output json/yaml, stdout is for the document alone.
    console = _console(no_color)
    view = View(console, verbose=verbose >= 1, quiet=quiet or output != "table", diff=diff or check)
    try:
        selection = core.select(
            job,
            _inventories(inventory),
            limit,
            extra_vars or (),
            _task_filter(tags, skip_tags, start_at_task),
        )
        if list_tasks:
            view.tasks(selection.job)
            raise typer.Exit(int(ExitCode.OK))
        if retry_failed:
            selection = core.only_unfinished(selection, reports)
            if not selection.hosts:
                typer.echo(f"nothing to retry: every host succeeded in the last run of {job}")
                raise typer.Exit(int(ExitCode.OK))
        options = core.RunOptions(
            workers=workers,
            reports_dir=reports,
            policy=Policy(
                host_timeout=host_timeout, retries=retries, max_logins=max_logins, check=check
            ),
            processes=processes,
            serial=Amount.parse(serial, "--serial") if serial else None,
            max_fail=Amount.parse(max_fail, "--max-fail") if max_fail else None,
        )
        prompt = getpass.getpass if ask_pass else None
        # A live bar only where a person watches: a terminal, colours allowed, not -q.
        if console.is_terminal and not console.no_color and not view.quiet and not ask_pass:
            with LiveView(view, len(selection.hosts)) as live:
                report = core.run(
                    selection,
                    options,
                    prompt=prompt,
                    on_result=live.host_done,
                    on_progress=live.progress,
                )
        else:
            report = core.run(selection, options, prompt=prompt, on_result=view.host_done)
    except NetjobError as exc:
        _fail(str(exc))
    _print_report(report.run_dir, output, view)
    raise typer.Exit(int(exit_code(report)))


def _print_report(run_dir: Path, output: str, view: View) -> None:
    from runner.history import report_data

    data = report_data(run_dir)
    if output == "json":
        typer.echo(json.dumps(data, indent=1))
    elif output == "yaml":
        typer.echo(yaml.safe_dump(data, sort_keys=False), nl=False)
    else:
        view.summary(data, run_dir)


def _check_output(output: str) -> None:
    if output not in ("table", "json", "yaml"):
        _fail(f"--output {output!r}: expected table, json or yaml")


def exit_code(report: Report) -> ExitCode:
    if report.interrupted:
        return ExitCode.INTERRUPTED
    if report.failed or report.stopped:
        return ExitCode.HOSTS_FAILED
    return ExitCode.NONCOMPLIANT if report.noncompliant else ExitCode.OK


@app.command()
def plan(
    job: Job,
    tags: Tags = None,
    skip_tags: SkipTags = None,
    start_at_task: StartAt = None,
    list_tasks: ListTasks = False,
    inventory: InventoryOpt = None,
    limit: Limit = None,
    extra_vars: ExtraVars = None,
) -> None:
    """Render every command for every host and print them; connect to nothing.

    Example: netjob plan playbooks/set_ntp.yaml -e ntp_server=192.0.2.10"""
    try:
        selection = core.select(
            job,
            _inventories(inventory),
            limit,
            extra_vars or (),
            _task_filter(tags, skip_tags, start_at_task),
        )
        if list_tasks:
            View(_console()).tasks(selection.job)
            raise typer.Exit(int(ExitCode.OK))
        items = core.plan(selection)
    except NetjobError as exc:
        _fail(str(exc))
    View(_console()).plan(items)


@app.command()
def hosts(
    inventory: InventoryOpt = None,
    limit: Limit = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --output json.")] = False,
    output: Output = "table",
) -> None:
    """List the hosts that match, with their merged variables.

    Example: netjob hosts --limit core --output yaml"""
    _check_output(output)
    try:
        inv = core.load_inventories(_inventories(inventory))
        chosen = inv.select(limit)
    except NetjobError as exc:
        _fail(str(exc))
    if as_json or output == "json":
        typer.echo(json.dumps([host_view(h) for h in chosen], indent=1, default=str))
    elif output == "yaml":
        typer.echo(
            yaml.safe_dump(
                json.loads(json.dumps([host_view(h) for h in chosen], default=str)), sort_keys=False
            ),
            nl=False,
        )
    else:
        View(_console()).hosts(inv, chosen)


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
    """Show a past run's summary.

    Example: netjob report playbooks/compliance_audit.yaml"""
    from runner.history import resolve_run

    _check_output(output)
    try:
        folder = resolve_run(run, reports)
        _print_report(folder, output, View(_console()))
    except NetjobError as exc:
        _fail(str(exc))


@app.command()
def show(
    run: Annotated[
        str,
        typer.Argument(
            help="A run folder, a job file (its latest run) or a run id.", show_default=False
        ),
    ],
    host: Annotated[str, typer.Argument(help="The host.", show_default=False)],
    task: Annotated[str | None, typer.Argument(help="Only this task.", show_default=False)] = None,
    reports: Reports = Path("reports"),
) -> None:
    """Print what a device said in a past run.

    Example: netjob show playbooks/show_ip_int_brief.yaml r001 interfaces"""
    from runner.history import host_data, resolve_run

    try:
        data = host_data(resolve_run(run, reports), host)
    except NetjobError as exc:
        _fail(str(exc))
    View(_console()).outputs(data, task)


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
    from runner import history
    from runner.drift import DriftKind, render_drift
    from runner.playbook import load_job

    try:
        before, after = history.pick(reports, job, run or [])
        drifts = history.drift(before, after, load_job(job).normalize)
    except NetjobError as exc:
        _fail(str(exc))
    typer.echo(f"netjob diff: {before.name} -> {after.name}")
    typer.echo(render_drift(drifts), nl=False)
    drifted = any(d.kind is not DriftKind.SAME for d in drifts)
    raise typer.Exit(int(ExitCode.HOSTS_FAILED if drifted else ExitCode.OK))


inventory_app = typer.Typer(
    help="Inventories: convert Nornir or Ansible ones to netjob's format.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(inventory_app, name="inventory")


@inventory_app.command("convert")
def inventory_convert(
    inventory: InventoryOpt = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print an inventory (Nornir, Ansible or netjob; several -i merge) in netjob's format.

    Example: netjob inventory convert -i examples/ansible/inventory.yml -o inventory.yaml"""
    from runner.formats import to_netjob_yaml

    try:
        text = to_netjob_yaml(core.load_inventories(_inventories(inventory)))
    except NetjobError as exc:
        _fail(str(exc))
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        typer.echo(f"netjob: wrote {output}", err=True)


@app.command()
def lab(
    devices: Annotated[
        int, typer.Option("--devices", "-n", min=1, max=5000, help="How many devices to serve.")
    ] = 6,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="The first device's port.")
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
            "silent, hang, drop, latency:MS, login_latency:MS, big_config:MB, "
            "session_limit:N, reject:CMD.",
        ),
    ] = None,
    platforms: Annotated[
        str,
        typer.Option(
            "--platforms",
            help="Comma list of netmiko device types, given to the "
            "devices in turn: cisco_ios, arista_eos, juniper_junos.",
        ),
    ] = "cisco_ios",
    first: Annotated[
        int, typer.Option("--first", min=1, help="Number of the first device (r{first:03d}).")
    ] = 1,
    latency_ms: Annotated[
        int, typer.Option("--latency-ms", min=0, help="Added to every command's answer.")
    ] = 0,
    login_latency_ms: Annotated[
        int, typer.Option("--login-latency-ms", min=0, help="Added to every login.")
    ] = 0,
    verbose: Verbose = 0,
) -> None:
    """Serve simulated Cisco IOS devices on 127.0.0.1 until interrupted.

    Example: netjob lab --devices 20 --port 10022 --inventory-out lab.yaml"""
    from runner.lab.faults import parse_faults
    from runner.lab.inventory import inventory_yaml
    from runner.lab.server import Lab, LabConfig

    _setup_logging(verbose >= 1)
    try:
        config = LabConfig(
            devices=devices,
            port=port,
            faults=parse_faults(fault or []),
            latency_ms=latency_ms,
            login_latency_ms=login_latency_ms,
            platforms=tuple(p.strip() for p in platforms.split(",") if p.strip()),
            first=first,
        )
        server = Lab(config).start()
    except (NetjobError, ValueError, RuntimeError) as exc:
        _fail(str(exc))
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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; usage errors become one line, like ours."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="netjob", standalone_mode=False)
    except KeyboardInterrupt:
        typer.echo("netjob: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        typer.echo("netjob: aborted", err=True)
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:
        # typer's (vendored click) usage errors; matched by shape, not by a private import.
        if not hasattr(exc, "format_message") or not hasattr(exc, "exit_code"):
            raise
        if not args or type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            return int(ExitCode.BAD_INPUT)
        known = {
            c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
        }
        command = f"netjob {args[0]}" if args[0] in known else "netjob"
        message = " ".join(str(exc.format_message()).split()).rstrip(".")
        typer.echo(f"netjob: error: {message}; see '{command} --help'", err=True)
        return int(exc.exit_code) or int(ExitCode.BAD_INPUT)
    return result if isinstance(result, int) else 0


def entry() -> None:
    """The console script."""
    sys.exit(main())
