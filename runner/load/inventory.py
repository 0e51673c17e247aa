"""inventory.yaml → Inventory, and host selection (--limit, a job's `hosts:`).

Merge rule, one for every field and for `vars` and `connection` key by key:
    defaults < groups, in the order the host lists them (later wins) < the host itself
`vars` merge per top-level key (shallow): a host's `interfaces` replaces a group's whole
`interfaces`, as in Nornir. `netjob hosts` shows the merged result.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any

from runner.base import platform_names, platforms, user_files
from runner.base.models import ConnectionOptions, Host
from runner.base.version import __version__
from runner.load import inventory_cache, schema
from runner.load.host_patterns import Inventory
from runner.load.inventory_cache import CACHE_FROM_BYTES
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


def load_inventory(path: Path) -> Inventory:
    """Load and check a netjob inventory; a big one that loaded before comes from the cache
    (runner.load.inventories.load_any, the path `netjob run` takes, asks the cache the same way)."""
    read = read_once(path)
    cached = cached_inventory(read)
    if cached is not None:
        return cached
    with paused_gc():
        return cache_inventory(read, build_inventory(load_yaml(path, read.data), path))


@dataclasses.dataclass(frozen=True)
class Read:
    """An inventory file's bytes, read once: what is parsed is what names the cache file,
    even if the file is replaced while it loads (a second read could name the inventory
    parsed from the old bytes after the new ones, and a later run would load it)."""

    path: Path
    data: bytes | None  # None: the file cannot be read (the loader says why)
    cache_name: str | None  # None: not cached (small, unreadable, or NETJOB_NO_CACHE=1)


def read_once(path: Path) -> Read:
    try:
        data = user_files.read_bytes(path)
    except user_files.FileRefused:
        return Read(path, None, None)
    return Read(path, data, _cache_name(data))


def cached_inventory(read: Read) -> Inventory | None:
    """The checked inventory of these exact bytes, if a run kept it; else None."""
    cached = None if read.cache_name is None else inventory_cache.load(read.cache_name)
    if not isinstance(cached, Inventory):
        return None
    return dataclasses.replace(cached, source=read.path)


def cache_inventory(read: Read, inventory: Inventory) -> Inventory:
    """Keep a big inventory, checked from `read`'s bytes, for the next run; `inventory` is
    returned as is."""
    if read.cache_name is not None:
        inventory_cache.store(read.cache_name, inventory)
    return inventory


def _cache_name(data: bytes) -> str | None:
    """The cache file of this inventory's bytes (runner.load.inventory_cache), keyed by
    netjob's version, the records' layout and the platform names too: a cached Host of
    another shape, or checked against other names, is never loaded. None for a small
    file, or with NETJOB_NO_CACHE=1."""
    if len(data) < CACHE_FROM_BYTES or os.environ.get("NETJOB_NO_CACHE"):
        return None
    shape = repr([sorted(c.__dataclass_fields__) for c in (Inventory, Host, ConnectionOptions)])
    names = platform_names.rules()  # a platform once accepted (or mapped) is checked again
    key = hashlib.sha256(f"{__version__}\0{shape}\0{names}\0".encode() + data).hexdigest()
    return f"inventory-{key}.pickle"


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
            elif key == "platform":
                layer[key] = schema.platform(data, key, at)
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
    _telnet_driver(merged.get("platform", platforms.DEFAULT), options, at)
    return Host(
        name=name,
        address=merged.get("address", name),
        groups=own["groups"],
        vars=variables,
        connection=ConnectionOptions(**options),
        **{k: v for k, v in merged.items() if k != "address"},
    )


def _telnet_driver(platform: str, options: dict[str, Any], at: At) -> None:
    """`transport: telnet` needs netmiko's telnet driver for the platform: many have none."""
    if options.get("transport") == "telnet" and platform_names.telnet_type(platform) is None:
        raise at.fail(
            f"transport: telnet, but netmiko has no telnet driver for platform {platform}; "
            "reach it over ssh (drop transport: telnet)"
        )
