"""Offline speed: a generated inventory of many hosts and a 5-task templated job."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

JOB = """\
name: offline
hosts: all
vars: {prefix: uplink}
tasks:
  - name: ntp
    config: ["ntp server {{ ntp }}", "ntp source {{ uplink }}"]
  - name: logging
    config: ["logging host {{ host.address }}"]
  - name: describe
    config: ["interface {{ uplink }}", " description {{ prefix }} {{ host.name }} {{ site }}"]
  - name: check
    show: ["show run | include ntp", "show interfaces {{ uplink }}"]
  - name: banner
    config: ["{% for g in host.groups %}! group {{ g }}\\n{% endfor %}"]
"""


def generate(hosts: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-offline-"))
    lines = [
        "defaults: {platform: cisco_ios, username: u, password_env: X}",
        "groups:",
        "  core: {vars: {ntp: 192.0.2.1}}",
        "  edge: {vars: {ntp: 192.0.2.2}}",
        "hosts:",
    ]
    for i in range(hosts):
        group = "core" if i % 10 == 0 else "edge"
        lines.append(
            f"  h{i:05d}: {{address: 198.51.100.{i % 250 + 1}, port: {10000 + i % 5000},"
            f" groups: [{group}], vars: {{uplink: Gi0/{i % 4}, site: s{i % 40}}}}}"
        )
    (folder / "inv.yaml").write_text("\n".join(lines) + "\n")
    (folder / "job.yaml").write_text(JOB)
    return folder


def timed_plan(folder: Path) -> float:
    from runner import core

    start = time.perf_counter()
    items = core.plan(core.select(folder / "job.yaml", folder / "inv.yaml"))
    assert len(items) > 0
    return time.perf_counter() - start


def timed_load(folder: Path, cached: bool = False) -> float:
    """Load + --limit filter the way `netjob run` does it (runner.load.load_inventories).
    cached=False: the YAML parsed and checked (NETJOB_NO_CACHE, a changed file); True: the
    checked inventory from netjob's cache of big inventories (the file unchanged since)."""
    import os

    from runner.load import load_inventories

    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")  # never the user's own cache
    if cached:
        os.environ.pop("NETJOB_NO_CACHE", None)
        load_inventories(folder / "inv.yaml")  # fills the cache
    else:
        os.environ["NETJOB_NO_CACHE"] = "1"
    start = time.perf_counter()
    chosen = load_inventories(folder / "inv.yaml").select("core,h0*,!h00010")
    assert chosen
    return time.perf_counter() - start


def cache_applies(folder: Path) -> bool:
    """netjob keeps a checked copy only of big inventories (runner.load.inventory)."""
    from runner.load.inventory_cache import CACHE_FROM_BYTES

    return (folder / "inv.yaml").stat().st_size >= CACHE_FROM_BYTES
