"""inventory.yaml → Inventory, and host selection (--limit, a job's `hosts:`).

Merge rule, one for every field and for `vars` and `connection` key by key:
    defaults < groups, in the order the host lists them (later wins) < the host itself
`vars` merge per top-level key (shallow): a host's `interfaces` replaces a group's whole
`interfaces`, as in Nornir. `netjob hosts` shows the merged result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import fnmatch
import hashlib
import os
import pickle
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.base.errors import InputError, SelectionError
from runner.base.models import ConnectionOptions, Credentials, Host
from runner.base.safe_files import write_private
from runner.base.version import __version__
from runner.load import schema
from runner.load.schema import At
from runner.load.ssh_options import ssh_options
from runner.load.yamlio import load_yaml, paused_gc

SCALARS = (
    "address",
    "port",
    "platform",
    "username",
    "password",
    "password_env",
    "secret",
    "secret_env",
    "site",
)
# How to reach and log in to a device over SSH (runner.device.sshkeys reads them): merged like the
# scalars, one key at a time (`ssh:` one algorithm list at a time), into ConnectionOptions.
SSH_KEYS = (
    "key_file",
    "passphrase_env",
    "use_agent",
    "host_key_checking",
    "known_hosts",
    "jump",
    "ssh_config",
    "ssh",
    "transport",
)
COMMON_KEYS = (*SCALARS, "vars", "connection", *SSH_KEYS)
CONNECTION_KEYS = ("conn_timeout", "auth_timeout", "read_timeout", "fast_cli")


@dataclass(frozen=True)
class Inventory:
    hosts: Mapping[str, Host]
    groups: tuple[str, ...] = ()
    source: Path = field(default=Path("inventory.yaml"))

    def select(self, *patterns: str | None) -> list[Host]:
        """Hosts matching every given pattern (None = no restriction), in inventory order."""
        chosen = list(self.hosts.values())
        for pattern in patterns:
            if pattern is not None:
                names = self._match(pattern)
                chosen = [h for h in chosen if h.name in names]
        return chosen

    def _match(self, pattern: str) -> set[str]:
        """Ansible's host patterns: `a,b` or `a:b` unite, `&x` intersects, `!x` excludes (in
        that order, whatever the order written); `@file` reads names, one a line; `~re` is a
        regex on names. Only intersections or exclusions start from `all`.
        """
        union: set[str] = set()
        intersections: list[set[str]] = []
        exclude: set[str] = set()
        tokens = self._tokens(pattern)
        if not tokens:
            raise SelectionError(f"empty host pattern {pattern!r}; name hosts, groups or 'all'")
        for token in tokens:
            if token.startswith("!"):
                exclude |= self._token(token[1:])
            elif token.startswith("&"):
                intersections.append(self._token(token[1:]))
            else:
                union |= self._token(token)
        chosen = union if any(not t.startswith(("!", "&")) for t in tokens) else set(self.hosts)
        for names in intersections:
            chosen &= names
        return chosen - exclude

    def _tokens(self, pattern: str) -> list[str]:
        """`,` separates, and so does `:` in a part that is not a name (IPv6, `r[1:3]`)."""
        parts: list[str] = []
        for part in (p.strip() for p in pattern.split(",")):
            if ":" in part and part.lstrip("!&") not in self.hosts:
                parts += _COLON_PARTS.findall(part)
            elif part:
                parts.append(part)
        tokens: list[str] = []
        for part in parts:
            tokens += self._read_names(part) if part.startswith("@") else [part]
        return tokens

    def _read_names(self, token: str) -> list[str]:
        """`@retry.txt`: one pattern a line (a host name, as Ansible's retry files hold)."""
        path = Path(token[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise SelectionError(f"cannot read host list {token}: {reason}", path=path) from None
        names = [n.strip() for n in text.splitlines() if n.strip() and not n.startswith("#")]
        if not names:
            raise SelectionError(f"host list {token} names no host; one name a line", path=path)
        return names

    def _token(self, token: str) -> set[str]:
        if token in ("all", "*"):
            return set(self.hosts)
        if token.startswith("~"):
            return self._regex(token)
        if token in self.hosts:
            return {token}
        if token in self.groups:
            return {h.name for h in self.hosts.values() if token in h.groups}
        if any(c in token for c in "*?["):
            found = {n for n in self.hosts if fnmatch.fnmatchcase(n, token)}
            found |= {
                h.name
                for h in self.hosts.values()
                for g in h.groups
                if fnmatch.fnmatchcase(g, token)
            }
            if found:
                return found
            raise SelectionError(f"'{token}' matches no host or group in {self.source}")
        if not token or token[0] in "!&@":
            raise SelectionError(
                f"host pattern part {token!r}: '!' and '&' take one name, group or glob "
                "each, e.g. 'core:&edge:!r003'"
            )
        near = difflib.get_close_matches(token, [*self.groups, *self.hosts], n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise SelectionError(
            f"unknown host or group '{token}' in {self.source}; {hint}"
            f"groups are: {', '.join(self.groups) or '(none)'}; see `netjob hosts`"
        )

    def _regex(self, token: str) -> set[str]:
        try:
            regex = re.compile(token[1:])
        except re.error as exc:
            raise SelectionError(f"host pattern {token!r}: bad regular expression: {exc}") from None
        found = {n for n in self.hosts if regex.match(n)}
        if not found:
            raise SelectionError(f"'{token}' matches no host in {self.source}")
        return found


# A `:`-separated part: runs of anything but `:`, where a bracketed `[1:3]` stays whole.
_COLON_PARTS = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")


def load_inventory(path: Path) -> Inventory:
    """Load and check a netjob inventory; a big one that loaded before comes from the cache
    (runner.load.inventories.load_any, the path `netjob run` takes, asks the cache the same way)."""
    cached = cached_inventory(path)
    if cached is not None:
        return cached
    with paused_gc():
        return cache_inventory(path, build_inventory(load_yaml(path), path))


def cached_inventory(path: Path) -> Inventory | None:
    """The checked inventory of this file's exact bytes, if a run kept it; else None."""
    cache = _cache_of(path)
    if cache is None:
        return None
    with contextlib.suppress(Exception):  # a missing or unreadable cache just means "build"
        cached: Inventory = pickle.loads(cache.read_bytes())
        return dataclasses.replace(cached, source=path)
    return None


def cache_inventory(path: Path, inventory: Inventory) -> Inventory:
    """Keep a big inventory, checked, for the next run; `inventory` is returned as is."""
    cache = _cache_of(path)
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_private(cache, pickle.dumps(inventory, pickle.HIGHEST_PROTOCOL), atomic=True)
    return inventory


def _cache_of(path: Path) -> Path | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None  # the loader says what is wrong
    if len(data) < CACHE_FROM_BYTES or os.environ.get("NETJOB_NO_CACHE"):
        return None
    return _cache_file(data)


# PyYAML builds ~10,000 hosts a second at best; a checked inventory is kept by content so
# cron jobs over a big fleet pay that once per change of the file, not once per run. The
# cache is the user's own (0700 folder, 0600 files), keyed by the file's bytes and
# netjob's version; NETJOB_NO_CACHE=1 turns it off.
CACHE_FROM_BYTES = 256 * 1024


def _cache_file(data: bytes) -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "netjob"
    # The record layout is part of the key: a cached Host of another shape is never loaded.
    shape = repr([sorted(c.__dataclass_fields__) for c in (Inventory, Host, ConnectionOptions)])
    key = hashlib.sha256(f"{__version__}\0{shape}\0".encode() + data).hexdigest()
    return root / f"inventory-{key}.pickle"


def build_inventory(data: Any, path: Path) -> Inventory:
    top = At(path, "")
    data = schema.mapping(data, top)
    schema.check_keys(data, top, ("defaults", "groups", "hosts"), required=("hosts",))
    defaults = _layer(data.get("defaults"), top.child("defaults", data), host_level=False)
    groups_data = schema.mapping(data.get("groups"), top.child("groups", data))
    groups = {
        str(name): _layer(value, top.child(str(name), groups_data), host_level=False)
        for name, value in groups_data.items()
    }
    hosts_data = schema.mapping(data["hosts"], top.child("hosts", data))
    hosts = {}
    for name, value in hosts_data.items():
        at = top.child("hosts", data).child(str(name), hosts_data)
        hosts[str(name)] = _host(str(name), value, at, defaults, groups)
    return Inventory(hosts=hosts, groups=tuple(groups), source=path)


def _layer(value: Any, at: At, host_level: bool) -> dict[str, Any]:
    """One level of the merge (defaults, a group or a host), checked, as a plain dict."""
    data = schema.mapping(value, at)
    schema.check_keys(data, at, (*COMMON_KEYS, "groups") if host_level else COMMON_KEYS)
    layer: dict[str, Any] = {}
    # Only the keys present are looked at, and a key's At is made only when it is used:
    # this runs once per host, 10,000 times for a big fleet.
    for key in SCALARS:
        if data.get(key) is not None:
            if key == "port":
                layer[key] = schema.integer(data, key, at, 1, 65535)
            else:
                layer[key] = schema.string(data, key, at)
    variables = data.get("vars")
    layer["vars"] = (
        dict(schema.no_vault(variables, at.child("vars", data)))
        if isinstance(variables, dict)
        else schema.mapping(variables, at.child("vars", data))
    )
    options: dict[str, Any] = {}
    if data.get("connection") is not None:
        conn_at = at.child("connection", data)
        conn = schema.mapping(data["connection"], conn_at)
        schema.check_keys(conn, conn_at, CONNECTION_KEYS)
        for key in CONNECTION_KEYS[:3]:
            options[key] = schema.number(conn, key, conn_at, 0.1, 86400)
        if "fast_cli" in conn:
            options["fast_cli"] = schema.boolean(conn, "fast_cli", conn_at)
    layer["connection"] = {k: v for k, v in options.items() if v is not None}
    if any(data.get(key) is not None for key in SSH_KEYS):
        layer["connection"].update(ssh_options(data, at))
    if host_level:
        layer["groups"] = schema.strings(data, "groups", at)
    return layer


def _host(
    name: str, value: Any, at: At, defaults: dict[str, Any], groups: dict[str, dict[str, Any]]
) -> Host:
    own = _layer(value, at, host_level=True)
    for group in own["groups"]:
        if group not in groups:
            raise at.child("groups", value).fail(
                f"unknown group '{group}'; define it under groups: or remove it"
            )
    layers = [defaults, *(groups[g] for g in own["groups"]), own]
    merged: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for layer in layers:
        merged.update({k: layer[k] for k in SCALARS if k in layer})
        variables.update(layer["vars"])
        options.update(layer["connection"])
    return Host(
        name=name,
        address=merged.get("address", name),
        groups=own["groups"],
        vars=variables,
        connection=ConnectionOptions(**options),
        **{k: v for k, v in merged.items() if k != "address"},
    )


Prompt = Callable[[str], str]

# Each inventory format's own key for a credential, for messages (netjob: `*_env`).
_KEYS = {
    "ansible": {"password": "ansible_password", "secret": "ansible_become_password"},
    "nornir": {"password": "password", "secret": "secret"},
}
_EXAMPLES = {"ansible": " (e.g. \"{{ lookup('env', 'NAME') }}\")"}


def resolve_credentials(
    hosts: Iterable[Host], environ: Mapping[str, str] | None = None, prompt: Prompt | None = None
) -> dict[str, Credentials]:
    """Credentials per host, from plain text, the named environment variable, or a prompt
    (asked once per distinct need, not once per host). Missing ones fail before any connection.
    """
    env = os.environ if environ is None else environ
    asked: dict[str, str] = {}
    result = {}
    for host in hosts:
        options = host.connection
        # With a key or the agent, a password is only a fallback: none set is fine.
        keyed = bool(options.key_file or options.use_agent or options.ssh_config)
        if keyed and host.password is None and not env.get(host.password_env or ""):
            password = None
        else:
            password = _secret(
                host, "password", host.password, host.password_env, env, prompt, asked
            )
        secret = _secret(host, "secret", host.secret, host.secret_env, env, None, asked)
        passphrase = _secret(host, "passphrase", None, options.passphrase_env, env, None, asked)
        result[host.name] = Credentials(host.username, password, secret, passphrase)
    return result


def _secret(
    host: Host,
    kind: str,
    plain: str | None,
    env_name: str | None,
    env: Mapping[str, str],
    prompt: Prompt | None,
    asked: dict[str, str],
) -> str | None:
    if plain is not None:
        return plain
    key = _KEYS.get(host.origin, {}).get(kind, f"{kind}_env")
    if env_name:
        if env.get(env_name):
            return env[env_name]
        if prompt is None:
            named = (
                f"{key} is lookup('env', '{env_name}'), and ${env_name}"
                if host.origin == "ansible"
                else f"{kind}_env names ${env_name}, which"
            )
            ask = "-k/--ask-pass" if kind == "password" else "-K/--ask-become-pass"
            raise InputError(
                f"host {host.name}: {named} is not set (or empty); "
                f"export {env_name}=... or run with {ask}"
            )
    if prompt is None:
        if kind == "password":
            example = _EXAMPLES.get(host.origin, "")
            raise InputError(
                f"host {host.name}: no password; set {key}{example} in the "
                "inventory or run with --ask-pass"
            )
        return None
    label = env_name or f"{host.username or 'user'}@{kind}"
    if label not in asked:
        asked[label] = prompt(f"{kind.capitalize()} for {label}: ")
    return asked[label]
