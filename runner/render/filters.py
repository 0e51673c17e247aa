"""Jinja2 filters network engineers reach for, kept inside the template sandbox's bounds.

netutils' own filters (`netutils.utils.jinja2_convenience_function()`: `cidr_to_netmask`,
`get_first_usable`, `canonical_interface_name`, `vlanlist_to_config`, ...) by their own
names, and `ipaddr`, a thin adapter over the standard library's `ipaddress` for the
queries of Ansible's `ipaddr` that templates use most (netutils has no `ipaddr`).

Left out, because a template must not reach the network, read files or run unbounded
regular expressions (Python's `re` has no time limit): see _LEFT_OUT. The filters kept are
bounded as the sandbox's own: an argument naming a private attribute is refused, a range
that would expand past the sandbox's size bound is refused before it expands, and an
iterator (`get_all_host('10.0.0.0/8')`) stops at that bound and at the time budget.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from jinja2.exceptions import FilterArgumentError, SecurityError

_LEFT_OUT = {
    "fqdn_to_ip": "resolves names",
    "is_fqdn_resolvable": "resolves names",
    "tcp_ping": "connects",
    "config_compliance": "reads files",
    "paloalto_panos_brace_to_set": "reads files",
    "get_napalm_getters": "imports napalm",
    "clean_config": "runs the template's regular expressions",
    "sanitize_config": "runs the template's regular expressions",
    "regex_findall": "runs the template's regular expressions",
    "regex_match": "runs the template's regular expressions",
    "regex_search": "runs the template's regular expressions",
    "regex_split": "runs the template's regular expressions",
    "regex_sub": "runs the template's regular expressions",
}
# Their second argument names an attribute (attrgetter) or a hashlib function.
_NAMES_AN_ATTRIBUTE = {"ipaddress_address", "ipaddress_interface", "ipaddress_network", "hash_data"}
_EXPANDS_RANGES = {"interface_range_expansion", "vlanconfig_to_list"}
_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)")

Guard = Callable[[str, Callable[..., Any]], Callable[..., Any]]


def network_filters(guard: Guard, max_items: int, tick: Callable[[], None]) -> dict[str, Any]:
    """netutils' filters and `ipaddr`, each wrapped by `guard` (the sandbox's own)."""
    from netutils.utils import jinja2_convenience_function  # ~30 ms: on first use only

    found = {n: f for n, f in jinja2_convenience_function().items() if n not in _LEFT_OUT}
    found = {n: _bounded(n, f, max_items, tick) for n, f in found.items()}
    found["ipaddr"] = ipaddr
    return {name: guard(name, func) for name, func in found.items()}


def _bounded(
    name: str, func: Callable[..., Any], max_items: int, tick: Callable[[], None]
) -> Callable[..., Any]:
    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if name in _NAMES_AN_ATTRIBUTE:
            for value in (*args[1:], *kwargs):
                if isinstance(value, str) and any(p.startswith("_") for p in value.split(".")):
                    raise SecurityError(f"{name}: {value!r} names a private attribute")
        if name in _EXPANDS_RANGES and args:
            spans = (int(b) - int(a) + 1 for a, b in _RANGE.findall(str(args[0])))
            if math.prod(max(1, span) for span in spans) > max_items:
                raise SecurityError(f"{name}: its ranges expand to over {max_items:,} items")
        result = func(*args, **kwargs)
        if isinstance(result, Iterator):
            return _stopping(name, result, max_items, tick)
        return result

    return bounded


def _stopping(
    name: str, items: Iterator[Any], max_items: int, tick: Callable[[], None]
) -> Iterator[Any]:
    for count, item in enumerate(items):
        tick()
        if count >= max_items:
            raise SecurityError(f"{name}: over {max_items:,} items")
        yield item


IP = ipaddress.IPv4Interface | ipaddress.IPv6Interface
_QUERIES: dict[str, Callable[[IP], Any]] = {
    "address": lambda ip: str(ip.ip),
    "host": lambda ip: ip.with_prefixlen if _is_host(ip) else False,
    "netmask": lambda ip: str(ip.netmask),
    "hostmask": lambda ip: str(ip.hostmask),
    "prefix": lambda ip: ip.network.prefixlen,
    "network": lambda ip: str(ip.network.network_address),
    "subnet": lambda ip: str(ip.network),
    "broadcast": lambda ip: str(ip.network.broadcast_address),
    "size": lambda ip: ip.network.num_addresses,
    "version": lambda ip: ip.version,
}


def ipaddr(value: Any, query: str | int = "") -> Any:
    """Ansible's `ipaddr` for its common queries: `'192.0.2.7/24' | ipaddr('address')`
    ('192.0.2.7'), `netmask`, `hostmask`, `prefix` (24), `network` ('192.0.2.0'),
    `subnet` ('192.0.2.0/24'), `broadcast`, `size`, `version`, `host` ('192.0.2.7/24'),
    and a number: the n-th address of the network, with its prefix (`ipaddr(1)`:
    '192.0.2.1/24'). Without a query, the value if it is an address or network. As in
    Ansible, what is not an address gives false, and a list keeps the items that are."""
    if isinstance(value, (list, tuple)):
        found = (ipaddr(item, query) for item in value)
        return [item for item in found if item is not False]
    try:
        ip = ipaddress.ip_interface(str(value).strip())
    except ValueError:
        return False
    if query == "":
        return value
    if isinstance(query, str) and re.fullmatch(r"-?\d+", query):
        query = int(query)
    if isinstance(query, int) and not isinstance(query, bool):
        network = ip.network
        if not -network.num_addresses <= query < network.num_addresses:
            return False
        return f"{network[query]}/{network.prefixlen}"
    if query not in _QUERIES:
        raise FilterArgumentError(
            f"ipaddr: unknown query {query!r}; use a number or one of {', '.join(_QUERIES)}"
        )
    return _QUERIES[str(query)](ip)


def _is_host(ip: IP) -> bool:
    """Not the network's own address, unless a /31, /32 (or /127, /128) has no other."""
    return ip.ip != ip.network.network_address or ip.network.num_addresses <= 2
