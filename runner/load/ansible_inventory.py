"""An Ansible inventory, YAML (or INI: runner.load.ansible_ini), with group_vars/ and
host_vars/ beside it → Inventory.

Variables merge as ansible-core does by default (VARIABLE_PRECEDENCE, hash_behaviour
`replace`: a later layer replaces a key whole), lowest first:
    1. the inventory file's `all: vars:`
    2. the inventory file's vars of the host's other groups, sorted by (depth, priority, name)
    3. group_vars/all
    4. group_vars/<group> for the same sorted groups
    5. the inventory file's vars of the host (where a host is listed twice, the later entry wins)
    6. host_vars/<host>
so any group_vars/ file beats any group's vars in the inventory file. A group's depth is its
longest path from `all` (top-level groups are 1, their children 2, ...); priority is
`ansible_group_priority` (default 1) from the inventory file. A host's groups include their
ancestors, and a host in no group is in `ungrouped`. For group_vars/<name> (and host_vars/)
the first of `<name>`, `<name>.yml`, `<name>.yaml`, `<name>.json` that exists is read; a
folder's files are read in sorted order, recursively, a later file winning.

The merged `ansible_host`, `ansible_port`, `ansible_user`, `ansible_password`,
`ansible_become_password` and `ansible_network_os` become address (default: the host's
name), port (default 22), username, password, secret and platform (default cisco_ios).
The older spellings (ansible_ssh_host, _ssh_port, _ssh_user, _ssh_pass, _ssh_password,
ansible_become_pass, and paramiko's) count too; a host with two spellings of different
values is an error, since which one wins differs between Ansible's connection plugins.
Every other `ansible_*` variable is mapped to netjob's SSH keys, of no effect, or refused
by name (runner.load.ansible_connection). None is kept in `vars`: they may hold passwords.
Files encrypted whole by `ansible-vault encrypt` are read decrypted (runner.load.vault).

Stricter than Ansible, which warns and skips: a key other than hosts/vars/children in a
group is an error. Not supported, each an error naming file:line: in YAML, host ranges
(`r[01:20]`) and `host:port` keys (an INI file has them, by Ansible's own parser); an
ansible_network_os netjob does not know, and Jinja2 in the connection variables other
than these two forms:
    "{{ lookup('env', 'NAME') }}"   (or 'ansible.builtin.env') the password or become
                                    password: password_env/secret_env NAME (read when
                                    connecting, never held in the inventory); another
                                    variable: the environment's value, now
    "{{ a_variable }}"              that variable's value (often a vaulted one)
Other vars that hold Jinja2 are kept as written, not rendered. `!vault` values, anywhere,
are decrypted with the vault password (runner.load.vault: ansible-core's VaultLib, the extra
netjob[ansible]); without one they are an error. `Host.groups` excludes `all` and `ungrouped`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.base.errors import LoadError
from runner.base.models import ConnectionOptions, Host
from runner.load import schema
from runner.load.ansible_connection import ENV_LOOKUP, check_names, connection_options, from_env
from runner.load.host_patterns import Inventory
from runner.load.schema import At
from runner.load.vault import Vault, load_vaulted, reveal
from runner.load.yamlio import Vaulted

# Host field ← Ansible variables, the modern name first.
CONNECTION_VARS = {
    "address": ("ansible_host", "ansible_ssh_host", "ansible_paramiko_host"),
    "port": ("ansible_port", "ansible_ssh_port", "ansible_paramiko_port"),
    "username": ("ansible_user", "ansible_ssh_user", "ansible_paramiko_user"),
    "password": (
        "ansible_password",
        "ansible_ssh_pass",
        "ansible_ssh_password",
        "ansible_paramiko_pass",
        "ansible_paramiko_password",
    ),
    "secret": ("ansible_become_password", "ansible_become_pass"),
    "platform": ("ansible_network_os",),
}
SECTIONS = ("hosts", "vars", "children")
VARS_EXTENSIONS = ("", ".yml", ".yaml", ".json")
_UNSUPPORTED_HOST = re.compile(r"\[.*:.*\]|^[^:]+:\d+$")

Sourced = dict[str, tuple[Any, At]]  # variable → (value, where it was set)


@dataclass
class Parsed:
    """What the inventory file says, filled in while walking it (hence not frozen)."""

    group_vars: dict[str, Sourced] = field(default_factory=lambda: {"all": {}})
    parents: dict[str, list[str]] = field(default_factory=lambda: {"all": []})
    priority: dict[str, int] = field(default_factory=dict)
    host_vars: dict[str, Sourced] = field(default_factory=dict)
    host_groups: dict[str, list[str]] = field(default_factory=dict)
    files: dict[Path, Sourced] = field(default_factory=dict)  # group_vars/x read once, not per host


def looks_like_ansible(data: Any) -> bool:
    """`all:` at the top, or a top-level group made only of hosts/vars/children."""
    if not isinstance(data, dict):
        return False
    if "all" in data and (data["all"] is None or isinstance(data["all"], dict)):
        return True
    return any(isinstance(v, dict) and v and set(v) <= set(SECTIONS) for v in data.values())


def load_ansible(path: Path, vault: Vault | None = None, ini: bool = False) -> Inventory:
    """A YAML inventory, or with `ini` an INI one (runner.load.ansible_ini)."""
    parsed = Parsed()
    if ini:
        from runner.load.ansible_ini import read_ini

        read_ini(path, parsed)
    else:
        top = At(path, "")
        data = schema.mapping(load_vaulted(path, vault), top)
        for name, value in data.items():
            _group(parsed, name, value, top.child(name, data))
    for name, parents in parsed.parents.items():
        if name != "all" and not parents:
            parents.append("all")
    for groups in parsed.host_groups.values():
        if not groups:
            groups.append("ungrouped")
            parsed.parents.setdefault("ungrouped", ["all"])
    hosts = {name: _host(parsed, name, path.parent, vault) for name in parsed.host_groups}
    names = tuple(g for g in parsed.parents if g not in ("all", "ungrouped"))
    # A group without hosts gives nobody its vars (nor asks for a vault password for them).
    used = {g for host in hosts.values() for g in host.groups}
    own = {g: _own_vars(parsed, g, path.parent, vault) for g in names if g in used}
    return Inventory(hosts=hosts, groups=names, source=path, group_vars=own)


def _own_vars(parsed: Parsed, group: str, folder: Path, vault: Vault | None) -> dict[str, Any]:
    """The group's vars, its group_vars/ file winning, without Ansible's own variables."""
    found = {
        **parsed.group_vars.get(group, {}),
        **_cached(parsed, folder / "group_vars", group, vault),
    }
    return {
        k: _unvault(v, at, vault) for k, (v, at) in found.items() if not k.startswith("ansible_")
    }


def _group(parsed: Parsed, name: str, value: Any, at: At) -> None:
    parsed.group_vars.setdefault(name, {})
    parsed.parents.setdefault(name, [])
    data = schema.mapping(value, at)
    schema.check_keys(data, at, SECTIONS)
    for section in data:  # in file order, as Ansible reads them
        section_at = at.child(section, data)
        entries = data[section]
        # Ansible accepts a bare string for a one-entry section.
        entries = (
            {entries: None} if isinstance(entries, str) else schema.mapping(entries, section_at)
        )
        for key, entry in entries.items():
            entry_at = section_at.child(key, entries)
            if section == "vars":
                _group_var(parsed, name, key, entry, entry_at)
            elif section == "children":
                _group(parsed, key, entry, entry_at)
                _add_child(parsed, name, key, entry_at)
            else:
                _host_entry(parsed, name, key, entry, entry_at)


def _group_var(parsed: Parsed, group: str, key: str, value: Any, at: At) -> None:
    if key != "ansible_group_priority":
        parsed.group_vars[group][key] = (value, at)
    elif isinstance(value, int) and not isinstance(value, bool):
        parsed.priority[group] = value
    else:
        raise at.fail(f"expected a whole number, got {value!r}")


def _add_child(parsed: Parsed, parent: str, child: str, at: At) -> None:
    if child == parent or child in _ancestors(parsed, parent):
        raise at.fail(f"group '{child}' would be its own ancestor; break the cycle")
    if parent not in parsed.parents[child]:
        parsed.parents[child].append(parent)


def _host_entry(parsed: Parsed, group: str, name: str, value: Any, at: At) -> None:
    if _UNSUPPORTED_HOST.search(name):
        raise at.fail(
            "host ranges and host:port keys are not supported; list each host and set ansible_port"
        )
    host_vars = parsed.host_vars.setdefault(name, {})
    groups = parsed.host_groups.setdefault(name, [])
    if group != "all" and group not in groups:
        groups.append(group)
    variables = schema.mapping(value, at)
    host_vars.update({k: (v, at.child(k, variables)) for k, v in variables.items()})


def _ancestors(parsed: Parsed, group: str) -> list[str]:
    """Every group above `group`, nearest first, without repeats (`all` included)."""
    found: list[str] = []
    for parent in parsed.parents.get(group, []):
        for name in (parent, *_ancestors(parsed, parent)):
            if name not in found:
                found.append(name)
    return found


def _depth(parsed: Parsed, group: str) -> int:
    """The longest path from `all`, which is what Ansible's Group.depth settles to."""
    parents = parsed.parents.get(group, [])
    return 1 + max((_depth(parsed, p) for p in parents), default=-1)


def _host(parsed: Parsed, name: str, folder: Path, vault: Vault | None) -> Host:
    groups: list[str] = []
    for group in parsed.host_groups[name]:
        for found in (group, *_ancestors(parsed, group)):
            if found != "all" and found not in groups:
                groups.append(found)
    ordered = sorted(groups, key=lambda g: (_depth(parsed, g), parsed.priority.get(g, 1), g))
    merged: Sourced = dict(parsed.group_vars["all"])
    for group in ordered:
        merged.update(parsed.group_vars.get(group, {}))
    for group in ("all", *ordered):
        merged.update(_cached(parsed, folder / "group_vars", group, vault))
    merged.update(parsed.host_vars[name])
    merged.update(_vars_files(folder / "host_vars", name, vault))
    check_names(merged, lambda key: merged[key][1])
    fields = _connection(merged, name, vault)

    def resolve(key: str) -> tuple[Any, At] | None:
        if key not in merged or merged[key][0] is None:
            return None
        return _followed(*merged[key], merged, vault)

    options, become = connection_options(resolve)
    if not become:  # ansible_become: false: Ansible would not enter enable mode
        fields.pop("secret", None)
        fields.pop("secret_env", None)
    return Host(
        name=name,
        groups=tuple(g for g in groups if g != "ungrouped"),
        vars={
            k: _unvault(v, at, vault)
            for k, (v, at) in merged.items()
            if not k.startswith("ansible_")
        },
        origin="ansible",
        connection=ConnectionOptions(**options),
        **fields,
    )


def _connection(merged: Sourced, name: str, vault: Vault | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"address": name}
    vaulted: list[str] = []
    for target, names in CONNECTION_VARS.items():
        found = [merged[n] for n in names if n in merged and merged[n][0] is not None]
        if not found:
            continue
        value, at = found[0]
        if len(found) > 1 and found[1][0] != value:
            # Which spelling wins differs between Ansible connection plugins: refuse to guess.
            other = found[0][1]
            raise found[1][1].fail(
                f"conflicts with {other.path} in {other.file.name}; keep one of the two"
            )
        if target in ("password", "secret") and _holds_vault(value, merged):
            vaulted.append(target)
        value, at = _followed(value, at, merged, vault)
        env = ENV_LOOKUP.fullmatch(value.strip()) if isinstance(value, str) else None
        if env and target in ("password", "secret"):
            # The secret stays in the environment: netjob reads it when it connects.
            fields[f"{target}_env"] = env.group("name")
        elif env:
            fields[target] = _field(target, from_env(env.group("name"), at), at)
        else:
            fields[target] = _field(target, value, at)
    if vaulted:
        fields["from_vault"] = tuple(vaulted)
    return fields


def _holds_vault(value: Any, merged: Sourced) -> bool:
    """Whether a value is vaulted, itself or through the `{{ variable }}`s it names."""
    for _ in range(10):  # _followed refuses longer chains
        if isinstance(value, Vaulted):
            return True
        reference = _REFERENCE.fullmatch(value.strip()) if isinstance(value, str) else None
        if reference is None or reference.group(1) not in merged:
            return False
        value = merged[reference.group(1)][0]
    return False


# `{{ a_variable }}`: a connection variable naming another (often a vaulted one).
_REFERENCE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def _followed(value: Any, at: At, merged: Sourced, vault: Vault | None) -> tuple[Any, At]:
    """The value itself: a `{{ variable }}` followed to that variable, a vaulted value
    decrypted. Any other Jinja2 is refused: netjob does not render inventories."""
    for _ in range(10):
        if isinstance(value, Vaulted):
            return _reveal(value, vault, at), at
        if not isinstance(value, str) or "{{" not in value:
            return value, at
        if ENV_LOOKUP.fullmatch(value.strip()):
            return value, at
        reference = _REFERENCE.fullmatch(value.strip())
        if reference is None:
            raise at.fail(
                "in a connection variable netjob reads {{ lookup('env', 'NAME') }} and "
                "{{ a_variable }}, no other Jinja2; write the value"
            )
        if reference.group(1) not in merged:
            raise at.fail(f"'{reference.group(1)}' is not defined for this host")
        value, at = merged[reference.group(1)]
    raise at.fail("variables refer to each other in a loop; write the value")


def _unvault(value: Any, at: At, vault: Vault | None) -> Any:
    """A variable's value with every vaulted part decrypted (they may sit in lists and maps)."""
    if isinstance(value, Vaulted):
        return _reveal(value, vault, at)
    if isinstance(value, dict):
        return {k: _unvault(v, at, vault) for k, v in value.items()}
    if isinstance(value, list):
        return [_unvault(v, at, vault) for v in value]
    return value


def _reveal(value: Vaulted, vault: Vault | None, at: At) -> str:
    """The plain text of a vaulted value; its LoadError carries where the value sits."""
    try:
        return reveal(value, vault, _where(at, value))
    except LoadError as exc:
        exc.path, exc.line, exc.key = at.file, value.line or None, at.path or None
        raise


def _where(at: At, value: Vaulted) -> str:
    return f"{at.file}:{value.line}: {at.path}"


def _field(target: str, value: Any, at: At) -> Any:
    if target == "port":
        return _port(value, at)
    if target == "platform":
        return _platform(value, at)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise at.fail(f"expected a string, got {value!r}")


def _port(value: Any, at: At) -> int:
    # Ansible converts "22" to 22; so does netjob, but nothing else.
    number = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 65535:
        raise at.fail(f"expected a whole number from 1 to 65535, got {value!r}")
    return number


def _platform(value: Any, at: At) -> str:
    """ansible_network_os: Ansible's name (`ios`, `cisco.ios.ios`) or a netmiko device_type."""
    if not isinstance(value, str):
        raise at.fail(f"expected a string, got {value!r}")
    return schema.device_type(value, at)


def _cached(parsed: Parsed, folder: Path, name: str, vault: Vault | None) -> Sourced:
    if folder / name not in parsed.files:
        parsed.files[folder / name] = _vars_files(folder, name, vault)
    return parsed.files[folder / name]


def _vars_files(folder: Path, name: str, vault: Vault | None) -> Sourced:
    """Ansible's host_group_vars plugin: the first existing `name[.ext]`, a folder recursively."""
    for ext in VARS_EXTENSIONS:
        path = folder / f"{name}{ext}"
        if path.exists():
            files = _folder_files(path) if path.is_dir() else [path]
            break
    else:
        return {}
    result: Sourced = {}
    for file in files:
        data = schema.mapping(load_vaulted(file, vault), At(file, ""))
        result.update({k: (v, At(file, "").child(k, data)) for k, v in data.items()})
    return result


def _folder_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.name.endswith("~"):
            continue  # hidden files and editor backups, as Ansible skips them
        if path.is_dir() and not path.suffix:
            found += _folder_files(path)
        elif path.is_file() and path.suffix in VARS_EXTENSIONS:
            found.append(path)
    return found
