"""The options a failure's remedy names (runner.base.errors.REMEDY_WORDS), shared by
`netjob run` and `netjob cmd`: a hint printed by either must name a flag the command that
printed it has."""

from pathlib import Path
from typing import Annotated

import typer

import runner.report
from runner.base import ExitCode
from runner.cli.app import N, fail
from runner.load import Selection

RetryFailed = Annotated[
    bool,
    typer.Option(
        "--retry-failed",
        help="Run only the hosts whose most recent attempt (in any run of this job, "
        "one cut short included; for `cmd`, any earlier `netjob cmd` in --reports) did "
        "not succeed.",
    ),
]
IncludeUnknown = Annotated[
    bool,
    typer.Option(
        "--include-unknown",
        help="With --retry-failed: also the hosts whose result never came back (from the "
        "cluster, or in flight when a run was killed: they may have been changed; look at "
        "them first).",
    ),
]
MaxLogins = Annotated[
    int,
    typer.Option(
        "--max-logins",
        min=1,
        metavar=N,
        help="Logins in flight at once (spares TACACS/RADIUS).",
    ),
]


def check_retry(retry_failed: bool, include_unknown: bool) -> None:
    """--include-unknown widens --retry-failed: alone it would be dropped without a word."""
    if include_unknown and not retry_failed:
        fail("--include-unknown widens --retry-failed: add --retry-failed, or drop it")


def unfinished(
    selection: Selection, reports: Path, include_unknown: bool, what: str, to_stderr: bool
) -> Selection:
    """--retry-failed: `selection` narrowed to the hosts still to do (runner.report.retry),
    or the command's end when there are none: exit 0 when every selected host's most
    recent attempt succeeded, 1 when some is unknown (a cron job must not read that as
    done). `what` names the job in those lines; `to_stderr`: they and the notes go there
    (`-o json`: stdout holds the document alone)."""

    def say(line: str) -> None:
        typer.echo(line, err=to_stderr)

    selection = runner.report.only_unfinished(selection, reports, say, include_unknown)
    if not selection.hosts and selection.unknown:
        say(
            f"nothing run: the most recent attempt of {len(selection.unknown)} "
            f"selected host(s) of {what} is unknown, of the others it succeeded"
        )
        raise typer.Exit(int(ExitCode.HOSTS_FAILED))
    if not selection.hosts:
        say(f"nothing to retry: the most recent attempt of every selected host of {what} succeeded")
        raise typer.Exit(int(ExitCode.OK))
    return selection
