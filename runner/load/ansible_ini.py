"""An Ansible INI inventory, parsed by ansible-core's own INI inventory plugin (the extra
netjob[ansible]): its sections, `[group:vars]`, `[group:children]`, host ranges
(`r[01:20]`), `host:port` and value typing are Ansible's, not a copy of them. What it
gives (groups, their parents and priority, each host's groups and variables) then goes
through runner.load.ansible_inventory's merge with group_vars/ and host_vars/, as a YAML
inventory does. Messages name the file and `group.vars.key` or `host.key` (the plugin
keeps no line numbers).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.base.errors import LoadError
from runner.load.schema import At
from runner.load.vault import INSTALL

if TYPE_CHECKING:
    from runner.load.ansible_inventory import Parsed

# Variables the plugin adds to every host, about the file itself.
_ADDED = ("inventory_file", "inventory_dir")


def read_ini(path: Path, parsed: Parsed) -> None:
    """Fill `parsed` from the INI file at `path`."""
    try:
        from ansible.errors import AnsibleError
        from ansible.inventory.data import InventoryData
        from ansible.parsing.dataloader import DataLoader
        from ansible.plugins.inventory.ini import InventoryModule
    except ImportError:
        raise LoadError(
            f"{path}: an Ansible INI inventory; reading it needs ansible-core: {INSTALL}",
            path=path,
        ) from None
    data = InventoryData()
    try:
        InventoryModule().parse(data, DataLoader(), str(path.resolve()))
    except AnsibleError as exc:
        reason = " ".join(str(exc).split())[:300]
        raise LoadError(f"{path}: not an Ansible INI inventory: {reason}", path=path) from None
    for group in data.groups.values():
        parsed.group_vars.setdefault(group.name, {}).update(
            {k: (_plain(v), At(path, f"{group.name}.vars.{k}")) for k, v in group.vars.items()}
        )
        parents = parsed.parents.setdefault(group.name, [])
        parents += [p.name for p in group.parent_groups if p.name not in parents]
        if group.priority != 1:
            parsed.priority[group.name] = group.priority
    for host in data.hosts.values():
        parsed.host_groups[host.name] = [
            g.name for g in data.groups.values() if g.name != "all" and host in g.hosts
        ]
        parsed.host_vars[host.name] = {
            k: (_plain(v), At(path, f"{host.name}.{k}"))
            for k, v in host.vars.items()
            if k not in _ADDED
        }


def _plain(value: Any) -> Any:
    """Plain Python values: the plugin's carry ansible-core's tags (subclasses of str,
    int, list, dict), which netjob must not keep, pickle or compare against."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value
