"""`netjob confirm RUN` and `netjob verify RUN`: what a run left under the devices' revert
timers (its folder's confirm/ records), finished or looked at from another process,
after the run ended or was killed.

    confirm   each change still `pending`: a fresh login confirms it, then reads it back
              (`confirmed`; `reverted` when the timer had already run out; `unknown`)
    verify    each recorded change: a login reads which config the device has (the change,
              the previous config, part of each) and settles the record: `reverted` once
              the previous config is back, `unknown` when a change never confirmed is still
              there after its timer; a change under a timer still running stays `pending`
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.base import pending_confirm, revert_timer
from runner.base.errors import DeviceError, InputError, SelectionError
from runner.base.models import DEFAULT_WORKERS, Host, WorkItem
from runner.base.pending_confirm import PENDING, REVERTED, UNKNOWN, PendingChange
from runner.device.connection import Connector
from runner.run import confirm

if TYPE_CHECKING:
    from runner.load.vault import Vault


@dataclass(frozen=True)
class Seen:
    change: PendingChange  # the record as settled now
    carries: str  # what the device showed: "the change", "the previous config", ...


# At most this many log in at once (each host's record is its own file: no lock needed).
_GATE = threading.Semaphore(20)

_SHOWN = {
    confirm.NEW: "the change",
    confirm.OLD: "the previous config",
    confirm.MIXED: "part of the change",
    confirm.SECRET: "a config this cannot tell (the change's lines all hold secrets)",
    None: "not reached",
}


def confirm_pending(
    run_dir: Path, items: Sequence[WorkItem], connect: Connector, workers: int = DEFAULT_WORKERS
) -> list[Seen]:
    """Confirm every change the run left pending, from a fresh login each."""
    return _each(
        run_dir, items, workers, lambda item, change: _confirm(run_dir, item, change, connect)
    )


def verify(
    run_dir: Path, items: Sequence[WorkItem], connect: Connector, workers: int = DEFAULT_WORKERS
) -> list[Seen]:
    """Log in to every host with a recorded change and see which config it has."""
    return _each(
        run_dir, items, workers, lambda item, change: _verify(run_dir, item, change, connect)
    )


def _each(
    run_dir: Path,
    items: Sequence[WorkItem],
    workers: int,
    act: Callable[[WorkItem, PendingChange], Seen],
) -> list[Seen]:
    by_host = {item.host.name: item for item in items}
    changes = [c for c in pending_confirm.read_all(run_dir) if c.host in by_host]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(changes) or 1))) as pool:
        return list(pool.map(lambda c: act(by_host[c.host], c), changes))


def _confirm(run_dir: Path, item: WorkItem, change: PendingChange, connect: Connector) -> Seen:
    if change.outcome != PENDING:
        return Seen(change, f"not pending ({change.outcome}): nothing to confirm")
    outcome, detail, _ = confirm.confirm_fresh(item, connect, change, _GATE)
    if outcome is None:
        return Seen(change, f"not confirmed: {detail}")
    settled = pending_confirm.settle(run_dir, change, outcome, f"by netjob confirm: {detail}")
    return Seen(settled, detail)


def _verify(run_dir: Path, item: WorkItem, change: PendingChange, connect: Connector) -> Seen:
    try:
        seen = confirm.look(item, connect, change, _GATE)
        why = ""
    except DeviceError as exc:
        seen, why = None, f" ({exc.failure}: {exc})"
    carries = _SHOWN[seen] + why
    over = time.time() >= change.deadline
    outcome = change.outcome
    if seen == confirm.OLD:
        outcome = REVERTED
    elif seen == confirm.NEW and change.outcome == PENDING and over:
        outcome = UNKNOWN  # never confirmed by netjob, yet still there after its timer
    if outcome == change.outcome:
        if change.outcome == PENDING and not over:
            left = revert_timer.shown(max(1.0, change.deadline - time.time()))
            carries += f"; its timer runs about {left} more"
        return Seen(change, carries)
    detail = f"by netjob verify: the device carries {_SHOWN[seen]}"
    if outcome == UNKNOWN:
        detail += " after its timer, never confirmed by netjob"
    settled = pending_confirm.settle(run_dir, change, outcome, detail)
    return Seen(settled, carries)


def after_run(
    folder: Path,
    inventory: Sequence[Path],
    limit: str | None = None,
    vault: Vault | None = None,
    verify_only: bool = False,
    environ: Mapping[str, str] | None = None,
    connect: Connector | None = None,
    prompt: Callable[[str], str] | None = None,
    logins: Callable[[tuple[Host, ...]], tuple[Host, ...]] | None = None,
) -> list[Seen]:
    """`netjob confirm RUN` / `netjob verify RUN`: the run's changes under revert timers
    (its confirm/ records), confirmed or looked at from a fresh login each (`connect`,
    None: NetmikoConnection.open). `prompt` asks for a password the inventory does not
    give (-k); `logins` applies the command line's login options to the hosts (-u, -K,
    --private-key, --ssh-config), as `netjob run` does."""
    from runner.base.models import Credentials
    from runner.device.connection import NetmikoConnection
    from runner.load.credentials import resolve_credentials
    from runner.load.inventories import load_inventories

    recorded = {change.host for change in pending_confirm.read_all(folder)}
    if not recorded:
        raise InputError(
            f"{folder}: no change of this run went under a revert timer (it has no confirm/ "
            "records); only a run with --confirm (or a task's confirm:) has"
        )
    hosts = [
        h for h in load_inventories(inventory, vault).select("all", limit) if h.name in recorded
    ]
    unknown = sorted(recorded - {h.name for h in hosts})
    if unknown and limit is None:
        raise SelectionError(
            f"{folder}: host(s) {', '.join(unknown)} of the run are not in the inventory; "
            "give the inventory the run used (-i)"
        )
    if not hosts:
        raise SelectionError(f"--limit '{limit}' selects no host with a change in {folder}")
    if logins is not None:
        hosts = list(logins(tuple(hosts)))
    credentials = resolve_credentials(hosts, environ, prompt)
    items = [WorkItem(h, (), credentials.get(h.name, Credentials(h.username))) for h in hosts]
    act = verify if verify_only else confirm_pending
    return act(folder, items, connect or NetmikoConnection.open)
