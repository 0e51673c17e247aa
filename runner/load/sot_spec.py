"""A source-of-truth inventory file (`-i nautobot.yaml`, `-i netbox.yaml`) → SourceSpec.

    kind: nautobot                # or netbox
    url: https://nautobot.example.net
    token_env: NAUTOBOT_TOKEN     # the variable holding the API token, never the token
    verify_tls: true              # the default; ca_file: a PEM bundle to trust instead
    cache_ttl: 300                # seconds a fetched snapshot is reused (0: never)
    config_context: true          # false: no config contexts (NetBox computes each
                                  # device's: it doubles the fetch of 10,000 devices)
    filters: {location: [AMS], role: [core], tenant: [...], tag: [...], status: [...],
              platform: [...]}    # NetBox: site too; several values: any of them
    platforms: {ios-xe: cisco_xe} # platform (NetBox slug, Nautobot name) → netmiko type
    defaults: {username: ..., password_env: ...}   # netjob's own keys, as in inventory.yaml
    groups: {role_core: {vars: ...}}               # keys for the groups the source makes
    hosts: {r1: {port: 2222}}                      # netjob keys for one device by name

Credentials stay in netjob's keys (defaults/groups/hosts, password_env, vault); the source
of truth gives addresses, platforms, groups and variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.load import schema
from runner.load.schema import At

KINDS = ("nautobot", "netbox")
KEYS = (
    "kind",
    "url",
    "token_env",
    "verify_tls",
    "ca_file",
    "cache_ttl",
    "config_context",
    "filters",
    "platforms",
    "defaults",
    "groups",
    "hosts",
)
# Filter keys → each server's query argument (Nautobot's GraphQL, NetBox's REST).
FILTERS = {
    "nautobot": {
        "location": "location",
        "role": "role",
        "tenant": "tenant",
        "tag": "tags",
        "status": "status",
        "platform": "platform",
    },
    "netbox": {
        "site": "site",
        "location": "location",
        "role": "role",
        "tenant": "tenant",
        "tag": "tag",
        "status": "status",
        "platform": "platform",
    },
}
DEFAULT_TTL = 300.0
_refresh = [False]  # --refresh-inventory, for this command (the CLI resets it per command)


def refresh_inventory(on: bool = True) -> None:
    """--refresh-inventory: NetBox/Nautobot inventories are fetched anew in this process,
    not read from their cache, until refresh_inventory(False)."""
    _refresh[0] = on


def refreshing() -> bool:
    return _refresh[0]


@dataclass(frozen=True)
class SourceSpec:
    path: Path
    kind: str
    url: str  # without a trailing slash
    token_env: str
    verify_tls: bool = True
    ca_file: Path | None = None
    cache_ttl: float = DEFAULT_TTL
    config_context: bool = True
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    platforms: Mapping[str, str] = field(default_factory=dict)  # name/slug → device_type
    # netjob's own inventory sections, checked when the inventory is built
    defaults: Mapping[str, Any] = field(default_factory=dict)
    groups: Mapping[str, Any] = field(default_factory=dict)
    hosts: Mapping[str, Any] = field(default_factory=dict)


def looks_like_source(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") in KINDS and "url" in data


def read_spec(data: dict[str, Any], path: Path) -> SourceSpec:
    top = At(path, "")
    schema.check_keys(data, top, KEYS, required=("kind", "url", "token_env"))
    kind = str(data["kind"])
    url = schema.string(data, "url", top) or ""
    if not url.startswith(("http://", "https://")):
        raise top.child("url", data).fail(
            f"expected the server's address, as https://nautobot.example.net, got {url!r}"
        )
    ca_file = schema.string(data, "ca_file", top)
    verify = schema.boolean(data, "verify_tls", top, default=True)
    return SourceSpec(
        path=path,
        kind=kind,
        url=url.rstrip("/"),
        token_env=schema.string(data, "token_env", top) or "",
        verify_tls=verify,
        ca_file=None if ca_file is None else (path.parent / ca_file),
        cache_ttl=_ttl(data, top),
        config_context=schema.boolean(data, "config_context", top, default=True),
        filters=_filters(data, top, kind),
        platforms=_platforms(data, top),
        defaults=schema.mapping(data.get("defaults"), top.child("defaults", data)),
        groups=schema.mapping(data.get("groups"), top.child("groups", data)),
        hosts=schema.mapping(data.get("hosts"), top.child("hosts", data)),
    )


def _ttl(data: dict[str, Any], at: At) -> float:
    value = schema.number(data, "cache_ttl", at, 0, 7 * 86400)
    return DEFAULT_TTL if value is None else float(value)


def _filters(data: dict[str, Any], top: At, kind: str) -> dict[str, tuple[str, ...]]:
    at = top.child("filters", data)
    given = schema.mapping(data.get("filters"), at)
    allowed = tuple(FILTERS[kind])
    if kind == "nautobot" and "site" in given:
        raise at.child("site", given).fail(
            "Nautobot has no sites (Nautobot 2 made them locations); write location:"
        )
    schema.check_keys(given, at, allowed)
    found: dict[str, tuple[str, ...]] = {}
    for key, value in given.items():
        values = value if isinstance(value, list) else [value]
        names = all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)
        if not values or not names:
            raise at.child(key, given).fail(f"expected a name or a list of names, got {value!r}")
        found[key] = tuple(str(v) for v in values)
    return found


def _platforms(data: dict[str, Any], top: At) -> dict[str, str]:
    at = top.child("platforms", data)
    given = schema.mapping(data.get("platforms"), at)
    return {str(k): schema.device_type(str(v), at.child(str(k), given)) for k, v in given.items()}
