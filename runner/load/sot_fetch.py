"""Devices from Nautobot (GraphQL: only the fields netjob maps) or NetBox (REST pages),
as plain records of one shape, whichever server they came from:

    {"name", "address", "platform", "driver", "site", "location", "role", "tenant",
     "device_type", "manufacturer", "tags", "status", "context", "custom"}

`address` is the primary IP without its prefix length (v4, else v6; None without one);
`driver` is the netmiko device_type the server maps the platform to (Nautobot's
network_driver mappings; None on NetBox, whose platforms carry no such mapping), and
`network_driver` Nautobot's name for the platform's driver (only for messages).

Pages are fetched PARALLEL at a time (offsets 0, n, 2n, ...) until one comes back short:
no count is asked first, and the server never sees more than PARALLEL requests of ours.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from runner.base.errors import LoadError
from runner.load import sot_contexts
from runner.load.sot_http import PARALLEL, Client
from runner.load.sot_spec import FILTERS

PAGE = 1000  # NetBox's and Nautobot's default MAX_PAGE_SIZE
Record = dict[str, Any]

_NAUTOBOT_FIELDS = """
  name
  primary_ip4 { host } primary_ip6 { host }
  platform { name }
  location { name } role { name } tenant { name } status { name }
  device_type { model manufacturer { name } }
  tags { name }
  _custom_field_data
"""


def fetch(client: Client) -> list[Record]:
    if client.spec.kind == "nautobot":
        drivers = _nautobot_drivers(client)
        if not client.spec.config_context:
            fields = ""
        elif sot_contexts.can_share(client, _graphql):
            fields = sot_contexts.DEVICE_FIELDS
        else:
            fields = " config_context"  # asked per device: the server computes each
        devices = _pages(lambda offset: _nautobot_page(client, offset, fields))
        if fields == sot_contexts.DEVICE_FIELDS:
            sot_contexts.fill(client, _graphql, devices)
        return [_from_nautobot(d, drivers) for d in devices]
    return _pages(lambda offset: _netbox_page(client, offset))


def _nautobot_drivers(client: Client) -> dict[str, tuple[str | None, str | None]]:
    """Each platform's netmiko driver as Nautobot maps its network_driver (the server's
    NETWORK_DRIVERS setting included), asked once: per device it is most of the cost."""
    query = "query { platforms { name network_driver network_driver_mappings } }"
    answer = _graphql(client, query, {})
    return {
        p["name"]: (
            p.get("network_driver") or None,
            (p.get("network_driver_mappings") or {}).get("netmiko") or None,
        )
        for p in answer["platforms"] or ()
    }


def _graphql(client: Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/graphql/", {"query": query, "variables": variables})
    if not isinstance(answer, dict) or answer.get("errors") or "data" not in answer:
        errors = answer.get("errors") if isinstance(answer, dict) else None
        first = errors[0].get("message", errors[0]) if errors else answer
        raise LoadError(
            f"{client.spec.path}: nautobot's GraphQL refused the query: {first}; check "
            "filters: (each value as Nautobot names it)",
            path=client.spec.path,
            key="filters",
        )
    data: dict[str, Any] = answer["data"]
    return data


def _pages(page: Callable[[int], list[Record]]) -> list[Record]:
    found: list[Record] = []
    offset = 0
    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="sot-page") as pool:
        while True:
            window = list(pool.map(page, [offset + i * PAGE for i in range(PARALLEL)]))
            for records in window:
                found += records
            if any(len(records) < PAGE for records in window):
                return found
            offset += PARALLEL * PAGE


def _nautobot_page(client: Client, offset: int, fields: str) -> list[Record]:
    """One page of devices as GraphQL gives them: _NAUTOBOT_FIELDS and `fields`."""
    names = FILTERS["nautobot"]
    given = {names[k]: list(v) for k, v in client.spec.filters.items()}
    params = "".join(f", ${arg}: [String]" for arg in given)
    args = "".join(f", {arg}: ${arg}" for arg in given)
    query = (
        f"query ($limit: Int, $offset: Int{params}) "
        f"{{ devices(limit: $limit, offset: $offset{args}) {{ {_NAUTOBOT_FIELDS}{fields} }} }}"
    )
    variables = {"limit": PAGE, "offset": offset, **given}
    devices: list[Record] = _graphql(client, query, variables)["devices"] or []
    return devices


def _from_nautobot(
    device: dict[str, Any], drivers: dict[str, tuple[str | None, str | None]]
) -> Record:
    platform = device.get("platform") or {}
    device_type = device.get("device_type") or {}
    network_driver, driver = drivers.get(platform.get("name") or "", (None, None))
    return {
        "name": device.get("name"),
        "address": _address(device, "host"),
        "platform": platform.get("name"),
        "network_driver": network_driver,
        "driver": driver,
        "site": None,
        "location": _name(device.get("location")),
        "role": _name(device.get("role")),
        "tenant": _name(device.get("tenant")),
        "device_type": device_type.get("model"),
        "manufacturer": _name(device_type.get("manufacturer")),
        "tags": [t["name"] for t in device.get("tags") or ()],
        "status": _name(device.get("status")),
        "context": device.get("config_context") or {},
        "custom": device.get("_custom_field_data") or {},
    }


def _netbox_page(client: Client, offset: int) -> list[Record]:
    names = FILTERS["netbox"]
    query: dict[str, Any] = {"limit": PAGE, "offset": offset}
    if not client.spec.config_context:
        query["exclude"] = "config_context"  # NetBox computes it per device too
    query.update({names[k]: list(v) for k, v in client.spec.filters.items()})
    answer = client.get("/api/dcim/devices/", query)
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise LoadError(
            f"{client.spec.path}: url: {client.spec.url}/api/dcim/devices/ did not answer "
            "NetBox's device list; check that url: is the NetBox server's root",
            path=client.spec.path,
            key="url",
        )
    return [_from_netbox(d) for d in answer["results"]]


def _from_netbox(device: dict[str, Any]) -> Record:
    platform = device.get("platform") or {}
    device_type = device.get("device_type") or {}
    status = device.get("status") or {}
    # NetBox 3.x named the role device_role
    role = device.get("role") or device.get("device_role")
    return {
        "name": device.get("name"),
        "address": _address(device, "address"),
        "platform": platform.get("slug"),
        "driver": None,
        "site": _slug(device.get("site")),
        "location": _slug(device.get("location")),
        "role": _slug(role),
        "tenant": _slug(device.get("tenant")),
        "device_type": device_type.get("slug") or device_type.get("model"),
        "manufacturer": _slug(device_type.get("manufacturer")),
        "tags": [t.get("slug") or t.get("name") for t in device.get("tags") or ()],
        "status": status.get("value") if isinstance(status, dict) else status,
        "context": device.get("config_context") or {},
        "custom": {k: v for k, v in (device.get("custom_fields") or {}).items() if v is not None},
    }


def _address(device: dict[str, Any], key: str) -> str | None:
    """The primary IP, v4 before v6, without its prefix length."""
    for field in ("primary_ip4", "primary_ip6"):
        value = device.get(field)
        if isinstance(value, dict) and value.get(key):
            text = str(value[key]).split("/")[0]
            try:
                return str(ipaddress.ip_address(text))
            except ValueError:
                return text  # a host name where an address was expected: used as it is
    return None


def _name(value: Any) -> str | None:
    return value.get("name") if isinstance(value, dict) else None


def _slug(value: Any) -> str | None:
    return (value.get("slug") or value.get("name")) if isinstance(value, dict) else None
