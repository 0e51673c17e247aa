"""A Nornir SimpleInventory folder (hosts.yaml, groups.yaml, defaults.yaml) → Inventory.

The merged Host equals what Nornir 3 (nornir.core.inventory) and nornir_netmiko compute:

* `data` → `vars`, per top-level key: the host's own data, then its *extended groups*,
  then defaults. Extended groups are the host's groups in listed order, each followed by
  its parent groups depth-first, without repeats (host [a, b], a → [g1, g2], g1 → [x]:
  a, g1, x, g2, b). In Nornir the FIRST place a key is found wins; netjob's merge lets the
  LAST layer win, so the layers are applied in reverse: defaults, ..., b, g2, x, g1, a, host.
* `hostname`, `port`, `username`, `password`, `platform`: the first non-null value in that
  same order (host, extended groups, defaults).
* `connection_options.netmiko` beats those attributes field by field where it is non-null.
  Nornir resolves it through each group's *own* chain, and every chain ends with the
  defaults, so defaults' netmiko options shadow a later-listed group's (host [a, b] with
  netmiko.port in both b and defaults gets the defaults' port). Reproduced as is.
  `extras` is taken whole from the first element that has it, and, as in nornir_netmiko,
  its keys override everything: `host`, `username`, `password`, `port`, `device_type`,
  `secret`, `conn_timeout`, `auth_timeout`, `read_timeout_override` (→ read_timeout) and
  `fast_cli` are honoured; other netmiko arguments are logged and ignored.
* Platforms: NAPALM driver names (`ios`, `nxos`, `nxos_ssh`, `eos`, `junos`, `iosxr`) map to
  netmiko device types as nornir_netmiko maps them, and scrapli's (`cisco_iosxe`) and the
  other names of runner.base.platform_names likewise; a name that is none of these nor a
  netmiko device_type is refused where it is written (nornir_netmiko would pass it on and
  netmiko refuse it at connect time, host by host).

Where Nornir leaves a field unset, netjob's defaults apply: address = the host's name,
port 22, platform cisco_ios. `Host.groups` lists the extended groups, so selecting a group
selects the hosts of its child groups too. Unlike Nornir, unknown keys are errors (Nornir
silently ignores a misspelt `hostnmae`), as are unknown and circular groups.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.base.models import ConnectionOptions, Host
from runner.load import schema
from runner.load.host_patterns import Inventory
from runner.load.schema import At
from runner.load.yamlio import load_yaml

log = logging.getLogger(__name__)

ATTRS = ("hostname", "port", "username", "password", "platform")
DEFAULTS_KEYS = (*ATTRS, "data", "connection_options")
ELEMENT_KEYS = (*DEFAULTS_KEYS, "groups")
# netmiko ConnectHandler arguments netjob honours: argument → (Host/ConnectionOptions field, type)
EXTRAS = {
    "host": ("address", "str"),
    "username": ("username", "str"),
    "password": ("password", "str"),
    "port": ("port", "int"),
    "device_type": ("platform", "platform"),
    "secret": ("secret", "str"),
    "conn_timeout": ("conn_timeout", "num"),
    "auth_timeout": ("auth_timeout", "num"),
    "read_timeout_override": ("read_timeout", "num"),
    "fast_cli": ("fast_cli", "bool"),
}
CONNECTION_FIELDS = ("conn_timeout", "auth_timeout", "read_timeout", "fast_cli")


@dataclass(frozen=True)
class _Element:
    """One host, group or the defaults, as written, checked. None means "not set"."""

    attrs: Mapping[str, Any]
    data: Mapping[str, Any]
    netmiko: Mapping[str, Any] | None  # connection_options.netmiko, extras already mapped
    groups: tuple[str, ...]
    at: At  # where `groups` is (or would be), for errors about them


def load_nornir(folder: Path) -> Inventory:
    defaults = _element(_read(folder / "defaults.yaml"), At(folder / "defaults.yaml", ""), False)
    groups = _elements(folder / "groups.yaml")
    hosts = _elements(folder / "hosts.yaml")
    for name, element in (*groups.items(), *hosts.items()):
        _check_groups(name, element, groups)
    return Inventory(
        hosts={name: _host(name, host, groups, defaults) for name, host in hosts.items()},
        groups=tuple(groups),
        source=folder,
    )


def _read(path: Path) -> Any:
    # groups.yaml and defaults.yaml are optional in Nornir; hosts.yaml is not.
    return load_yaml(path) if path.exists() or path.name == "hosts.yaml" else None


def _elements(path: Path) -> dict[str, _Element]:
    top = schema.mapping(_read(path), At(path, ""))
    return {
        str(name): _element(value, At(path, "").child(str(name), top), True)
        for name, value in top.items()
    }


def _element(value: Any, at: At, grouped: bool) -> _Element:
    data = schema.mapping(value, at)
    schema.check_keys(data, at, ELEMENT_KEYS if grouped else DEFAULTS_KEYS)
    options_at = at.child("connection_options", data)
    options = schema.mapping(data.get("connection_options"), options_at)
    netmiko = None
    if "netmiko" in options:
        netmiko = _netmiko(options["netmiko"], options_at.child("netmiko", options))
    return _Element(
        attrs=_attrs(data, at),
        data=dict(schema.mapping(data.get("data"), at.child("data", data))),
        netmiko=netmiko,
        groups=schema.strings(data, "groups", at) if grouped else (),
        at=at.child("groups", data),
    )


def _attrs(data: dict[str, Any], at: At) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        k: schema.string(data, k, at) for k in ("hostname", "username", "password")
    }
    attrs["port"] = schema.integer(data, "port", at, 1, 65535)
    attrs["platform"] = schema.platform(data, "platform", at)
    return attrs


def _netmiko(value: Any, at: At) -> dict[str, Any]:
    data = schema.mapping(value, at)
    schema.check_keys(data, at, (*ATTRS, "extras"))
    options = _attrs(data, at)
    extras = data.get("extras")
    options["extras"] = None if extras is None else _extras(extras, at.child("extras", data))
    return options


def _extras(value: Any, at: At) -> dict[str, Any]:
    """netmiko arguments → netjob field names, each checked; the rest logged and dropped."""
    data = schema.mapping(value, at)
    result: dict[str, Any] = {}
    for key in data:
        if key not in EXTRAS:
            log.warning("%s: netmiko argument %r is not supported by netjob; ignored", at.file, key)
            continue
        name, kind = EXTRAS[key]
        if kind == "int":
            result[name] = schema.integer(data, key, at, 1, 65535)
        elif kind == "num":
            result[name] = schema.number(data, key, at, 0.1, 86400)
        elif kind == "bool":
            result[name] = schema.boolean(data, key, at)
        elif kind == "platform":
            result[name] = schema.platform(data, key, at)
        else:
            result[name] = schema.string(data, key, at)
    return result


def _check_groups(name: str, element: _Element, groups: dict[str, _Element]) -> None:
    """Unknown parents and cycles are errors here; in Nornir a KeyError or a RecursionError."""
    for group in element.groups:
        if group not in groups:
            raise element.at.fail(f"unknown group '{group}'; define it in groups.yaml or remove it")
    if groups.get(name) is element and name in _ancestors(element, groups, {name}):
        raise element.at.fail(f"group '{name}' is its own ancestor; break the cycle")


def _ancestors(element: _Element, groups: dict[str, _Element], seen: set[str]) -> set[str]:
    found: set[str] = set()
    for name in element.groups:
        found.add(name)
        if name not in seen:
            found |= _ancestors(groups[name], groups, seen | {name})
    return found


def _extended(names: tuple[str, ...], groups: dict[str, _Element]) -> list[str]:
    """Nornir's Host.extended_groups(): each group, then its own extended groups, no repeats."""
    result: list[str] = []
    for name in names:
        for found in (name, *_extended(groups[name].groups, groups)):
            if found not in result:
                result.append(found)
    return result


def _option_chain(
    element: _Element, groups: dict[str, _Element], defaults: _Element
) -> Iterator[Mapping[str, Any]]:
    """Nornir's _get_connection_options_recursively, flattened: first non-null wins."""
    if element.netmiko is not None:
        yield element.netmiko
    for name in element.groups:
        yield from _option_chain(groups[name], groups, defaults)
    if defaults.netmiko is not None:
        yield defaults.netmiko


def _first(layers: Iterable[Mapping[str, Any]], key: str) -> Any:
    return next((layer[key] for layer in layers if layer.get(key) is not None), None)


def _host(name: str, host: _Element, groups: dict[str, _Element], defaults: _Element) -> Host:
    extended = _extended(host.groups, groups)
    chain = [host, *(groups[g] for g in extended), defaults]
    attrs = {k: _first([e.attrs for e in chain], k) for k in ATTRS}
    options = list(_option_chain(host, groups, defaults))
    for key in ATTRS:
        value = _first(options, key)
        attrs[key] = attrs[key] if value is None else value
    fields = {
        "address": attrs["hostname"],
        **{k: attrs[k] for k in ("port", "username", "password", "platform")},
        **(_first(options, "extras") or {}),  # netmiko arguments, as nornir_netmiko passes them
    }
    variables: dict[str, Any] = {}
    for element in reversed(chain):  # Nornir's first-found-wins, as netjob's later-wins
        variables.update(element.data)
    connection = {k: fields.pop(k) for k in CONNECTION_FIELDS if k in fields}
    present = {k: v for k, v in fields.items() if v is not None and k != "address"}
    connection = {k: v for k, v in connection.items() if v is not None}
    return Host(
        name=name,
        address=fields["address"] or name,
        groups=tuple(extended),
        vars=variables,
        connection=ConnectionOptions(**connection),
        origin="nornir",
        **present,
    )
