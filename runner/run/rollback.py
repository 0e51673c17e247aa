"""Rollback on the device side: every config run keeps each host's running config from
before its first config line, and `netjob rollback RUN` puts it back with the platform's
own replace (the platform table's `replace`, runner.base.replaces).

The kept config is the device's own text, secrets and all: a restore from a masked copy
would write the mask onto the device. So it is kept unmasked, in the run folder's
`pre-change/<host>.cfg`, owner-only (0600 in a 0700 folder, as `save_to:` backups), and
never printed: the report, the console and the host logs show only its diff with the
running config, and that goes through the Redactor like every other diff.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base import platforms, run_layout
from runner.base.errors import (
    CommandRejectedError,
    DeviceError,
    FailureClass,
    InputError,
    SelectionError,
)
from runner.base.models import Host, Job, Status, Step, StepResult, Task, TaskKind
from runner.base.pending_confirm import PENDING
from runner.base.replaces import Replace
from runner.base.revert_timer import TimedChange
from runner.base.safe_files import write_private
from runner.run.confirm import timed_change

if TYPE_CHECKING:
    from runner.device.connection import Connection
    from runner.load.selection import Selection
    from runner.load.vault import Vault
    from runner.run.step import HostState


def kept_path(run_dir: Path, host: str) -> Path:
    """Where a run keeps a host's running config from before its first config line."""
    return run_layout.kept_config(run_dir, host)


def keep(state: HostState, connection: Connection, timeout: float, running: str) -> None:
    """The host's running config, read before its first config line: kept once per run
    (read again in the form its replace takes, where that is another show)."""
    if state.keep_dir is None or state.kept:
        return
    state.kept = True
    recipe = platforms.lookup(state.host.platform).replace
    if recipe is not None and recipe.kept_from:
        running = connection.send_show(recipe.kept_from, timeout, None)
    state.keep_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # a poller makes its own
    path = kept_path(state.keep_dir.parent, state.host.name)
    write_private(path, running)
    # Which device this config came from: a rollback refuses to put it on another one.
    write_private(path.with_suffix(".json"), json.dumps(_device(state.host)) + "\n")


def _device(host: Host) -> dict[str, Any]:
    """A device as the inventory reaches it: two sites may each have an IOS box at
    10.0.0.1:22, told apart only by their bastions (or ssh_config)."""
    return {
        "platform": host.platform,
        "address": host.address,
        "port": host.port,
        "via": [hop.label() for hop in host.connection.jump],
        "ssh_config": host.connection.ssh_config,
    }


def replace(connection: Connection, step: Step, state: HostState, timeout: float) -> StepResult:
    """Put back the config that the run `step.commands[0]` kept: unchanged when the
    running config is it already; a dry run shows the diff; else the platform's replace
    runs, and the running config read again must equal the kept one. The result's
    commands are the replace's own (sent, or in a dry run not sent)."""
    started, clock = time.time(), time.perf_counter()
    info = platforms.lookup(state.host.platform)
    recipe = info.replace
    shown = (recipe.kept_from or info.running_config) if recipe is not None else None
    if recipe is None or not shown:  # refused before connecting; kept safe
        raise CommandRejectedError(f"{info.title} has no replace netjob knows", sent=())
    source = kept_path(Path(step.commands[0]), state.host.name)
    kept = source.read_text(encoding="utf-8")
    before = connection.send_show(shown, timeout, None)
    diff = config_diff(before, kept, info)
    timer = info.revert if step.confirm is not None else None
    commands = recipe.command_lines()
    if timer is not None:  # --confirm: checked at load (runner.run.scheduler)
        commands = recipe.timed_lines(lambda c: timer.fill(c, step.confirm or 0, ""))

    def result(status: Status, note: str | None, **more: Any) -> StepResult:
        return StepResult(
            task=step.task,
            kind=step.kind,
            commands=more.pop("commands", commands),
            status=status,
            started=started,
            duration=time.perf_counter() - clock,
            diff=more.pop("diff", diff),
            note=note,
            confirm=PENDING if state.pending is not None else None,
            **more,
        )

    if not diff:
        return result(Status.OK, "unchanged: the running config is the kept one")
    if state.dry_run:
        return result(Status.CHANGED, "would replace the running config (--check: nothing sent)")
    keep(state, connection, timeout, before)  # a rollback can be rolled back in turn
    outputs: list[str] = []
    timed = None
    if timer is not None:  # judged later by the whole config: the kept one, or the one before
        previous = kept_path(state.keep_dir.parent, state.host.name) if state.keep_dir else None
        timed = timed_change(step, commands, state, replaced=(source, previous))
    try:
        note = _apply(connection, recipe, _body(kept, recipe), timeout, outputs, commands, timed)
    except DeviceError as exc:
        return result(
            Status.FAILED,
            None,
            commands=commands if exc.sent is None else exc.sent,
            outputs=(*outputs, exc.output) if exc.output else tuple(outputs),
            failure=exc.failure,
            error=exc.describe(),
        )
    try:
        after = connection.send_show(shown, timeout, None)
    except DeviceError as exc:  # (a timed replace may have cut the session: still pending)
        return result(
            Status.FAILED, note, outputs=tuple(outputs), failure=exc.failure, error=exc.describe()
        )
    left = config_diff(after, kept, info)
    if left:
        return result(
            Status.FAILED,
            note,
            diff=left,
            outputs=tuple(outputs),
            failure=FailureClass.COMMAND_REJECTED,
            error="the replace ran, but the running config still differs from the kept one "
            "(the diff shows how)",
        )
    return result(Status.CHANGED, note, outputs=tuple(outputs))


def _body(kept: str, recipe: Replace) -> str:
    """The kept text as the device takes it: without the show's own lines."""
    headers = re.compile("|".join(recipe.headers)) if recipe.headers else None
    return "".join(
        line + "\n" for line in kept.splitlines() if not (headers and headers.search(line))
    )


def _apply(
    connection: Connection,
    recipe: Replace,
    body: str,
    timeout: float,
    outputs: list[str],
    commands: tuple[str, ...],
    timed: TimedChange | None,
) -> str:
    """The platform's replace (`commands`: its own, or its timed ones with `timed`), its
    answers appended to `outputs`; the step's note."""
    if recipe.path is None:  # typed into the session, then committed
        outputs.append(connection.load_replace(commands[0], body, timeout, timed))
    else:
        outputs.append(_send_file(connection, body, recipe.path, timeout))
        _run(connection, recipe, timeout, outputs, commands, timed)
    note = f"replaced with the kept config ({'; '.join(commands)})"
    if recipe.cleanup:
        try:
            outputs.append(connection.send_command(recipe.cleanup_line(), timeout, ()))
        except DeviceError as exc:  # the replace is done; the file stays, say so
            note += f"; {recipe.path} could not be deleted: {exc}"
    return note


def _run(
    connection: Connection,
    recipe: Replace,
    timeout: float,
    outputs: list[str],
    commands: tuple[str, ...],
    timed: TimedChange | None,
) -> None:
    """The commands in turn; an answer that says it failed (or a refusal) stops them and
    sends the recipe's abort before the step fails. With `timed`, the timed command (the
    one with the timer in it) is announced before it leaves, and a refusal of it says no
    timer runs."""
    failed = re.compile(recipe.failed) if recipe.failed else None
    starts = next((i for i, c in enumerate(recipe.timed or ()) if "{n}" in c), None)
    sent: list[str] = []
    for index, command in enumerate(commands):
        sent.append(command)
        starting = timed is not None and index == starts
        if timed is not None and starting:
            timed.starting()
        try:
            said = connection.send_command(command, timeout, recipe.answers)
        except DeviceError as exc:
            if timed is not None and starting and isinstance(exc, CommandRejectedError):
                timed.refused()
            dropped = _abort(connection, recipe, timeout)
            raise exc.replace(f"{exc}{dropped}", sent=tuple(sent)) from exc
        outputs.append(said)
        found = failed.search(said) if failed else None
        if found and timed is not None and starting:
            timed.refused()  # the device refused the timed command: no timer runs
        if found:
            dropped = _abort(connection, recipe, timeout)
            line = said[found.start() :].splitlines()[0].strip()
            raise CommandRejectedError(
                f"the device refused '{command}': {line}{dropped}", sent=tuple(sent)
            )


def _abort(connection: Connection, recipe: Replace, timeout: float) -> str:
    """What the recipe sends to drop a replace it stopped; what the error adds."""
    try:
        for command in recipe.abort:
            connection.send_command(command, timeout, recipe.answers)
    except DeviceError as exc:
        return f"; and '{' '.join(recipe.abort)}' failed too: {exc}"
    return f"; '{'; '.join(recipe.abort)}' dropped what it loaded" if recipe.abort else ""


def _send_file(connection: Connection, body: str, dest: str, timeout: float) -> str:
    """The config to the device over SCP, from a private temporary file (0600)."""
    handle, name = tempfile.mkstemp(prefix="netjob-rollback-", suffix=".cfg")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(body)
        copied = connection.put_file(Path(name), dest, timeout)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
    return f"sent and verified: {copied.path}: {copied.size:,} bytes, md5 {copied.md5}\n"


def config_diff(running: str, kept: str, info: platforms.PlatformInfo) -> str:
    """What the replace changes, line by line, without the platform's noise (timestamps,
    byte counts) and the show's own lines (its replace's `headers`): `-` a running line
    it removes, `+` a kept line it puts back; "" when the two are equal."""
    old, new = _lines(running, info), _lines(kept, info)
    if old == new:
        return ""
    found = difflib.unified_diff(old, new, lineterm="", n=1)
    return "".join(line + "\n" for line in list(found)[2:])  # without the ---/+++ heads


def _lines(text: str, info: platforms.PlatformInfo) -> list[str]:
    rules = (*info.noise, *(info.replace.headers if info.replace else ()))
    noise = re.compile("|".join(f"(?:{rule})" for rule in rules)) if rules else None
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return [line for line in lines if line.strip() and not (noise and noise.search(line))]


ROLLBACK = "rollback"  # the rollback job's name, and its folder under the reports


def _same_device(run_dir: Path, host: Host) -> None:
    """A kept config goes back only to the device it came from: a rollback read with
    another inventory (the default one, where the run used -i mixed.yaml) once put a Junos
    config on the IOS device that had r003's name there."""
    sidecar = kept_path(run_dir, host.name).with_suffix(".json")
    try:
        kept = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(
            f"host '{host.name}': run {run_dir.name} did not record which device its config "
            "came from; nothing can be put back safely from it"
        ) from None
    now = _device(host)
    if kept != now:
        raise InputError(
            f"host '{host.name}' was {_shown(kept)} in run {run_dir.name}, and this "
            f"inventory makes it {_shown(now)}: nothing is put back on another device; "
            "give the run's inventory with -i"
        )


def _shown(device: Any) -> str:
    if not isinstance(device, dict):
        return "?"
    via = device.get("via") or []
    through = f" through {', '.join(map(str, via))}" if via else ""
    return f"{device.get('platform')} at {device.get('address')}:{device.get('port')}{through}"


def rollback_job(run_dir: Path) -> Job:
    """The job of `netjob rollback RUN`: one replace step per host, from RUN's kept
    configs. Its runs go to reports/rollback/<run-id>, with their own report."""
    task = Task(name=f"rollback to {run_dir.name}", kind=TaskKind.REPLACE, lines=(str(run_dir),))
    return Job(name=ROLLBACK, path=Path(ROLLBACK), tasks=(task,))


def kept_hosts(run_dir: Path, hosts: Sequence[Host]) -> tuple[list[Host], list[str]]:
    """The hosts RUN kept a config for, and the names of those it kept none for (never
    reached, failed before their first config line, or no config task). Refused (exit 2),
    before anything connects: a run that kept nothing, and a host whose platform has no
    replace netjob knows."""
    if not (run_dir / run_layout.KEPT).is_dir():
        raise SelectionError(
            f"run {run_dir} kept no running config to go back to (a dry run, a run without "
            "config tasks, or one made before netjob kept them)"
        )
    chosen = [h for h in hosts if kept_path(run_dir, h.name).is_file()]
    for host in chosen:
        _same_device(run_dir, host)
        info = platforms.lookup(host.platform)
        if info.replace is None or not (info.replace.kept_from or info.running_config):
            supported = ", ".join(i.name for i in platforms.TABLE if i.replace is not None)
            raise InputError(
                f"host '{host.name}' is {host.platform}: netjob has no replace of the whole "
                f"config for {info.title} (it has for {supported}); leave it out with "
                f"--limit 'all:!{host.name}'"
            )
    return chosen, [h.name for h in hosts if h not in chosen]


def rollback_selection(
    run_dir: Path, inventory_paths: Sequence[Path], limit: str | None, vault: Vault | None = None
) -> tuple[Selection, list[str]]:
    """`netjob rollback RUN`: the hosts of the inventory (∩ --limit) RUN kept a config
    for, under a job that puts each one back; and the names of the hosts it kept none for."""
    from runner.load.inventories import load_inventories
    from runner.load.selection import Selection

    inventory = load_inventories(list(inventory_paths), vault)
    chosen, without = kept_hosts(run_dir, inventory.select(limit))
    if not chosen:
        raise SelectionError(
            f"run {run_dir.name} kept no running config of a host matching --limit '{limit}'"
        )
    paths = tuple(inventory_paths)
    job = rollback_job(run_dir)
    return Selection(job, inventory, tuple(chosen), limit=limit, inventories=paths), without
