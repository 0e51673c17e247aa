"""The inventories engineers already have → netjob's Inventory, and back to inventory.yaml.

    load_any(path)              netjob's inventory.yaml, a Nornir SimpleInventory folder
                                (runner.load.nornir_inventory) or an Ansible inventory, YAML or
                                INI, file or folder (runner.load.ansible_inventory); each module's
                                docstring states how it reproduces its tool's precedence
    merge_inventories(invs)     several `-i`: hosts side by side, groups united
    to_netjob_yaml(inv)         inventory.yaml text that loads to the same hosts (checked)

How a path is recognised: a folder whose hosts.yaml is not itself an Ansible or netjob
inventory is Nornir; another folder must hold exactly one *.yml/*.yaml/*.ini (or `hosts`)
inventory (Ansible or netjob), read with the group_vars/ and host_vars/ beside it. A file
whose top level is netjob's (`hosts:` with only `defaults:`/`groups:` beside it) is
netjob's; one with `all:`, or a group made only of `hosts:`/`children:`/`vars:`, is
Ansible's; a *.ini file, or one that is not YAML but has `[section]` lines, is an Ansible
INI inventory; a file named hosts.yaml that is neither is a Nornir hosts file (its folder
is read). A file `ansible-vault encrypt` wrote is decrypted first. Anything else is a
LoadError that lists what is accepted.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from runner.base import user_files
from runner.base.errors import LoadError
from runner.base.models import ConnectionOptions, Host, JumpHost
from runner.load.host_patterns import Inventory
from runner.load.inventory import (
    CONNECTION_KEYS,
    SCALARS,
    SSH_KEYS,
    build_inventory,
    cache_inventory,
    cached_inventory,
    read_once,
)
from runner.load.ssh_options import ALGORITHM_KEYS, JUMP_KEYS
from runner.load.yamlio import load_yaml

if TYPE_CHECKING:
    from runner.load.vault import Vault

# Nornir's and Ansible's readers are imported when a file is theirs: a netjob inventory
# (and `netjob hosts` on it) does not pay for them.

ACCEPTED = (
    "netjob's inventory.yaml (defaults/groups/hosts), a Nornir SimpleInventory folder "
    "(hosts.yaml, groups.yaml, defaults.yaml) or an Ansible inventory, YAML (all: with "
    "hosts/children/vars) or INI, as a file or a folder with group_vars/ and host_vars/, "
    "or a NetBox/Nautobot source file (kind:, url:, token_env:)"
)
NETJOB_TOP = {"defaults", "groups", "hosts"}
_INI_SECTION = re.compile(r"^\s*\[[\w.:-]+\]\s*$", re.MULTILINE)


def load_any(path: Path, vault: Vault | None = None) -> Inventory:
    """`vault` decrypts an Ansible inventory's `!vault` values (see runner.load.vault)."""
    if path.is_dir():
        return _load_folder(path, vault)
    read = read_once(path)  # parsed, and naming the cache file, from these bytes only
    cached = cached_inventory(read)  # a big netjob inventory, unchanged since a run kept it
    if cached is not None:
        return cached
    kind, data = _classify(path, vault, read.data)
    if kind == "source":  # a NetBox or Nautobot server, named in a small file
        from runner.load.sot_inventory import load_source

        return load_source(path, data)
    if kind == "netjob":
        return cache_inventory(read, build_inventory(data, path))
    if kind in ("ansible", "ini"):
        from runner.load.ansible_inventory import load_ansible

        return load_ansible(path, vault, ini=kind == "ini")
    if kind == "nornir":
        from runner.load.nornir_inventory import load_nornir

        return load_nornir(path.parent)
    raise LoadError(f"{path}: not an inventory netjob can read; it reads {ACCEPTED}", path=path)


def _load_folder(folder: Path, vault: Vault | None) -> Inventory:
    hosts = folder / "hosts.yaml"
    if hosts.is_file() and _classify(hosts, vault)[0] == "nornir":
        from runner.load.nornir_inventory import load_nornir

        return load_nornir(folder)
    # Ansible's inventory folders often hold one INI file named `hosts`, without a suffix.
    files = sorted(
        p
        for p in folder.iterdir()
        if (p.suffix in (".yml", ".yaml", ".ini") or p.name == "hosts") and p.is_file()
    )
    found = [p for p in files if _classify(p, vault)[0] in ("netjob", "ansible", "ini")]
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


def _classify(path: Path, vault: Vault | None, raw: bytes | None = None) -> tuple[str, Any]:
    """("source" | "netjob" | "ansible" | "ini" | "nornir" | "unknown", the parsed YAML),
    from `raw`, the file's bytes as read (None: read them here; unreadable, load_yaml
    says why)."""
    if path.suffix == ".ini":
        return "ini", None  # an Ansible INI inventory (runner.load.ansible_ini)
    if raw is None:
        with contextlib.suppress(user_files.FileRefused):
            raw = user_files.read_bytes(path)
    try:
        data = _read(path, vault, raw)
    except LoadError:
        text = (raw or b"").decode("utf-8", errors="replace")  # the LoadError says why
        if _INI_SECTION.search(text):
            return "ini", None
        raise
    from runner.load.sot_spec import looks_like_source

    if looks_like_source(data):
        return "source", data
    if isinstance(data, dict) and "hosts" in data and set(data) <= NETJOB_TOP:
        return "netjob", data
    from runner.load.ansible_inventory import looks_like_ansible

    if looks_like_ansible(data):
        return "ansible", data
    if path.name == "hosts.yaml" and (data is None or isinstance(data, dict)):
        return "nornir", data
    return "unknown", data


def _read(path: Path, vault: Vault | None, raw: bytes | None) -> Any:
    data = load_yaml(path, raw)
    if isinstance(data, str) and data.startswith("$ANSIBLE_VAULT;"):
        from runner.load.vault import load_vaulted  # an inventory ansible-vault encrypted

        return load_vaulted(path, vault)
    return data


def load_inventories(paths: Path | Sequence[Path], vault: Vault | None = None) -> Inventory:
    """One or more inventories in netjob's, Nornir's or Ansible's format, merged."""
    if isinstance(paths, Path):  # one path: no merge needed
        return load_any(paths, vault)
    return merge_inventories([load_any(p, vault) for p in paths])


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
    return Inventory(
        hosts=hosts,
        groups=tuple(groups),
        source=source,
        group_vars=_group_vars(inventories),
        snapshots=tuple(s for i in inventories for s in i.snapshots),
    )


def _group_vars(inventories: Sequence[Inventory]) -> dict[str, Any]:
    """Each group's vars, where every inventory that has them agrees (a group of the same
    name with other vars in another file is listed without: its hosts keep theirs)."""
    found: dict[str, Any] = {}
    clash: set[str] = set()
    for inventory in inventories:
        for group, values in inventory.group_vars.items():
            if group in found and found[group] != values:
                clash.add(group)
            found.setdefault(group, values)
    return {g: v for g, v in found.items() if g not in clash}


_HOISTED = (*(k for k in SCALARS if k != "address"), *SSH_KEYS)
_WARNING = (
    "# WARNING: plain-text passwords or secrets below. Move each to an environment\n"
    "# variable and name it with password_env / secret_env instead.\n"
)
_ALGORITHMS = {field: key for key, field in ALGORITHM_KEYS.items()}


def to_netjob_yaml(inventory: Inventory) -> str:
    """Groups with their own vars (where the source has them); each host with its merged
    values, except the vars its groups give it and what every host shares, which goes to
    `defaults`. Loading the text gives hosts equal to the inventory's (netjob's merge is
    defaults < groups < host); a LoadError says which host would not.
    """
    groups = list(inventory.groups)
    groups += [g for h in inventory.hosts.values() for g in h.groups if g not in groups]
    group_vars = {g: dict(inventory.group_vars.get(g, {})) for g in groups}
    hosts = {name: _entry(host, group_vars) for name, host in inventory.hosts.items()}
    grouped = {k for values in group_vars.values() for k in values}
    defaults = _hoist(list(hosts.values()), grouped) if len(hosts) > 1 else {}
    document: dict[str, Any] = {}
    if defaults:
        document["defaults"] = defaults
    if groups:
        document["groups"] = {g: {"vars": v} if v else {} for g, v in group_vars.items()}
    document["hosts"] = hosts
    header = f"# netjob inventory converted from {inventory.source}\n"
    secrets = any(h.password is not None or h.secret is not None for h in inventory.hosts.values())
    body = yaml.safe_dump(
        _plain(document), sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None
    )
    _check_round_trip(inventory, body)
    return header + (_WARNING if secrets else "") + body


def _check_round_trip(inventory: Inventory, body: str) -> None:
    """Never a converted file that reads differently from its source."""
    loaded = build_inventory(yaml.safe_load(body), inventory.source).hosts
    for name, host in inventory.hosts.items():
        if loaded[name] != host:
            raise LoadError(
                f"{inventory.source}: host '{name}' cannot be written in netjob's format so "
                "that it loads the same; convert it by hand",
                path=inventory.source,
            )


def _entry(host: Host, group_vars: dict[str, dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {"address": host.address}
    entry.update({k: getattr(host, k) for k in SCALARS[1:] if getattr(host, k) is not None})
    entry.update(_ssh_keys(host.connection))
    if host.groups:
        entry["groups"] = list(host.groups)
    from_groups: dict[str, Any] = {}
    for group in host.groups:
        from_groups.update(group_vars.get(group, {}))
    own = {k: v for k, v in host.vars.items() if k not in from_groups or from_groups[k] != v}
    if own:
        entry["vars"] = own
    default = ConnectionOptions()
    connection = {
        k: getattr(host.connection, k)
        for k in CONNECTION_KEYS
        if getattr(host.connection, k) != getattr(default, k)
    }
    if connection:
        entry["connection"] = connection
    return entry


def _ssh_keys(options: ConnectionOptions) -> dict[str, Any]:
    """The inventory's SSH keys (runner.load.ssh_options) that differ from the defaults."""
    default = ConnectionOptions()
    found: dict[str, Any] = {}
    for key in SSH_KEYS:
        if key in ("jump", "ssh"):
            continue
        if getattr(options, key) != getattr(default, key):
            found[key] = getattr(options, key)
    if options.jump:
        found["jump"] = [_jump(hop) for hop in options.jump]
    ssh = {key: list(getattr(options, f)) for f, key in _ALGORITHMS.items() if getattr(options, f)}
    if ssh:
        found["ssh"] = ssh
    return found


def _jump(hop: JumpHost) -> dict[str, Any]:
    """A bastion as netjob's `jump:` entry writes it: what differs from the defaults, its
    own `ssh:` algorithms as the `ssh:` mapping it was read from."""
    default = JumpHost(address=hop.address)
    entry = {"address": hop.address} | {
        k: getattr(hop, k)
        for k in JUMP_KEYS
        if k != "ssh" and getattr(hop, k) != getattr(default, k)
    }
    ssh = {key: list(getattr(hop, field)) for key, field in ALGORITHM_KEYS.items()}
    ssh = {key: names for key, names in ssh.items() if names}
    return entry | ({"ssh": ssh} if ssh else {})


def _hoist(entries: list[dict[str, Any]], grouped: set[str]) -> dict[str, Any]:
    """Move out of the entries whatever all of them hold with one value, into defaults;
    never a var a group sets (a group's value would then beat the host's)."""
    defaults: dict[str, Any] = {}
    for key in _HOISTED:
        if _shared(entries, key):
            defaults[key] = entries[0][key]
    for section in ("vars", "connection"):
        inner = [e.get(section, {}) for e in entries]
        common = {k: inner[0][k] for k in list(inner[0]) if _shared(inner, k) and k not in grouped}
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
