"""A NetBox or Nautobot server → netjob's Inventory, through netjob's own inventory rules.

The fetched devices (runner.load.sot_fetch) become an inventory.yaml document, checked and
merged by runner.load.inventory like any other: the file's `defaults:` < its `groups:` < the
device (address, platform, groups; config context, then custom fields, as `vars`) < the
file's `hosts:` entry for that device. So credentials stay in netjob's keys, and the
source of truth decides where a device is and what it is.

Mapping:
    primary IP (v4, else v6)         address (a host name as it is)
    platform                          platform: the file's `platforms:` table first, then
                                      Nautobot's network_driver netmiko mapping, or NetBox's
                                      slug through NETBOX_SLUGS / netjob's platform names
    location, site, role, tenant,     groups location_<x>, site_<x>, role_<x>, tenant_<x>,
    device type, manufacturer,        device_type_<x>, manufacturer_<x>, platform_<x>,
    platform, tags                    tag_<x> (<x>: lowercase, runs of other characters → _)
    config context, custom fields     vars (custom fields win; nulls dropped)
A device without a primary IP, a name, or a platform netjob can map is left out and named
in one note each kind (never guessed: an unmapped platform is not cisco_ios).

Snapshots are cached (runner.load.inventory_cache, authenticated) for `cache_ttl` seconds,
keyed by the file's bytes: a `run` and the `plan` after it see the same devices, and
`--refresh-inventory` (sot_spec.refresh_inventory()) fetches anew.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

from runner.base import platform_names, platforms, user_files
from runner.base.errors import LoadError
from runner.base.models import ConnectionOptions, Host
from runner.base.version import __version__
from runner.load import inventory_cache, sot_spec
from runner.load.host_patterns import Inventory
from runner.load.inventory import build_inventory
from runner.load.sot_http import Client, tls_context
from runner.load.sot_spec import SourceSpec, read_spec


def iso(t: float) -> str:
    return datetime.datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds")


_notes = logging.getLogger("runner.notes")
_LISTED = 10  # names in a note before "and N more"
# NetBox's platform slugs → netmiko device_type: the platform table's (one table).
NETBOX_SLUGS = platforms.NETBOX_SLUGS
GROUP_FIELDS = (
    "location",
    "site",
    "role",
    "tenant",
    "device_type",
    "manufacturer",
    "platform",
)


def load_source(path: Path, data: dict[str, Any]) -> Inventory:
    spec = read_spec(data, path)
    name = _cache_name(path, spec)
    kept = None if name is None or sot_spec.refreshing() else inventory_cache.load(name)
    if isinstance(kept, dict) and time.time() - kept.get("fetched", 0) < spec.cache_ttl:
        inventory, notes = kept["inventory"], kept["notes"]
        if isinstance(inventory, Inventory):
            _tell(notes)
            return dataclasses.replace(inventory, source=path)
    fetched = time.time()
    records = fetch_records(spec)
    inventory, notes = to_inventory(spec, records, fetched)
    if name is not None:
        inventory_cache.store(name, {"fetched": fetched, "inventory": inventory, "notes": notes})
    _tell(notes)
    return inventory


def fetch_records(spec: SourceSpec) -> list[dict[str, Any]]:
    from runner.load.sot_fetch import fetch

    token = os.environ.get(spec.token_env)
    if not token:
        raise LoadError(
            f"{spec.path}: token_env: ${spec.token_env} is not set; export it with a "
            f"{spec.kind} API token that may read devices",
            path=spec.path,
            key="token_env",
        )
    return fetch(Client(spec, token, tls_context(spec)))


def to_inventory(
    spec: SourceSpec, records: list[dict[str, Any]], fetched: float
) -> tuple[Inventory, list[str]]:
    hosts: dict[str, Any] = {}
    left: dict[str, list[str]] = {"name": [], "address": [], "platform": []}
    groups: dict[str, Any] = {}
    for record in records:
        name = record.get("name")
        platform = _platform(spec, record)
        if not name:
            left["name"].append(f"{record.get('device_type')} at {record.get('address')}")
        elif record.get("address") is None:
            left["address"].append(str(name))
        elif platform is None:
            left["platform"].append(f"{name} ({_platform_words(record)})")
        else:
            hosts[str(name)] = _entry(spec, record, platform, groups)
    _check_overrides(spec, hosts, records)
    document = {
        "defaults": spec.defaults,
        "groups": {**{g: {} for g in groups}, **spec.groups},
        "hosts": hosts,
    }
    inventory = build_inventory(document, spec.path)
    digest = hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()).hexdigest()
    snapshot = {
        "source": f"{spec.kind} {spec.url}",
        "fetched": iso(fetched),
        "devices": len(records),
        "hosts": len(inventory.hosts),
        "sha256": digest,
    }
    return dataclasses.replace(inventory, snapshots=(snapshot,)), _notes_of(spec, left)


def _entry(
    spec: SourceSpec, record: dict[str, Any], platform: str, groups: dict[str, Any]
) -> dict[str, Any]:
    names = []
    for key in GROUP_FIELDS:
        value = record.get(key)
        if value:
            names.append(f"{key}_{_slug(str(value))}")
    names += [f"tag_{_slug(str(t))}" for t in record.get("tags") or ()]
    names = list(dict.fromkeys(names))  # two fields of one value make one group
    for group in names:
        groups[group] = None
    variables = {**(record.get("context") or {}), **(record.get("custom") or {})}
    entry: dict[str, Any] = {
        "address": record["address"],
        "platform": platform,
        "groups": names,
        "vars": {k: v for k, v in variables.items() if v is not None},
    }
    own = spec.hosts.get(str(record["name"]))
    if isinstance(own, dict):
        entry.update({k: v for k, v in own.items() if k != "vars"})
        entry["vars"] = {**entry["vars"], **(own.get("vars") or {})}
        entry["groups"] = [*names, *(g for g in own.get("groups") or () if g not in names)]
    return entry


def _platform(spec: SourceSpec, record: dict[str, Any]) -> str | None:
    """The netmiko device_type for the device's platform, or None: never a guess."""
    platform = record.get("platform")
    if platform is None:
        return None
    if platform in spec.platforms:
        return spec.platforms[platform]
    if spec.kind == "nautobot":
        driver = record.get("driver")
        return None if not driver else platform_names.resolve(str(driver))
    slug = str(platform)
    return NETBOX_SLUGS.get(slug) or platform_names.resolve(slug.replace("-", "_"))


def _platform_words(record: dict[str, Any]) -> str:
    if record.get("platform") is None:
        return "no platform"
    driver = record.get("network_driver")
    driver = f", network driver {driver!r}" if driver else ""
    return f"platform {record['platform']!r}{driver}"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_") or "_"


def _check_overrides(
    spec: SourceSpec, hosts: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    """A `hosts:` entry for a device the source does not list would silently do nothing."""
    fetched = {str(r.get("name")) for r in records}
    for name in spec.hosts:
        if str(name) not in fetched:
            near = difflib.get_close_matches(str(name), sorted(fetched), n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise LoadError(
                f"{spec.path}: hosts.{name}: {spec.kind} lists no such device (of the "
                f"{len(records)} its filters select); {hint}remove or rename the entry",
                path=spec.path,
                key=f"hosts.{name}",
            )


def _notes_of(spec: SourceSpec, left: dict[str, list[str]]) -> list[str]:
    why = {
        "name": "have no name",
        "address": "have no primary IP",
        "platform": "have a platform netjob cannot map to a netmiko device_type "
        "(add it under platforms: in the file)",
    }
    notes = []
    for key, names in left.items():
        if names:
            shown = ", ".join(names[:_LISTED])
            more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
            notes.append(
                f"{spec.path}: {len(names)} {spec.kind} device(s) {why[key]} and are left "
                f"out: {shown}{more}"
            )
    return notes


def _tell(notes: list[str]) -> None:
    for note in notes:
        _notes.warning("%s", note)


def _cache_name(path: Path, spec: SourceSpec) -> str | None:
    """Keyed by the file's bytes, netjob's version, the records' layout and the platform
    names; None with cache_ttl: 0 or NETJOB_NO_CACHE=1."""
    if spec.cache_ttl <= 0 or os.environ.get("NETJOB_NO_CACHE"):
        return None
    try:
        data = user_files.read_bytes(path)
    except user_files.FileRefused:
        return None
    shape = repr([sorted(c.__dataclass_fields__) for c in (Inventory, Host, ConnectionOptions)])
    key = f"{__version__}\0{shape}\0{platform_names.rules()}\0".encode() + data
    return f"source-{hashlib.sha256(key).hexdigest()}.pickle"
