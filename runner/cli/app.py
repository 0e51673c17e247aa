"""The typer app of `netjob`, its shared options, and the one boundary where errors become
one line on stderr and exit codes (runner.base.errors.ExitCode). No logic lives here.
"""

import dataclasses
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import yaml

import runner.base
import runner.load
import runner.report
from runner import __version__
from runner.base import ExitCode, Host, InputError
from runner.cli.pipe import make_console as make_console  # the commands' console
from runner.cli.pipe import stdout_gone

if TYPE_CHECKING:
    from runner.load import Vault
    from runner.report import View  # rich's tables, imported by the commands

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")

app = typer.Typer(
    name="netjob",
    help="Run YAML job files against many network devices over SSH.\n\n"
    "Example: netjob run playbooks/show_ip_int_brief.yaml --limit core",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # Ansible's -h; sub-commands and sub-apps inherit it from this context.
    context_settings={"help_option_names": ["-h", "--help"]},
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


def inventories(given: list[Path] | None) -> list[Path]:
    return given or [Path("inventory.yaml")]


def run_inventories(folder: Path, given: list[Path] | None) -> list[Path]:
    """For a command on a past run (rollback, confirm, verify): -i when given, else the
    inventory the run read (another one may give a host's name to another device)."""
    recorded = [] if given else runner.report.run_inventories(folder)
    if recorded:
        typer.echo(
            f"netjob: note: the inventory of run {folder.name}: "
            f"{', '.join(str(p) for p in recorded)}",
            err=True,
        )
    return recorded or inventories(given)


def _refresh_inventory(value: bool) -> None:
    runner.load.refresh_inventory(value)


RefreshInventory = Annotated[
    bool,
    typer.Option(
        "--refresh-inventory",
        callback=_refresh_inventory,
        help="Fetch a NetBox or Nautobot inventory anew, not its cached snapshot (cache_ttl).",
    ),
]


ChangeId = Annotated[
    str | None,
    typer.Option(
        "--change-id",
        metavar="<TEXT>",
        help="The change ticket this run carries out (e.g. CHG-1), kept in its change record.",
    ),
]
# The words `main` was given, for a run's change record (typer keeps no raw argv).
_COMMAND_LINE: ContextVar[tuple[str, ...] | None] = ContextVar("command_line", default=None)


def command_line() -> tuple[str, ...] | None:
    """The command line as typed (`netjob` and its words), or None when the app was
    called without `main` (a test's CliRunner)."""
    return _COMMAND_LINE.get()


def check_change_id(change_id: str | None) -> None:
    """A ticket is one line of text: control characters would forge lines in the history."""
    if change_id is not None and (not change_id.strip() or _CONTROL.search(change_id)):
        fail(f"--change-id {change_id!r}: give the ticket as one line of text, e.g. CHG-1")


VaultPasswordFile = Annotated[
    Path | None,
    typer.Option(
        "--vault-password-file",
        help="Decrypt an Ansible inventory's !vault values with the password in this file "
        "(an executable file: its output). Needs ansible-core: pip install 'netjob[ansible]'.",
    ),
]
AskVaultPass = Annotated[
    bool,
    typer.Option("--ask-vault-pass", help="Prompt for the Ansible Vault password."),
]


def vault_from(password_file: Path | None, ask: bool) -> "Vault | None":
    """The Vault of --vault-password-file / --ask-vault-pass (as Ansible's), or None."""
    if password_file is not None and ask:
        raise InputError("give --vault-password-file or --ask-vault-pass, not both")
    if password_file is not None:
        return runner.load.Vault.from_file(password_file)
    return runner.load.Vault(getpass.getpass("Vault password: ")) if ask else None


# Ansible's connection flags, on `run` and `cmd`. Metavars say what a number counts
# (typer's own read `<int range>`).
N = "<N>"
SECONDS = "<SECONDS>"
PORT = "<PORT>"
MS = "<MS>"
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        "-w",
        "--forks",
        "-f",
        min=1,
        max=5000,
        metavar=N,
        help="Hosts worked on at once.",
    ),
]
HostTimeout = Annotated[
    float,
    typer.Option(
        "--host-timeout",
        min=1,
        metavar=SECONDS,
        help="Seconds one host may take in all; then it is cut off.",
    ),
]
Retries = Annotated[
    int,
    typer.Option(
        "--retries",
        min=0,
        max=10,
        metavar=N,
        help="Retries of failed logins (never of sent config).",
    ),
]
User = Annotated[
    str | None,
    typer.Option("--user", "-u", help="Log in as this user on every host (over the inventory's)."),
]
ConnectTimeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        "-T",
        min=1,
        metavar=SECONDS,
        help="Seconds to wait for each SSH connection (over the inventory's conn_timeout; "
        "default 10).",
    ),
]
AskPass = Annotated[
    bool,
    typer.Option(
        "--ask-pass",
        "-k",
        help="Prompt once for the SSH password ('SSH password:'), for every host whose "
        "password the inventory or its environment variable does not give.",
    ),
]
AskBecomePass = Annotated[
    bool,
    typer.Option(
        "--ask-become-pass",
        "-K",
        help="Prompt once for the enable secret ('BECOME password:'), for every host whose "
        "secret the inventory or its environment variable does not give.",
    ),
]


def logins(
    hosts: Sequence[Host],
    user: str | None,
    timeout: float | None,
    ask_become_pass: bool,
    environ: Mapping[str, str] | None = None,
) -> tuple[Host, ...]:
    """-u and -T for every host; -K's secret where the inventory gives none (as Ansible's,
    inventory values win over -k/-K)."""
    env = os.environ if environ is None else environ
    secret = getpass.getpass("BECOME password: ") if ask_become_pass else None
    changed = []
    for host in hosts:
        if user:
            host = dataclasses.replace(host, username=user)
        if timeout is not None:
            connection = dataclasses.replace(host.connection, conn_timeout=timeout)
            host = dataclasses.replace(host, connection=connection)
        if secret is not None and host.secret is None and not env.get(host.secret_env or ""):
            host = dataclasses.replace(host, secret=secret)
        changed.append(host)
    return tuple(changed)


def password_prompt(ask_pass: bool) -> Callable[[str], str] | None:
    """-k: one `SSH password:` prompt (asked now, before -K's, as Ansible asks), its answer
    for every host that needs a password."""
    if not ask_pass:
        return None
    answer = getpass.getpass("SSH password: ")
    return lambda _: answer


def no_prompts_on_a_cluster(cluster: str | None, ask_pass: bool, ask_become_pass: bool) -> None:
    if cluster and (ask_pass or ask_become_pass):
        raise InputError(
            "-k/-K prompt on this machine, and with --cluster the pollers read credentials "
            "from their own environment: set password_env/secret_env there instead"
        )


Limit = Annotated[
    str | None,
    typer.Option(
        "--limit",
        "-l",
        help="Hosts, groups or globs, separated by , or : (Ansible's patterns): "
        "&x intersects, !x excludes, @file reads names, one a line.",
    ),
]
ExtraVars = Annotated[
    list[str] | None,
    typer.Option(
        "-e",
        "--extra-vars",
        help='key=value, a JSON/YAML object (\'{"ntp_servers": ["192.0.2.1"]}\') or '
        "@file.yaml (repeatable; beats inventory and job vars). In key=value, numbers, "
        "true/false and [lists]/{maps} are typed; other values (15.10, 010, yes) stay text.",
    ),
]
Verbose = Annotated[
    int,
    typer.Option(
        "-v",
        "--verbose",
        count=True,
        help="-v: what devices said, at the end, each distinct output once under the hosts "
        "that gave it, and the task each in-flight host is on; -vv: also the debug log on "
        "stderr, each line naming its host.",
    ),
]
FoldNoise = Annotated[
    bool,
    typer.Option(
        "--fold-noise",
        help="Fold outputs that differ only in noise (clock, uptime, counters: the rules of "
        "`netjob diff`), so `show clock` on every host is one group; the first host's shown.",
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
ShowSecrets = Annotated[
    bool,
    typer.Option(
        "--show-secrets",
        help="Print the values of secret-looking variables (*password*, *secret*, "
        "*community*, *_key, ...), masked otherwise.",
    ),
]


def task_filter(
    tags: list[str] | None, skip: list[str] | None, start: str | None
) -> runner.load.TaskFilter:
    return runner.load.TaskFilter(_split(tags), _split(skip), start)


def _split(values: list[str] | None) -> tuple[str, ...]:
    """`--tags a,b --tags c` → (a, b, c)."""
    return tuple(t.strip() for v in values or () for t in v.split(",") if t.strip())


def fail(message: str, code: ExitCode = ExitCode.BAD_INPUT) -> NoReturn:
    # One line, whatever the input held: control characters are shown escaped.
    line = _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], message)
    typer.echo(f"netjob: error: {line}", err=True)
    raise typer.Exit(int(code))


class _Notes(logging.Handler):
    """`runner.notes` messages (a job read in a lenient way, say): one line on stderr each,
    whatever -v says; looked up at each message, so a captured stderr gets them."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"netjob: note: {record.getMessage()}", err=True)


_notes = logging.getLogger("runner.notes")
_notes.addHandler(_Notes())
_notes.setLevel(logging.INFO)
_notes.propagate = False


def setup_logging(verbose: bool) -> None:
    runner.base.log_to_stderr(verbose)


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


def print_report(run_dir: Path, output: str, view: "View") -> ExitCode:
    """Print a run from its report.json and return its exit code: `run` and `report` agree."""
    past = runner.report.read_run(run_dir)
    code = past.exit_code
    if output == "json":
        typer.echo(json.dumps(past.document, indent=1))
    elif output == "yaml":
        typer.echo(yaml.safe_dump(past.document, sort_keys=False), nl=False)
    else:
        view.summary(past.report, run_dir)
        if code is ExitCode.NONCOMPLIANT:
            view.console.print(
                "exit code 3: every host ran, and some are not compliant", highlight=False
            )
    return code


def check_output(output: str) -> None:
    if output not in ("table", "json", "yaml"):
        fail(f"--output {output!r}: expected table, json or yaml")


def check_fold_noise(fold_noise: bool, output: str) -> None:
    """--fold-noise folds what the table shows; a document lists every host's answer."""
    if fold_noise and output != "table":
        fail(f"--fold-noise folds the table; --output {output} gives every host's own answer")


def exit_code(data: Mapping[str, Any]) -> ExitCode:
    """A run's exit code, from its report.json (see the README's table)."""
    return runner.report.exit_code(data)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; usage errors become one line, like ours."""
    args = sys.argv[1:] if argv is None else argv
    token = _COMMAND_LINE.set(("netjob", *args))
    runner.load.refresh_inventory(False)  # only for the command that says --refresh-inventory
    try:
        result = app(args=args, prog_name="netjob", standalone_mode=False)
    except KeyboardInterrupt:
        typer.echo("netjob: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:  # a plain write (not the console's) after stdout's reader left
        stdout_gone()
        return 1
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
    finally:
        _COMMAND_LINE.reset(token)
    return result if isinstance(result, int) else 0


def entry() -> None:
    """The console script."""
    sys.exit(main())
