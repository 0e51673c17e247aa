"""Nautobot's config contexts, asked once for each set of devices that must share one.

Nautobot computes a device's config context per device, even in GraphQL (queries for each
device: at 10,000 devices more than every other field together). Which contexts apply to a
device depends only on its location (with the location's ancestors), role, device type
(with its device family), platform, tenant (with the tenant's groups), tags, clusters (with
their groups), device redundancy group and dynamic groups: Nautobot's
ConfigContextQuerySet.get_for_object. Devices alike in all of those get the same merged
context; only a device's own local_config_context_data, merged last, sets it apart.

So netjob reads those fields with the page, then asks the server for the config context of
one device of each alike set, and of every device with local data of its own, and gives
each set's answer to the rest of the set. The server still selects, orders and merges every
context netjob uses; netjob only stops asking it the same question thousands of times.

Where the sets cannot be known from the device's fields, every device is asked, as before:
a context assigned to dynamic groups (their members are the server's to compute), or a
ConfigContext field this module does not know (a newer Nautobot with a new criterion).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from runner.base.errors import LoadError
from runner.load.sot_http import PARALLEL, Client

log = logging.getLogger(__name__)

# The device fields get_for_object reads, as GraphQL selects them. A field selected twice
# (location { name } in the page, location { id } here) is merged by GraphQL.
DEVICE_FIELDS = (
    " id local_config_context_data location { id } role { id } device_type { id }"
    " platform { id } tenant { id } device_redundancy_group { id } clusters { id }"
    " tags { name }"
)
_KEY = ("location", "role", "device_type", "platform", "tenant", "device_redundancy_group")
# ConfigContext's fields in Nautobot 3.2's GraphQL: its criteria (each read from the
# device above, dynamic_groups aside) and the rest, which select nothing.
_CRITERIA = {
    "locations",
    "roles",
    "device_types",
    "device_families",
    "platforms",
    "tenant_groups",
    "tenants",
    "tags",
    "clusters",
    "cluster_groups",
    "device_redundancy_groups",
    "dynamic_groups",
}
_INERT = {
    "id",
    "created",
    "last_updated",
    "name",
    "owner_content_type",
    "owner_object_id",
    "weight",
    "description",
    "is_active",
    "config_context_schema",
    "data",
    "url",
    "associated_contacts",
    "associated_object_metadata",
    "associated_data_compliance",
}
ASK = 250  # devices per config_context query

Graphql = Callable[[Client, str, dict[str, Any]], dict[str, Any]]


def can_share(client: Client, graphql: Graphql) -> bool:
    """Whether alike devices are sure to get the same context on this server (see above)."""
    query = (
        'query { __type(name: "ConfigContextType") { fields { name } } '
        "config_contexts { name is_active dynamic_groups { id } } }"
    )
    answer = graphql(client, query, {})
    fields = {f["name"] for f in (answer.get("__type") or {}).get("fields") or ()}
    unknown = sorted(fields - _CRITERIA - _INERT)
    if not fields or unknown:
        log.info(
            "%s: Nautobot's config contexts have fields netjob does not know (%s): each "
            "device's config context is asked of the server",
            client.spec.path,
            ", ".join(unknown) or "none listed",
        )
        return False
    grouped = [
        c["name"]
        for c in answer.get("config_contexts") or ()
        if c.get("is_active") and c.get("dynamic_groups")
    ]
    if grouped:
        log.info(
            "%s: config contexts %s are assigned to dynamic groups: each device's config "
            "context is asked of the server",
            client.spec.path,
            ", ".join(grouped),
        )
        return False
    return True


def key(device: dict[str, Any]) -> str:
    """What selects a device's contexts, as one comparable string."""
    parts: dict[str, Any] = {name: _id(device.get(name)) for name in _KEY}
    parts["clusters"] = sorted(_id(c) or "" for c in device.get("clusters") or ())
    parts["tags"] = sorted(t.get("name") or "" for t in device.get("tags") or ())
    return json.dumps(parts, sort_keys=True)


def fill(client: Client, graphql: Graphql, devices: list[dict[str, Any]]) -> None:
    """Set each device's "config_context" (devices as the page's GraphQL gave them, with
    DEVICE_FIELDS), asking the server once per alike set and once per device with local
    data."""
    sets: dict[str, list[dict[str, Any]]] = {}
    ask: list[str] = []
    for device in devices:
        if device.get("local_config_context_data"):  # Nautobot merges it only when truthy
            ask.append(device["id"])
        else:
            members = sets.setdefault(key(device), [])
            if not members:
                ask.append(device["id"])
            members.append(device)
    answers = _ask(client, graphql, ask)
    missing = [i for i in ask if i not in answers]
    if missing:
        raise LoadError(
            f"{client.spec.path}: {len(missing)} devices went from Nautobot while netjob "
            "read it; run again (or with --refresh-inventory) once it settles",
            path=client.spec.path,
            key="url",
        )
    for device in devices:
        if device.get("local_config_context_data"):
            device["config_context"] = answers[device["id"]]
    for members in sets.values():
        shared = answers[members[0]["id"]]
        for device in members:
            device["config_context"] = shared
    log.debug(
        "%s: config contexts of %d devices from %d questions (%d alike sets)",
        client.spec.path,
        len(devices),
        len(ask),
        len(sets),
    )


def _ask(client: Client, graphql: Graphql, ids: list[str]) -> dict[str, Any]:
    query = "query ($ids: [String]) { devices(id: $ids) { id config_context } }"
    chunks = [ids[i : i + ASK] for i in range(0, len(ids), ASK)]

    def one(chunk: list[str]) -> Iterable[dict[str, Any]]:
        return graphql(client, query, {"ids": chunk})["devices"] or ()

    answers: dict[str, Any] = {}
    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="sot-context") as pool:
        for found in pool.map(one, chunks):
            for device in found:
                answers[device["id"]] = device.get("config_context") or {}
    return answers


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else None
