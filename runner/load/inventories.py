"""The inventories engineers already have → netjob's Inventory, and back to inventory.yaml.

    load_any(path)              netjob's inventory.yaml, a Nornir SimpleInventory folder
                                (runner.load.nornir_inventory) or an Ansible YAML inventory, file
                                or folder (runner.load.ansible_inventory); each module's docstring
                                states how it reproduces its tool's precedence
    merge_inventories(invs)     several `-i`: hosts side by side, groups united
    to_netjob_yaml(inv)         inventory.yaml text that loads to the same hosts

How a path is recognised: a folder whose hosts.yaml is not itself an Ansible or netjob
inventory is Nornir; another folder must hold exactly one *.yml/*.yaml inventory (Ansible
or netjob), read with the group_vars/ and host_vars/ beside it. A file whose top level is
netjob's (`hosts:` with only `defaults:`/`groups:` beside it) is netjob's; one with `all:`,
or a group made only of `hosts:`/`children:`/`vars:`, is Ansible's; a file named hosts.yaml
that is neither is a Nornir hosts file (its folder is read). Anything else is a LoadError
that lists what is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from runner.base.errors import LoadError
from runner.base.models import ConnectionOptions, Host
from runner.load.host_patterns import Inventory
from runner.load.inventory import (
    SCALARS,
    build_inventory,
    cache_inventory,
    cached_inventory,
)
from runner.load.yamlio import load_yaml

if TYPE_CHECKING:
    from runner.load.vault import Vault

# Nornir's and Ansible's readers are imported when a file is theirs: a netjob inventory
# (and `netjob hosts` on it) does not pay for them.

ACCEPTED = (
    "netjob's inventory.yaml (defaults/groups/hosts), a Nornir SimpleInventory folder "
    "(hosts.yaml, groups.yaml, defaults.yaml) or an Ansible YAML inventory (all: with "
    "hosts/children/vars), as a file or a folder with group_vars/ and host_vars/"
)
NETJOB_TOP = {"defaults", "groups", "hosts"}
_INI_SECTION = re.compile(r"^\s*\[[\w.:-]+\]\s*$", re.MULTILINE)


def load_any(path: Path, vault: Vault | None = None) -> Inventory:
    """`vault` decrypts an Ansible inventory's `!vault` values (see runner.load.vault)."""
    if path.is_dir():
        return _load_folder(path, vault)
    cached = cached_inventory(path)  # a big netjob inventory, unchanged since a run kept it
    if cached is not None:
        return cached
    kind, data = _classify(path)
    if kind == "netjob":
        return cache_inventory(path, build_inventory(data, path))
    if kind == "ansible":
        from runner.load.ansible_inventory import load_ansible

        return load_ansible(path, vault)
    if kind == "nornir":
        from runner.load.nornir_inventory import load_nornir

        return load_nornir(path.parent)
    raise LoadError(f"{path}: not an inventory netjob can read; it reads {ACCEPTED}", path=path)


def _load_folder(folder: Path, vault: Vault | None) -> Inventory:
    hosts = folder / "hosts.yaml"
    if hosts.is_file() and _classify(hosts)[0] == "nornir":
        from runner.load.nornir_inventory import load_nornir

        return load_nornir(folder)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    found = [p for p in files if _classify(p)[0] in ("netjob", "ansible")]
    if len(found) == 1:
        return load_any(found[0], vault)
    if not found:
        raise LoadError(
            f"{folder}: no inventory file in this folder; netjob reads {ACCEPTED}", path=folder
        )
    names = ", ".join(p.name for p in found)
    raise LoadError(
        f"{folder}: several inventories here ({names}); pass one of them with -i", path=folder
    )


def _classify(path: Path) -> tuple[str, Any]:
    """("netjob" | "ansible" | "nornir" | "unknown", the parsed YAML)."""
    data = _read(path)
    if isinstance(data, dict) and "hosts" in data and set(data) <= NETJOB_TOP:
        return "netjob", data
    from runner.load.ansible_inventory import looks_like_ansible

    if looks_like_ansible(data):
        return "ansible", data
    if path.name == "hosts.yaml" and (data is None or isinstance(data, dict)):
        return "nornir", data
    return "unknown", data


def _read(path: Path) -> Any:
    try:
        return load_yaml(path)
    except LoadError as exc:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        if _INI_SECTION.search(text):
            raise LoadError(
                f"{path}: looks like an Ansible INI inventory, which netjob does not read; "
                f"convert it: ansible-inventory -i {path} --list --yaml > inventory.yml",
                path=path,
            ) from exc
        raise


def merge_inventories(inventories: Sequence[Inventory]) -> Inventory:
    """Hosts of all, in order; groups of the same name united. A host in two inventories is
    an error, not "later wins": silently taking another file's address or credentials for a
    device is how a change lands on the wrong box.
    """
    if not inventories:
        raise ValueError("merge_inventories needs at least one inventory")
    if len(inventories) == 1:
        return inventories[0]
    hosts: dict[str, Host] = {}
    origin: dict[str, Path] = {}
    groups: list[str] = []
    for inventory in inventories:
        for name, host in inventory.hosts.items():
            if name in hosts:
                raise LoadError(
                    f"host '{name}' is in both {origin[name]} and {inventory.source}; "
                    "remove or rename one of them",
                    path=inventory.source,
                )
            hosts[name], origin[name] = host, inventory.source
        groups += [g for g in inventory.groups if g not in groups]
    # Inventory.source only names where hosts came from in messages; name them all.
    source = Path(" + ".join(str(i.source) for i in inventories))
    return Inventory(hosts=hosts, groups=tuple(groups), source=source)


_HOISTED = tuple(k for k in SCALARS if k != "address")
_WARNING = (
    "# WARNING: plain-text passwords or secrets below. Move each to an environment\n"
    "# variable and name it with password_env / secret_env instead.\n"
)


def to_netjob_yaml(inventory: Inventory) -> str:
    """Each host with its merged values, except what every host shares, which goes to
    `defaults`; groups are listed without values, for selection. Loading the text gives
    hosts equal to the inventory's (netjob's merge is defaults < groups < host).
    """
    hosts = {name: _entry(host) for name, host in inventory.hosts.items()}
    defaults = _hoist(list(hosts.values())) if len(hosts) > 1 else {}
    groups = list(inventory.groups)
    groups += [g for h in inventory.hosts.values() for g in h.groups if g not in groups]
    document: dict[str, Any] = {}
    if defaults:
        document["defaults"] = defaults
    if groups:
        document["groups"] = {g: {} for g in dict.fromkeys(groups)}
    document["hosts"] = hosts
    header = f"# netjob inventory converted from {inventory.source}\n"
    secrets = any(h.password is not None or h.secret is not None for h in inventory.hosts.values())
    body = yaml.safe_dump(
        _plain(document), sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None
    )
    return header + (_WARNING if secrets else "") + body


def _entry(host: Host) -> dict[str, Any]:
    entry: dict[str, Any] = {"address": host.address}
    entry.update({k: getattr(host, k) for k in _HOISTED if getattr(host, k) is not None})
    if host.groups:
        entry["groups"] = list(host.groups)
    if host.vars:
        entry["vars"] = dict(host.vars)
    default = ConnectionOptions()
    connection = {
        k: getattr(host.connection, k)
        for k in ("conn_timeout", "auth_timeout", "read_timeout", "fast_cli")
        if getattr(host.connection, k) != getattr(default, k)
    }
    if connection:
        entry["connection"] = connection
    return entry


def _hoist(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Move out of the entries whatever all of them hold with one value, into defaults."""
    defaults: dict[str, Any] = {}
    for key in _HOISTED:
        if _shared(entries, key):
            defaults[key] = entries[0][key]
    for section in ("vars", "connection"):
        inner = [e.get(section, {}) for e in entries]
        common = {k: inner[0][k] for k in list(inner[0]) if _shared(inner, k)}
        if common:
            defaults[section] = common
    for entry in entries:
        for key in (*_HOISTED, "vars", "connection"):
            if key not in defaults:
                continue
            if isinstance(defaults[key], dict):
                for inner_key in defaults[key]:
                    del entry[key][inner_key]
                if not entry[key]:
                    del entry[key]
            else:
                del entry[key]
    return defaults


def _shared(entries: list[dict[str, Any]], key: str) -> bool:
    # repr, not ==: 1 == True == 1.0, but a host's `1` must not come back as `true`.
    first = entries[0]
    return key in first and all(key in e and repr(e[key]) == repr(first[key]) for e in entries)


def _plain(value: Any) -> Any:
    """Plain dicts and lists (the loaders' line-aware subclasses are not safe_dump-able)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
