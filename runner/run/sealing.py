"""Secrets sealed for the trip through a Dask scheduler: a cluster task carries no secret a
scheduler could read, log or keep.

A task's WorkItem holds what the job rendered: config lines that spell a secret
(`username ops secret VALUE`), the host's variables, a deferred step's variables, a secret
prompt's answer. Before it is submitted, every such value is replaced, wherever it stands
in any string of the item, by a reference (`\\x00netjob:N\\x00`: NUL is refused in any
rendered value, so no real text holds one), and the values travel beside it encrypted
(Fernet: AES and an HMAC) with a key that the machine running `netjob run` and every
poller have in their environment ($NETJOB_CLUSTER_KEY), never in a task. The poller
decrypts them and puts them back before it runs the host.

The values sealed: the job's and `-e` variables with secret-looking names, the host's and
a deferred step's variables with credential-looking names (runner.base.redact's
CREDENTIAL_NAME: `pw`, `*_psk`, `*_auth`, ...), every value a secret pattern finds in a
command (whatever the variable's name), and the answers of `answer_env` prompts.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, TypeVar

from runner.base.errors import ClusterError, InputError
from runner.base.models import WorkItem
from runner.base.redact import CREDENTIAL_NAME, device_secret_values, secret_values

if TYPE_CHECKING:
    from runner.load.selection import Selection
    from runner.run.cluster import ClusterOptions

KEY_ENV = "NETJOB_CLUSTER_KEY"
_REF = re.compile("\x00netjob:([0-9]+)\x00")
T = TypeVar("T")


def job_secrets(extra_vars: Mapping[str, Any], job_vars: Mapping[str, Any]) -> tuple[str, ...]:
    """The secret-looking variables of the run as a whole (every host's steps may hold them)."""
    found = _credentials(extra_vars) + _credentials(job_vars)
    return tuple(sorted(set(found)))


def _credentials(variables: Mapping[str, Any]) -> list[str]:
    return secret_values(dict(variables), names=CREDENTIAL_NAME)


def secrets_of(item: WorkItem, known: Iterable[str] = ()) -> list[str]:
    """The secret values the item holds, longest first (a value inside another one goes
    with it)."""
    values = set(known)
    values.update(_credentials(item.host.vars))
    for step in item.steps:
        if step.context is not None:
            values.update(_credentials(step.context))
        for command in step.commands:
            for value in device_secret_values(command):
                values.update((value, value.strip("'\"")))
        values.update(answer.answer for answer in step.prompts if answer.secret)
    return sorted((v for v in values if v), key=lambda v: (-len(v), v))


def refuse_without_key(items: Sequence[WorkItem], known: Iterable[str], key: str | None) -> None:
    """A run whose tasks would carry a secret needs the key: refused before anything starts."""
    if key:
        return
    known = tuple(known)
    for item in items:
        if secrets_of(item, known):
            raise ClusterError(
                f"host {item.host.name}: its steps or variables hold secrets, which travel "
                f"to the pollers sealed with a key from ${KEY_ENV}; set it (any long random "
                "text, the same here and in every poller's environment) and run again"
            )


def seal(item: WorkItem, known: Iterable[str], key: str | None) -> tuple[WorkItem, bytes | None]:
    """The item with its secrets replaced by references, and the sealed values (None: it
    held none)."""
    values = secrets_of(item, known)
    if not values:
        return item, None
    if not key:
        raise ClusterError(f"host {item.host.name}: ${KEY_ENV} is not set")
    refs = {value: f"\x00netjob:{n}\x00" for n, value in enumerate(values)}
    # One pass over each string: a reference put in is never looked at again.
    found = re.compile("|".join(re.escape(v) for v in values))
    sealed = map_strings(item, lambda text: found.sub(lambda m: refs[m.group()], text))
    return sealed, _fernet(key).encrypt(json.dumps(values).encode())


def unseal(item: WorkItem, box: bytes | None, key: str | None, poller: str) -> WorkItem:
    """On the poller: the item with its secrets back. Raises InputError (no key, another
    key)."""
    if box is None:
        return item
    if not key:
        raise InputError(
            f"poller {poller}: ${KEY_ENV} is not set; the job's secrets are sealed with it: "
            "set it in the poller's environment (the same as where `netjob run` runs), "
            "then restart its worker"
        )
    from cryptography.fernet import InvalidToken

    try:
        values: list[str] = json.loads(_fernet(key).decrypt(box))
    except InvalidToken:
        raise InputError(
            f"poller {poller}: ${KEY_ENV} is not the key `netjob run` sealed the job's "
            "secrets with; set the same on every poller, then restart its worker"
        ) from None
    return map_strings(item, lambda text: _REF.sub(lambda m: values[int(m.group(1))], text))


def _fernet(key: str) -> Any:
    from cryptography.fernet import Fernet

    # Any text as the key: its SHA-256 is Fernet's 32 bytes.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def map_strings(value: T, change: Callable[[str], str]) -> T:
    """`value` with every string in it (in dataclasses, mappings, tuples, lists) changed."""
    return _mapped(value, change)  # type: ignore[no-any-return]


def _mapped(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, (Enum, PurePath)):  # Status and TaskKind are str too
        return value
    if isinstance(value, str):
        return change(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _mapped(getattr(value, f.name), change)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_mapped(v, change) for v in value)
    if isinstance(value, list):
        return [_mapped(v, change) for v in value]
    if isinstance(value, Mapping):
        return {k: _mapped(v, change) for k, v in value.items()}
    return value


def for_cluster(
    cluster: ClusterOptions, selection: Selection, environ: Mapping[str, str] | None
) -> ClusterOptions:
    """The cluster options with what seals the job's secrets for the pollers: the run's
    secret-looking variables and $NETJOB_CLUSTER_KEY. A job under revert timers is refused:
    the pollers cannot keep the run folder's record of its changes."""
    if any(t.confirm is not None for t in selection.job.tasks):
        raise InputError(
            "--confirm (or a task's confirm:) with --cluster: the pollers cannot keep the "
            "run folder's record of changes under revert timers; run it from this machine"
        )
    env = os.environ if environ is None else environ
    return dataclasses.replace(
        cluster,
        secrets=job_secrets(selection.extra_vars, selection.job.vars),
        key=env.get(KEY_ENV) or None,
    )
