"""Gathers a run's change record (runner.report.change) before anything connects: the OS
user and machine, the job file's sha256 and git revision, the inventories' sha256, the
command line and `-e` values with secrets masked. Nothing here fails a run: a value that
cannot be read (no git, an unreadable file, no user name) is recorded as null."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import platform
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from runner.base import run_layout
from runner.base.errors import InputError
from runner.base.redact import MASK, SECRET_NAME, mask_secret_vars
from runner.report.change import ChangeDoc, InventoryRef

log = logging.getLogger(__name__)

GIT_TIMEOUT = 5.0  # seconds per git call: a hung network filesystem never holds a run
_EXTRA_VARS = ("-e", "--extra-vars")


def gather(
    *,
    job: Path,
    hosts: str,
    inventories: Sequence[Path],
    limit: str | None,
    extra_vars: Mapping[str, Any],
    change_id: str | None = None,
    command: Sequence[str] | None = None,
) -> ChangeDoc:
    # `netjob cmd` has no job file: no digest, and the folder it runs in is not its revision.
    commit, dirty = git_revision(job) if job.is_file() else (None, None)
    return ChangeDoc(
        id=change_id,
        user=_user(),
        machine=platform.node() or None,
        command=None if command is None else masked_command(command),
        hosts=hosts,
        limit=limit,
        extra_vars=mask_secret_vars(dict(extra_vars)),
        job_sha256=sha256_of(job) if job.is_file() else None,
        job_commit=commit,
        job_dirty=dirty,
        inventories=tuple(InventoryRef(str(p), sha256_of(p)) for p in inventories),
    )


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no LOGNAME/USER and no passwd entry
        return None


def sha256_of(path: Path) -> str | None:
    """The sha256 of a file's bytes; of a folder (an Ansible inventory directory), of each
    file's relative path and digest in order; None if it cannot be read."""
    try:
        if path.is_dir():
            digest = hashlib.sha256()
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(f"{item.relative_to(path)}\0{sha256_of(item)}\n".encode())
            return digest.hexdigest()
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as exc:
        log.debug("change record: cannot hash %s: %s", path, exc)
        return None


def git_revision(job: Path) -> tuple[str | None, bool | None]:
    """The commit checked out in the job's git work tree, and whether it had local changes
    (a tracked file changed, or the job file itself not tracked); (None, None) when the job
    is in no work tree or git is missing, slow or refuses."""
    folder = job.resolve().parent
    head = _git(folder, "rev-parse", "--verify", "HEAD")
    if head is None:
        return None, None
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    tracked = _git(folder, "ls-files", "--error-unmatch", "--", job.resolve().name)
    dirty = None if status is None else bool(status.strip()) or tracked is None
    return head.strip(), dirty


def _git(folder: Path, *args: str) -> str | None:
    # No optional locks: `git status` must not take the index lock of a user's work tree.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("change record: git %s: %s", args[0], exc)
        return None
    return done.stdout if done.returncode == 0 else None


def masked_command(argv: Sequence[str]) -> str:
    """The command line as a shell would take it back, every `-e` value whose name looks
    secret masked (runner.base.redact's names); the run's redactor masks the rest."""
    words = list(argv)
    for i, word in enumerate(words):
        flag, eq, value = word.partition("=")
        if flag in _EXTRA_VARS and eq:
            words[i] = f"{flag}={_masked_vars(value)}"
        elif i > 0 and words[i - 1] in _EXTRA_VARS:
            words[i] = _masked_vars(word)
    return shlex.join(words)


def _masked_vars(text: str) -> str:
    """One -e value: JSON (masked as data), `@file` (kept), or `k=v k=v` (masked by key)."""
    if text.startswith("@"):
        return text
    if text.lstrip().startswith("{"):
        try:
            return json.dumps(mask_secret_vars(json.loads(text)))
        except ValueError:
            return MASK  # YAML or broken JSON: not worth the risk of showing a secret
    pairs = text.split(" ")
    for i, pair in enumerate(pairs):
        key, eq, _ = pair.partition("=")
        if eq and SECRET_NAME.search(key):
            pairs[i] = f"{key}={MASK}"
    return " ".join(pairs)


def run_inventories(run_dir: Path) -> list[Path]:
    """The inventories a run read, as its change record has them (report.json, or run.json
    for a run cut short); none when it recorded none."""
    for name in (run_layout.REPORT_JSON, run_layout.MANIFEST):
        try:
            document = json.loads((run_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        change = document.get("change") if isinstance(document, dict) else None
        if isinstance(change, dict):
            return [_same_inventory(i, run_dir) for i in change.get("inventories") or ()]
    return []


def _same_inventory(recorded: Any, run_dir: Path) -> Path:
    """A path the run recorded, as long as the file there is the one it read (a relative
    path read from another folder may be another file of the same name)."""
    file = recorded.get("file") if isinstance(recorded, dict) else None
    if not isinstance(file, str):
        raise InputError(f"run {run_dir.name}: its change record names no inventory file")
    path, wanted = Path(file), recorded.get("sha256")
    if wanted and sha256_of(path) != wanted:
        raise InputError(
            f"run {run_dir.name} read the inventory {file} (sha256 {str(wanted)[:12]}), and "
            f"{path} here is not that file: pass the run's inventory with -i"
        )
    return path
