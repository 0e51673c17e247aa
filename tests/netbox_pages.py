"""A small HTTP server on 127.0.0.1 that answers /api/dcim/devices/ as NetBox 4.x does (the
shape of its recorded pages: count/next/previous/results, nested brief objects, limit and
offset, filters by slug), for tests/test_source_of_truth.py. It counts requests and the
most it served at once, checks the token, and can be told to fail (`fail_with`).

NetBox itself needs Python 3.12 (4.x) and older releases are not on the package index:
with NETJOB_TEST_NETBOX_URL and NETJOB_TEST_NETBOX_TOKEN set, the tests that do not depend
on this server's devices run against that NetBox instead.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "nbtesttoken-0000000000000000000000000000"  # this test server's, nothing else's


def _brief(name: str, **more: Any) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    return {
        "id": abs(hash(slug)) % 1000,
        "url": f"/x/{slug}/",
        "display": name,
        "name": name,
        "slug": slug,
        **more,
    }


def device(
    i: int,
    name: str | None,
    *,
    site: str = "AMS",
    role: str = "Core",
    platform: str | None = "cisco-ios",
    address: str | None = "192.0.2.1/24",
    six: str | None = None,
    tenant: str | None = "Blue",
    tags: tuple[str, ...] = ("lab",),
    context: dict[str, Any] | None = None,
    custom: dict[str, Any] | None = None,
    status: str = "active",
) -> dict[str, Any]:
    """One device as NetBox 4.x's /api/dcim/devices/ lists it."""
    return {
        "id": i,
        "url": f"http://netbox.example.net/api/dcim/devices/{i}/",
        "display": name or f"device {i}",
        "name": name,
        "device_type": {
            "id": 1,
            "url": "/x/",
            "display": "ISR4331",
            "model": "ISR4331",
            "slug": "isr4331",
            "manufacturer": _brief("Cisco"),
        },
        "role": _brief(role),
        "tenant": None if tenant is None else _brief(tenant),
        "platform": None if platform is None else {**_brief(platform), "slug": platform},
        "serial": "",
        "site": _brief(site),
        "location": None,
        "status": {"value": status, "label": status.title()},
        "primary_ip": None,
        "primary_ip4": None
        if address is None
        else {"id": i, "family": {"value": 4}, "address": address},
        "primary_ip6": None if six is None else {"id": i, "family": {"value": 6}, "address": six},
        "config_context": context or {},
        "custom_fields": custom or {},
        "tags": [_brief(t) for t in tags],
        "created": "2026-01-01T00:00:00Z",
        "last_updated": "2026-01-01T00:00:00Z",
    }


@dataclass
class Pages:
    devices: list[dict[str, Any]]
    url: str = ""
    requests: int = 0
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    busy: int = 0
    most_at_once: int = 0
    fail_with: list[int] = field(default_factory=list)  # status codes for the next requests
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, query: dict[str, list[str]], auth: str | None) -> tuple[int, Any]:
        with self.lock:
            self.requests += 1
            self.queries.append(query)
            if self.fail_with:
                return self.fail_with.pop(0), {"detail": "failing as told"}
        if auth != f"Token {TOKEN}":
            return 403, {"detail": "Invalid token"}
        if path != "/api/dcim/devices/":
            return 404, {"detail": "Not found."}
        chosen = [d for d in self.devices if _matches(d, query)]
        limit = int(query.get("limit", ["50"])[0])
        offset = int(query.get("offset", ["0"])[0])
        page = chosen[offset : offset + limit]
        if query.get("exclude") == ["config_context"]:  # as NetBox: asked not to compute it
            page = [{k: v for k, v in d.items() if k != "config_context"} for d in page]
        return 200, {
            "count": len(chosen),
            "next": None,
            "previous": None,
            "results": page,
        }


def _matches(device: dict[str, Any], query: dict[str, list[str]]) -> bool:
    for key, path in (
        ("site", "site"),
        ("role", "role"),
        ("platform", "platform"),
        ("tenant", "tenant"),
    ):
        if key in query and (device.get(path) or {}).get("slug") not in query[key]:
            return False
    if "tag" in query and not {t["slug"] for t in device["tags"]} & set(query["tag"]):
        return False
    return "status" not in query or device["status"]["value"] in query["status"]


@contextmanager
def serve(devices: list[dict[str, Any]]) -> Iterator[Pages]:
    pages = Pages(devices)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            with pages.lock:
                pages.busy += 1
                pages.most_at_once = max(pages.most_at_once, pages.busy)
            try:
                code, body = pages.answer(
                    parts.path,
                    urllib.parse.parse_qs(parts.query),
                    self.headers.get("Authorization"),
                )
            finally:
                with pages.lock:
                    pages.busy -= 1
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield pages
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
